"""Hostile submissions: one module per attack, and the code that turns them into a class to grade.

Each attack module (every ``*.py`` here whose name does not start with ``_``) has a
docstring saying what the attack does and what it would win without protection, and
defines:

``ANSWERS``
    ``{grade_id: source}``: solution-cell sources that replace the base's. Grade ids
    are the function names (zero_pad, ..., pool_backward). It may also be a function
    of the reference answers that returns that dict (for one-edit mutations of them).
``EXPECT``
    the functions the attacker may earn points for: the ones it implemented honestly.
    A function it cheats on must score 0.

and optionally:

``BASE``
    ``"reference"`` (default: every function honest unless ANSWERS replaces it) or
    ``"release"`` (nothing implemented unless ANSWERS says so).
``APPEND``
    ``{grade_id: code}``: code added at the end of the base's solution cell, so that an
    honest function carries a payload that runs when the cell runs.
``EDIT(nb)``
    edits the nbformat notebook after filling it in (add cells, change test cells).
``NOTEBOOK_BYTES``
    the notebook file's raw content, instead of a filled-in release (broken notebooks).
``SYMLINKS``
    ``{file name: target}``: symbolic links handed in beside the notebook.
``PREPARE(folder)``
    called with the submission folder once the notebook, links and timestamp are written: for
    what a notebook cannot say (FIFOs, sockets, nested folders, a notebook file written in pieces).
``LATE_DAYS``
    days after the due date the submission was handed in (writes timestamp.txt).
``MUST_EARN``
    functions the attacker must still earn in full: the grader may not let a fault in
    one function cost the others.
``PROBLEMS``
    words of which the grader's report for this student must use at least one
    ("memory limit", "process limit", "output limit", "timed out", "file size limit").
``BUDGET_SECONDS``
    the longest this student's grading may take: for an attack that runs into the time
    limits, a multiple of ``CELL_TIMEOUT``, so that its budget still tells the protected grader
    from one without the protection whatever the timeout is.
``DECODE_PAGE(text)`` and ``PAGE_BOUND``
    for an attack that smuggles data out in its verdicts: ``{function: bytes}`` its feedback
    page's text carries, decoded, and ``{function: the most bytes it may carry}``.

Conventions every attack follows, so that the tests can check all of them the same way:

* anything it leaves on the machine carries its marker, ``cnnattack_<name>`` (the file
  name with ``-`` replaced by ``_``): files under ``/tmp`` are ``/tmp/cnnattack_<name>*``,
  and processes it leaves have the marker in their command line;
* it sends stolen data to ``127.0.0.1:{{PORT}}`` (the test's listener; ``{{PORT}}`` is
  replaced by the port when the submission is written), starting with its marker;
* it only ever acts inside the course (relative paths from the kernel's working
  folder, ``autograded/<student>/cnn_step_by_step``, or ``/proc/<grader>/cwd``) and
  bounds what it uses, so that running it against an unprotected grader harms nothing
  beyond the temporary course and leaves nothing behind that the tests' cleanup misses.
"""
import dataclasses
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
from conftest import hidden_lines, literal_lines  # noqa: E402 (tests/ is on the path, in pytest and in _measure.py)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MARKER_PREFIX = "cnnattack_"
HONEST = ("aaa-honest", "zzz-honest")
DUE = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
GRADEBOOK_SECRET = "gradebook-secret-7c1e9a"  # the honest students' e-mail addresses hold it
GRADER_SECRET = "grader-secret-token-5d2b"  # an environment variable of the grader's process

# Source of a function left as the release has it: defined, but raising when called.
UNIMPLEMENTED = "raise NotImplementedError()"


@dataclasses.dataclass
class Attack:
    name: str
    doc: str
    answers: dict
    expect: set
    base: str = "reference"
    append: dict = dataclasses.field(default_factory=dict)
    edit: object = None
    notebook_bytes: bytes = None
    symlinks: dict = dataclasses.field(default_factory=dict)
    prepare: object = None
    late_days: int = 0
    must_earn: set = dataclasses.field(default_factory=set)
    problems: tuple = ()
    budget_seconds: float = None
    decode_page: object = None
    page_bound: dict = dataclasses.field(default_factory=dict)

    @property
    def marker(self):
        return MARKER_PREFIX + self.name.replace("-", "_")

    @property
    def summary(self):
        return self.doc.strip().split("\n")[0]


def load(names=None):
    """Every attack module in this folder, sorted by name (the order the grader takes them in)."""
    attacks = []
    names = names and {n.replace("_", "-") for n in names}  # file names (dtype_text) or attack names (dtype-text)
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = path.stem.replace("_", "-")
        if names and name not in names:
            continue
        module = importlib.import_module(f"{__name__}.{path.stem}")
        answers = getattr(module, "ANSWERS", {})
        attacks.append(Attack(
            name=name, doc=module.__doc__ or "", answers=answers if callable(answers) else dict(answers),
            expect=set(module.EXPECT), base=getattr(module, "BASE", "reference"),
            append=dict(getattr(module, "APPEND", {})), edit=getattr(module, "EDIT", None),
            notebook_bytes=getattr(module, "NOTEBOOK_BYTES", None), symlinks=dict(getattr(module, "SYMLINKS", {})),
            prepare=getattr(module, "PREPARE", None), late_days=getattr(module, "LATE_DAYS", 0),
            must_earn=set(getattr(module, "MUST_EARN", ())),
            problems=tuple(getattr(module, "PROBLEMS", ())), budget_seconds=getattr(module, "BUDGET_SECONDS", None),
            decode_page=getattr(module, "DECODE_PAGE", None), page_bound=dict(getattr(module, "PAGE_BOUND", {}))))
    return attacks


# --------------------------------------------------------------------------- the class
def notebook_for(attack, release, reference, port):
    """The attacker's notebook: the base filled in, ANSWERS and APPEND applied, then EDIT."""
    from course_tools import notebooks

    base = dict(reference) if attack.base == "reference" else {}
    replaced = attack.answers(reference) if callable(attack.answers) else attack.answers
    answers = {**base, **replaced}
    for gid, code in attack.append.items():
        answers[gid] = answers.get(gid, release_source(release, gid)) + "\n\n" + code
    answers = {gid: src.replace("{{PORT}}", str(port)) for gid, src in answers.items()}
    nb = notebooks.fill(release, answers)
    if attack.edit is not None:
        attack.edit(nb)
    return nb


def write_submission(course, attack, release, reference, port):
    """Write the attacker's folder submitted/<name>/cnn_step_by_step/."""
    from course_tools.proof.sample_course import NOTEBOOK

    folder = course.root / "submitted" / attack.name / course.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NOTEBOOK}.ipynb"
    if attack.notebook_bytes is not None:
        path.write_bytes(attack.notebook_bytes)
    else:
        nbformat.write(notebook_for(attack, release, reference, port), str(path))
    for name, target in attack.symlinks.items():
        os.symlink(target, folder / name)
    # on time: 8 hours early; late: `late_days` started days after the due date
    submitted_at = DUE + (timedelta(days=attack.late_days - 1, hours=3) if attack.late_days else timedelta(hours=-8))
    (folder / "timestamp.txt").write_text(submitted_at.strftime(TIMESTAMP_FORMAT))
    if attack.prepare is not None:
        attack.prepare(folder)
    return path


def release_source(release, grade_id):
    from course_tools import notebooks

    return next(cell.source for cell in release.cells if notebooks.grade_id(cell) == grade_id)


# The attack course's cell timeout (the course's nbgrader_config.py says 30 s). Attacks that run into it cost
# a few timeouts each; an honest part 1 notebook's slowest cell takes about 0.3 s.
CELL_TIMEOUT = 10


def write_class(course, attacks, port):
    """The honest pair and every attacker, in a course whose release is generated."""
    from course_tools import notebooks
    from course_tools.proof.sample_course import NOTEBOOK

    course.configure({"Execute.timeout": CELL_TIMEOUT})
    release = notebooks.read(course.release_notebook)
    reference = notebooks.reference_solutions(notebooks.read(course.source_notebook))
    course.set_due_date(DUE)
    for student in HONEST:
        notebooks.write(notebooks.fill(release, reference), course.root, student, course.assignment, NOTEBOOK)
        (course.root / "submitted" / student / course.assignment / "timestamp.txt").write_text(
            (DUE - timedelta(hours=8)).strftime(TIMESTAMP_FORMAT))
    with course.gradebook() as gradebook:
        for student in HONEST:
            gradebook.update_or_create_student(student, email=f"{student}-{GRADEBOOK_SECRET}@example.org")
    for attack in attacks:
        write_submission(course, attack, release, reference, port)


# ------------------------------------------------------------------------ the listener
# A unix socket on the host beside the TCP listener, for attacks that would make the grader connect to a
# path of the host (tests/attacks/socket_swap.py); named after the TCP port, which the attacks know.
UNIX_LISTENER = "/tmp/cnn-attack-listener-{port}/socket"


class Listener:
    """A TCP server on 127.0.0.1, a UDP socket on the same port (a DNS query, say) and a unix socket
    (UNIX_LISTENER), that keep whatever any connection or datagram sends (what was leaked)."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.unix_path = Path(UNIX_LISTENER.format(port=self.port))
        self.unix_path.parent.mkdir(mode=0o700, exist_ok=True)
        self.unix_server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix_server.bind(str(self.unix_path))
        self.unix_server.listen(64)
        self.unix_server.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.udp.bind(("127.0.0.1", self.port))
        except OSError:  # the port is taken for UDP: datagrams are then not counted
            self.udp.close()
            self.udp = None
        self.received = []  # one bytes object per connection or datagram
        self.stopping = False
        self.threads = [threading.Thread(target=self._serve, args=(server,), daemon=True)
                        for server in (self.server, self.unix_server)]
        if self.udp is not None:
            self.udp.settimeout(0.2)
            self.threads.append(threading.Thread(target=self._serve_datagrams, daemon=True))
        for thread in self.threads:
            thread.start()

    def _serve(self, server):
        while not self.stopping:
            try:
                conn, _ = server.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _serve_datagrams(self):
        while not self.stopping:
            try:
                data, _ = self.udp.recvfrom(65536)
            except (socket.timeout, OSError):
                continue
            self.received.append(data)

    def _read(self, conn):
        chunks, size = [], 0
        conn.settimeout(5)
        try:
            while size < 16 * 2 ** 20:
                data = conn.recv(65536)
                if not data:
                    break
                chunks.append(data)
                size += len(data)
        except OSError:
            pass
        finally:
            conn.close()
        self.received.append(b"".join(chunks))

    def close(self):
        self.stopping = True
        for thread in self.threads:
            thread.join(2)
        self.server.close()
        self.unix_server.close()
        if self.udp is not None:
            self.udp.close()
        shutil.rmtree(self.unix_path.parent, ignore_errors=True)


# --------------------------------------------------------------------- the grading run
GRADE_CHILD = """
import dataclasses, json, sys
from pathlib import Path
from course_tools.course import Course
from course_tools.grade import grade_class
from course_tools.report import reports
course = Course(Path(sys.argv[1]))
graded = grade_class.grade_class(course, progress=False)
reports.write_all(course, graded)
Path(sys.argv[2]).write_text(json.dumps([dataclasses.asdict(g) for g in graded]))
# The coordinator's own peak (staging every submission, saving every result, the reports): the workers are apart.
status = Path("/proc/self/status").read_text()
peak = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), None)
Path(sys.argv[2] + ".peak").write_text(json.dumps(peak))
"""


@dataclasses.dataclass
class Run:
    returncode: int  # None when it was stopped after the batch time limit
    seconds: float
    graded: dict  # student -> GradedStudent as a dict (empty when the grader did not finish)
    output: str
    coordinator_peak_mib: float = None  # the grading process's own peak memory (VmHWM), workers apart


def grader_environment(home):
    """The grader's environment: the repo's, with IPython's and Jupyter's per-user folders in `home`.

    Attacks that poison those folders (a startup file, a kernelspec, a config file)
    then poison the test's folders, never the machine's.
    """
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env.update({
        "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local" / "share" / "jupyter" / "runtime"),
        "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "GRADER_API_TOKEN": GRADER_SECRET,
    })
    env.pop("JPY_PARENT_PID", None)
    return env


def run_grader(course, home, limit_seconds):
    """`make grade`'s path (grade_class, then reports.write_all) in a process of its own.

    The grader runs in its own session with the course as its working folder, as
    `make grade` would; an attack that kills it (or its process group) cannot reach the
    test. After `limit_seconds` it is stopped and the run counts as not completed.
    """
    out = home / "grader-result.json"
    log = home / "grader-output.txt"
    started = time.monotonic()
    with open(log, "w") as handle:
        child = subprocess.Popen([sys.executable, "-c", GRADE_CHILD, str(course.root), str(out)], cwd=course.root,
                                 env=grader_environment(home), stdin=subprocess.DEVNULL, stdout=handle,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        try:
            returncode = child.wait(timeout=limit_seconds)
        except subprocess.TimeoutExpired:
            returncode = None
            kill_tree(child.pid)
            child.wait()
    seconds = time.monotonic() - started
    graded = {g["student"]: g for g in json.loads(out.read_text())} if out.exists() else {}
    peak = Path(str(out) + ".peak")
    return Run(returncode, seconds, graded, log.read_text(errors="replace")[-20000:],
               json.loads(peak.read_text()) if peak.exists() else None)


# ----------------------------------------------------------------- processes left over
def processes():
    """{pid: (command line, working folder)} of every process this user can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = ""
        found[int(entry.name)] = (cmdline, cwd)
    return found


def leftovers(course_root):
    """Processes that an attack or a kernel of this course left: they carry a marker or work in the course."""
    root = str(course_root)
    return {pid: info for pid, info in processes().items()
            if pid != os.getpid() and (MARKER_PREFIX in info[0] or info[1] == root or info[1].startswith(root + "/"))}


def kill_tree(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def kill_leftovers(course_root):
    """Kill, by pid, the processes that this run's attacks and kernels left behind."""
    for _ in range(3):
        left = leftovers(course_root)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if not left:
            return
        time.sleep(0.2)


def tmp_markers(name_marker=MARKER_PREFIX):
    return sorted(str(p) for p in Path("/tmp").glob(name_marker + "*"))


def remove_tmp_markers():
    """Delete what attacks left under /tmp (only names that start with the attack marker)."""
    import shutil

    for path in Path("/tmp").glob(MARKER_PREFIX + "*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass


# -------------------------------------------------------------------------- evidence
PRODUCTS = {"gradebook.db", "class_report.html", "autograde.log"}
GRADER_FOLDERS = {"autograded", "feedback", "graded_input", "grades", "similarity"}


def protected_files(course_root, attacker_names):
    """{relative path: sha256} of every file in the course that grading must not change.

    That is everything but the attackers' own submitted folders and what the grader
    writes (autograded/, feedback/, graded_input/, grades/, similarity/, gradebook.db,
    the report and the log), whose contents are checked through the scores and pages instead.
    """
    import hashlib

    root = Path(course_root)
    found = {}
    # Walked top-down, leaving out the attackers' folders before going into them: an attacker's folder may be
    # deeper than a recursive walk can go (tests/attacks_pending/nested_folders.py).
    for folder, dirs, files in os.walk(root):
        here = Path(folder).relative_to(root)
        if here == Path("."):
            dirs[:] = [d for d in dirs if d not in GRADER_FOLDERS]
        elif here == Path("submitted"):
            dirs[:] = [d for d in dirs if d not in attacker_names]
        for name in files:
            path = Path(folder) / name
            relative = path.relative_to(root)
            if (len(relative.parts) == 1 and name in PRODUCTS) or path.is_symlink() or not path.is_file():
                continue
            found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def changed_files(before, after):
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def poisoned_user_files(home):
    """Files an attack planted in the grader's per-user IPython and Jupyter folders."""
    home = Path(home)
    patterns = [".ipython/profile_*/startup/*.py", ".ipython/profile_*/startup/*.ipy", ".jupyter/*.py", ".jupyter/*.json",
                ".local/share/jupyter/kernels/*/kernel.json"]
    return sorted(str(p.relative_to(home)) for pattern in patterns for p in home.glob(pattern))


def secrets(source_nb):
    """{what: strings} that no feedback page, listener or /tmp file may ever hold."""
    shadow = []
    try:
        shadow = [line for line in Path("/etc/shadow").read_text().split("\n") if len(line) > 12][:3]
    except OSError:
        pass
    return {"hidden tests": sorted(hidden_lines(source_nb)), "reference helpers": sorted(literal_lines(source_nb)),
            "gradebook": [GRADEBOOK_SECRET],
            "grader environment": [GRADER_SECRET], "/etc/shadow": shadow}


def leaked_in(text, secret_strings):
    """{what: how many of its strings appear in text}, for those that do."""
    import html

    text = html.unescape(text)
    found = {}
    for what, strings in secret_strings.items():
        count = sum(1 for s in strings if s in text)
        if count:
            found[what] = count
    return found


def feedback_page(course_root, student):
    return Path(course_root) / "feedback" / student / "cnn_step_by_step" / "cnn_step_by_step.html"


def formgrader_page(course_root, student, notebook="cnn_step_by_step"):
    """A student's graded notebook as Formgrader shows it to the instructor (manual grading,
    /formgrader/submissions/<id>): nbconvert's HTMLExporter with the course's nbgrader_config.py and
    Formgrader's own template, as nbgrader's SubmissionHandler renders it."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config.loader import PyFileConfigLoader

    sys.path.insert(0, str(course_root))  # the course's config imports its grading package
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    config.HTMLExporter.template_name = "formgrade"  # as FormgradeExtension.build_extra_config sets them
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    resources = {"assignment_id": notebook, "notebook_id": notebook, "submission_id": "0", "index": 0, "total": 1,
                 "base_url": "", "student": student, "last_name": "", "first_name": "",
                 "notebook_path": f"autograded/{student}/{notebook}/{notebook}.ipynb"}
    path = Path(course_root) / "autograded" / student / notebook / f"{notebook}.ipynb"
    page, _ = HTMLExporter(config=config).from_filename(str(path), resources=resources)
    return page


def active_markup(page, marker):
    """What of the student's, found by its marker, would run in a browser that shows the HTML page: a script
    element, an event-handler attribute, a javascript: link. Escaped text does not count."""
    from html.parser import HTMLParser

    found = []

    class Finder(HTMLParser):
        script = False

        def handle_starttag(self, tag, attrs):
            self.script = tag == "script"
            for name, value in attrs:
                value = value or ""
                if marker in value and (name.startswith("on") or value.strip().lower().startswith("javascript:")):
                    found.append(f"<{tag} {name}>")

        def handle_endtag(self, tag):
            self.script = False

        def handle_data(self, data):
            if self.script and marker in data:
                found.append("<script>")

    Finder(convert_charrefs=True).feed(page)
    return found
