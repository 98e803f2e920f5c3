"""Measure what each attack wins or breaks, one attack at a time, each in a course of its own.

    .venv/bin/python tests/attacks/_measure.py [--limit SECONDS] [--out FILE] [attack names...]

For each attack: a fresh copy of a generated temporary course holding aaa-honest, the
attacker and zzz-honest; `make grade`'s path (grade_class, then reports.write_all) run
in a separate process in its own session (an attack that kills the grader kills only
that process); then what changed, leaked, survived. One JSON object per attack goes to
--out (default: stdout), and a one-line summary to stderr. Everything an attack leaves
(processes, /tmp markers, the course copy) is removed before the next one starts. Never
run two of these at once: attacks use fixed /tmp marker names.
"""
import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent)]

import attacks  # noqa: E402
from course_tools import notebooks  # noqa: E402
from course_tools.course import Course  # noqa: E402
from course_tools.proof.sample_course import GRADED_FUNCTIONS, course_copy  # noqa: E402

POINTS = {"zero_pad": 10, "conv_single_step": 10, "conv_forward": 20, "pool_forward": 20, "conv_backward": 20,
          "create_mask_from_window": 5, "distribute_value": 5, "pool_backward": 10}


def read(fn):
    try:
        return fn()
    except Exception as error:
        return f"<{type(error).__name__}: {str(error)[:200]}>"


def measure(attack, template, work, limit, secret_strings):
    folder = Path(tempfile.mkdtemp(prefix="cnnatk-", dir=work))
    course = Course(folder / "course")
    shutil.copytree(template, course.root, symlinks=True)
    home = folder / "home"
    home.mkdir()
    attacks.remove_tmp_markers()
    listener = attacks.Listener()
    try:
        attacks.write_class(course, [attack], listener.port)
        before = attacks.protected_files(course.root, {attack.name})
        run = attacks.run_grader(course, home, limit)
        left = attacks.leftovers(course.root)
        time.sleep(3)
        scores = read(course.scores)
        tmp_files = {}
        for path in attacks.tmp_markers():
            p = Path(path)
            tmp_files[path] = (f"<folder of {len(list(p.rglob('*')))} files>" if p.is_dir()
                               else p.read_bytes()[:120].decode(errors="replace").strip()
                               if p.stat().st_size < 10 ** 6 else f"<{p.stat().st_size} bytes>")
        page = attacks.feedback_page(course.root, attack.name)
        own = scores.get(attack.name) if isinstance(scores, dict) else None
        result = {
            "attack": attack.name,
            "returncode": run.returncode,
            "seconds": round(run.seconds, 1),
            "students_reported": sorted(run.graded),
            "attacker_seconds": round(run.graded[attack.name]["seconds"], 1) if attack.name in run.graded else None,
            # The grader's own peak memory (its worker's VmHWM) while grading each student: the kernel's is apart.
            "grader_peak_mib": {s: round(g.get("timings", {}).get("grader_peak_mib") or 0)
                                for s, g in run.graded.items()},
            "problems": run.graded.get(attack.name, {}).get("problems"),
            "scores": {f: own.get(f"test_{f}") for f in GRADED_FUNCTIONS} if own else None,
            "total": own.get("total") if own else None,
            "unearned": ({f: own.get(f"test_{f}") for f in GRADED_FUNCTIONS
                          if f not in attack.expect and own.get(f"test_{f}")} if own else None),
            "must_earn_lost": ({f: own.get(f"test_{f}") for f in attack.must_earn
                                if own.get(f"test_{f}") != POINTS[f]} if own else None),
            "late_penalty": read(course.late_penalties).get(attack.name) if attack.late_days else None,
            "autograded_bytes": (course.autograded_notebook(attack.name).stat().st_size
                                 if course.autograded_notebook(attack.name).exists() else None),
            "honest": {s: (scores.get(s, {}).get("total") if isinstance(scores, dict) else scores) for s in attacks.HONEST},
            # What the grader reported of the honest students: an attack may make a later one look at fault.
            "honest_problems": {s: run.graded.get(s, {}).get("problems") for s in attacks.HONEST},
            "in_gradebook": read(course.students),
            "changed_files": attacks.changed_files(before, attacks.protected_files(course.root, {attack.name})),
            "poisoned": attacks.poisoned_user_files(home),
            "listener_bytes": [len(b) for b in listener.received],
            "tmp_files": tmp_files,
            "processes_left": {str(pid): cmd[:100] for pid, (cmd, _) in left.items()},
            "feedback_leaks": attacks.leaked_in(page.read_text(), secret_strings) if page.exists() else "no page",
            "grader_output_tail": run.output[-600:] if run.returncode != 0 else "",
        }
    finally:
        listener.close()
        attacks.kill_leftovers(course.root)
        attacks.remove_tmp_markers()
        shutil.rmtree(folder, ignore_errors=True)
    return result


attacks_by_name = {}


def summary(r):
    won = []
    if r["unearned"]:
        won.append(f"earned {sum(r['unearned'].values()):g} unearned points")
    if r["must_earn_lost"]:
        won.append(f"honest work lost {r['must_earn_lost']}")
    if r["late_penalty"] is not None and r["late_penalty"] != 10 * attacks_by_name[r["attack"]].late_days:
        won.append(f"late penalty {r['late_penalty']}")
    if (r.get("autograded_bytes") or 0) > 10 ** 7:
        won.append(f"graded notebook of {r['autograded_bytes'] / 1e6:.0f} MB")
    if r["returncode"] != 0:
        won.append(f"grader exit {r['returncode']}")
    if set(r["students_reported"]) != {r["attack"], *attacks.HONEST}:
        won.append(f"reported only {r['students_reported']}")
    if r["honest"] != {s: 100.0 for s in attacks.HONEST}:
        won.append(f"honest {r['honest']}")
    if any(r["honest_problems"].values()):
        won.append(f"honest problems {r['honest_problems']}")
    for key in ("changed_files", "poisoned", "listener_bytes", "tmp_files", "processes_left"):
        if r[key]:
            won.append(f"{key}={r[key]}")
    if r["feedback_leaks"]:
        won.append(f"feedback leaks {r['feedback_leaks']}")
    peak = r["grader_peak_mib"].get(r["attack"])
    return (f"{r['attack']:<26} total={r['total']} {r['attacker_seconds']} s {peak} MiB | "
            + ("; ".join(won) or "nothing"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--limit", type=float, default=600, help="seconds one grading run may take")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    selected = attacks.load(args.names or None)
    attacks_by_name.update({a.name: a for a in selected})
    work = Path(tempfile.mkdtemp(prefix="cnnatk-measure-"))
    out = open(args.out, "a") if args.out else sys.stdout
    try:
        template = work / "template"
        template.mkdir()
        course_copy(template).generate()
        secret_strings = attacks.secrets(notebooks.read(template / "source" / "cnn_step_by_step" / "cnn_step_by_step.ipynb"))
        for attack in selected:
            result = measure(attack, template, work, args.limit, secret_strings)
            out.write(json.dumps(result) + "\n")
            out.flush()
            print(summary(result), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
