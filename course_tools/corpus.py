"""Prove the hidden tests: autograde a corpus of wrong and right solutions with nbgrader.

Entries live in corpus/: whole functions in corpus/wrong/*.py and corpus/right/*.py
(named FUNCTION__WHAT.py, docstring = what the entry does), and one-edit mutations of
the reference solution in corpus/mutations.py. Each entry becomes a submission: the
release with every graded function filled in from the reference solution, except the
ones the entry replaces. A wrong entry must lose points on each function it replaces;
a right entry must keep full credit; no entry may cost points on a function it does
not replace (collateral). Exits non-zero on any miss.

Run with ``python -m course_tools.corpus`` (``make corpus``).
"""
import ast
import contextlib
import importlib.util
import io
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_tools import submissions
from course_tools.course import NOTEBOOK, course_copy

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@dataclass
class Entry:
    name: str
    kind: str  # "wrong" or "right"
    description: str
    answers: dict  # grade_id -> solution cell source

    @property
    def student(self):
        return f"{self.kind}-{self.name}"


@dataclass
class Outcome:
    entry: Entry
    scores: dict
    maxima: dict
    messages: dict = field(default_factory=dict)
    hidden_rejects: bool = None  # wrong entries: does the hidden check alone reject it?
    visible_message: str = ""  # what the visible checks a student runs say of it ("" if they pass it)

    def full(self, function):
        return self.scores[f"test_{function}"] == self.maxima[f"test_{function}"]

    @property
    def verdict_met(self):
        replaced = [self.full(function) for function in self.entry.answers]
        return not any(replaced) if self.entry.kind == "wrong" else all(replaced)

    @property
    def collateral(self):
        return [function for function in graded_functions(self.maxima)
                if function not in self.entry.answers and not self.full(function)]


def graded_functions(maxima):
    return [name[len("test_"):] for name in maxima if name.startswith("test_")]


def split_functions(source, graded):
    """{graded function: its source, preceded by the file's imports and helpers}."""
    tree = ast.parse(source)
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    wanted = [node for node in body if isinstance(node, ast.FunctionDef) and node.name in graded]
    preamble = [ast.get_source_segment(source, node) for node in body if node not in wanted]
    return {node.name: "\n".join(preamble + ["", "", ast.get_source_segment(source, node)]).strip() + "\n"
            for node in wanted}


def file_entries(kind, graded):
    for path in sorted((CORPUS / kind).glob("*.py")):
        source = path.read_text()
        answers = split_functions(source, graded)
        if not answers or path.stem.split("__")[0] not in answers:
            raise ValueError(f"{path}: defines none of the graded function its name starts with")
        yield Entry(path.stem, kind, ast.get_docstring(ast.parse(source)), answers)


def mutation_entries(reference):
    spec = importlib.util.spec_from_file_location("corpus_mutations", CORPUS / "mutations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function, name, description, edits in module.MUTATIONS:
        source = reference[function]
        for old, new in edits:
            if old not in source:
                raise ValueError(f"mutation {function}__{name}: {old!r} is not in the reference solution")
            source = source.replace(old, new)
        yield Entry(f"{function}__{name}", "wrong", description, {function: source})


def load(reference):
    entries = [Entry("reference", "right", "The reference solution itself.", dict(reference))]
    entries += file_entries("wrong", reference)
    entries += mutation_entries(reference)
    entries += file_entries("right", reference)
    return entries


def load_kit():
    """The hidden grading kit as a class, run outside the notebook."""
    namespace = {"get_ipython": lambda: None}
    exec(compile((ROOT / "authoring" / "grading_kit.py").read_text(), "grading_kit.py", "exec"), namespace)
    return namespace["_CnnGradingKit"]


def hidden_check_rejects(kit, reference, entry):
    """Whether the kit's hidden check alone (no visible checks) rejects every function the entry replaces.

    Runs in this process with numpy in the namespace, the reference solution for
    every other function, and the entry's own code; the helpers are the reference's,
    as they are in the notebook while those checks run.
    """
    import numpy

    namespace = {"np": numpy}
    for function in reference:
        exec(entry.answers.get(function, reference[function]), namespace)
    helpers = kit.reference_helpers()
    for function in entry.answers:
        namespace.update({name: helper for name, helper in helpers.items() if name != function})
        try:
            getattr(kit, f"check_{function}")(namespace[function])
        except AssertionError:
            continue
        return False
    return True


def visible_check_message(release, reference, entry):
    """What the visible checks say of the entry, as a student running the release would see it: the
    first line of the first error of the test cells of the functions it replaces ("" if they pass).

    Each test cell of the release holds the visible checks only; it runs in this process with
    numpy, the reference solution for every other function and the entry's own code.
    """
    import numpy

    tests = {submissions.grade_id(c): c.source for c in release.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    namespace = {"np": numpy}
    for function in reference:
        exec(entry.answers.get(function, reference[function]), namespace)
    for function in entry.answers:
        try:
            with numpy.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
                exec(tests[f"test_{function}"], dict(namespace))
        except Exception as error:  # the student's own code failing is a catch too: they see an error
            return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return ""


def grade(entries, folder):
    """Write every entry into a fresh course in `folder`, autograde, and read the outcomes."""
    course = course_copy(folder)
    course.generate()
    release = submissions.read(course.release_notebook)
    reference = submissions.reference_solutions(submissions.read(course.source_notebook))
    for entry in entries:
        nb = submissions.fill(release, {**reference, **entry.answers})
        submissions.write(nb, course.root, entry.student, course.assignment, NOTEBOOK)
    course.autograde()
    scores, maxima = course.scores(), course.max_scores()
    kit = load_kit()
    return [Outcome(e, scores[e.student], maxima, course.failure_messages(e.student),
                    hidden_check_rejects(kit, reference, e) if e.kind == "wrong" else None,
                    visible_check_message(release, reference, e))
            for e in entries]


def report(outcomes, out=sys.stdout):
    """Print the table and the summary line; return the number of misses."""
    print(f"{'entry':<52}{'function':<25}{'wanted':<8}{'got':>6}  {'others':<10}{'hidden':<8}{'visible':<9}message",
          file=out)
    for o in outcomes:
        for function in o.entry.answers:
            wanted = "less" if o.entry.kind == "wrong" else "full"
            got = o.scores[f"test_{function}"]
            others = "full" if not o.collateral else "LOST " + ",".join(o.collateral)
            message = o.messages.get(f"test_{function}", "")
            hidden = {None: "", True: "rejects", False: "MISSES"}[o.hidden_rejects]
            if o.entry.kind == "wrong":
                visible = "catches" if o.visible_message else "passes"
            else:
                visible = "TRIPS" if o.visible_message else ""
            miss = "" if o.verdict_met and o.hidden_rejects is not False and visible != "TRIPS" else "  <-- MISS"
            print(f"{o.entry.student:<52}{function:<25}{wanted:<8}{got:>6g}  {others:<10}{hidden:<8}{visible:<9}"
                  f"{message[:110]}{miss}", file=out)
    wrong = [o for o in outcomes if o.entry.kind == "wrong"]
    right = [o for o in outcomes if o.entry.kind == "right"]
    collateral = sum(len(o.collateral) for o in outcomes)
    rejected = sum(o.verdict_met for o in wrong)
    accepted = sum(o.verdict_met for o in right)
    hidden = sum(bool(o.hidden_rejects) for o in wrong)
    print(f"\nwrong rejected {rejected}/{len(wrong)}, right accepted {accepted}/{len(right)}, "
          f"collateral losses {collateral}", file=out)
    print(f"hidden checks alone (no visible checks) reject {hidden}/{len(wrong)} wrong entries", file=out)
    caught = [o for o in wrong if o.visible_message]
    tripped = [o for o in right if o.visible_message]
    print(f"the visible checks a student runs catch {len(caught)}/{len(wrong)} wrong entries before submission "
          f"and trip {len(tripped)}/{len(right)} right ones", file=out)
    print("wrong entries the visible checks pass (only the hidden tests catch them):", file=out)
    for o in wrong:
        if not o.visible_message:
            print(f"  {o.entry.name}", file=out)
    return (len(wrong) - rejected) + (len(right) - accepted) + collateral + (len(wrong) - hidden) + len(tripped)


def main():
    started = time.monotonic()
    reference = submissions.reference_solutions(submissions.read(ROOT / "source" / "cnn_step_by_step" / f"{NOTEBOOK}.ipynb"))
    entries = load(reference)
    print(f"autograding {len(entries)} entries with nbgrader ...", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        outcomes = grade(entries, folder)
    misses = report(outcomes)
    print(f"corpus wall time {time.monotonic() - started:.0f} s")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
