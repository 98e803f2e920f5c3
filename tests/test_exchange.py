"""nbgrader's exchange, end to end, with real Unix accounts: release, fetch, submit, collect, grade, feedback.

As root, the test creates an instructor and three students (useradd, fresh names per run, removed with their
homes afterwards, also when a test fails), an exchange root in a temporary folder (mode 1777: world-writable
with the sticky bit) and a course folder in the instructor's home. Each nbgrader command runs as its user
(setpriv), from a virtual environment of Debian's Python that everyone can read
(test_ordinary_user.user_venv: the repo's venv lives under /root):

    instructor  generate_assignment, release_assignment
    students    fetch_assignment, fill in the notebook, submit (cy twice, the second time after the due date)
    instructor  collect, `python -m course_tools.grade_and_report` (make grade's pipeline, sandboxed), release_feedback
    students    fetch_feedback

Each user's ~/.jupyter/nbgrader_config.py holds the site's settings (the exchange root, and for students the
course id), as an administrator's /etc/jupyter/nbgrader_config.py would: students never read the course's
nbgrader_config.py. The homes are made private (0700) after useradd, which makes them 0755 on Debian
(/etc/login.defs: UMASK 022, no HOME_MODE); with 0755 the exchange's secrets leak
(test_with_homes_readable_by_others_a_student_reads_anothers_feedback).
"""
import csv
import html
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc

from conftest import REPO, hidden_lines, marked_lines, new_course
from course_tools import notebooks
from course_tools.course import Course
from course_tools.proof.sample_course import NOTEBOOK
from test_ordinary_user import user_venv

ASSIGNMENT = NOTEBOOK  # part 1, cnn_step_by_step
NOT_ROOT = ("tests/test_exchange.py NOT RUN: it must run as root, to create Unix accounts with useradd and to run "
            "each nbgrader command as its own user (CI runs as root)")
if os.geteuid() != 0:
    warnings.warn(NOT_ROOT)
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason=NOT_ROOT)

UNANSWERED_BY_BEN = ["conv_forward", "pool_backward"]  # 20 + 10 points
CACHE = ".local/share/jupyter/nbgrader_cache"  # nbgrader's Exchange.cache, under each student's home

# Run as one user against another's files: each probe is ("list", folder) or ("read", file); the answer is the
# folder's names or the file's text, or the error's name.
PROBE = """
import json, os, sys
found = {}
for kind, path in json.loads(sys.argv[1]):
    try:
        if kind == "list":
            found[path] = sorted(os.listdir(path))
        else:
            with open(path, "rb") as handle:
                found[path] = handle.read().decode("utf-8", "replace")
    except OSError as error:
        found[path] = type(error).__name__
print(json.dumps(found))
"""

# Run as one student, knowing only another's home (in /etc/passwd) and the exchange's layout. nbgrader names a
# released feedback page md5(submission secret + notebook name) and keeps the secret in the submitter's cache.
FEEDBACK_THROUGH_THE_CACHE = """
import glob, hashlib, json, sys
victim_home, cache, feedback_folder, notebook = sys.argv[1:]
stolen = {}
for secret_file in glob.glob(f"{victim_home}/{cache}/*/*/submission_secret.txt"):
    page = hashlib.md5(open(secret_file).read().encode() + notebook.encode()).hexdigest()
    try:
        stolen[secret_file] = open(f"{feedback_folder}/{page}.html").read()
    except OSError as error:
        stolen[secret_file] = type(error).__name__
print(json.dumps(stolen))
"""


@dataclass
class Account:
    name: str
    uid: int
    gid: int
    home: Path


def create_account(name):
    subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/usr/sbin/nologin", name],
                   check=True, capture_output=True, text=True)
    entry = pwd.getpwnam(name)
    account = Account(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))
    account.home.chmod(0o700)  # see the module's docstring
    return account


def running_processes(account):
    listed = subprocess.run(["ps", "-u", str(account.uid), "-o", "pid=,stat="], capture_output=True, text=True)
    return [int(line.split()[0]) for line in listed.stdout.splitlines() if line.split()[1][0] != "Z"]


def remove_account(account):
    """userdel refuses while the user runs a process: end this run's leftovers first, by pid."""
    for pid in running_processes(account):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    subprocess.run(["userdel", "--remove", account.name], capture_output=True, text=True)


def chown_tree(path, account):
    for entry in [path, *Path(path).rglob("*")]:
        os.chown(entry, account.uid, account.gid, follow_symlinks=False)


@dataclass
class Site:
    venv: Path
    exchange: Path
    course_id: str
    times: list = field(default_factory=list)

    def run(self, account, *command, cwd=None, check=True):
        """`python *command` as `account`, as after a login: its HOME and name, Debian's umask 022, no root groups."""
        env = {"HOME": str(account.home), "USER": account.name, "LOGNAME": account.name, "LANG": "C.UTF-8",
               "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin"}
        started = time.monotonic()
        result = subprocess.run(["setpriv", f"--reuid={account.uid}", f"--regid={account.gid}", "--init-groups",
                                 str(self.venv / "bin" / "python"), *command],
                                cwd=cwd or account.home, env=env, capture_output=True, text=True, timeout=900,
                                umask=0o022)
        self.times.append((account.name, " ".join(command[:3]), round(time.monotonic() - started, 1)))
        if check and result.returncode != 0:  # not an AssertionError: the xfail tests expect only their own
            raise RuntimeError(f"{account.name}: {command} failed\n{result.stdout}\n{result.stderr}")
        return result

    def nbgrader(self, account, *args, cwd=None, check=True):
        return self.run(account, "-m", "nbgrader", *args, cwd=cwd, check=check)

    def each(self, accounts, *args):
        """The same nbgrader command run by each of `accounts` at once, as a class does."""
        with ThreadPoolExecutor(len(accounts)) as pool:
            list(pool.map(lambda account: self.nbgrader(account, *args), accounts))

    def probe(self, account, probes):
        return json.loads(self.run(account, "-c", PROBE, json.dumps(probes)).stdout)

    @property
    def inbound(self):
        return self.exchange / self.course_id / "inbound"

    @property
    def released_feedback(self):
        return self.exchange / self.course_id / "feedback"


@dataclass
class RoundTrip:
    site: Site
    instructor: Account
    students: dict  # {"ada": Account, ...}
    course: Course
    due: str  # the due date, as set with `nbgrader db assignment add --duedate`
    grading: subprocess.CompletedProcess = None
    first_release_feedback: subprocess.CompletedProcess = None

    def cached(self, short):
        """The student's submissions as nbgrader's cache keeps them (student+assignment+timestamp), oldest first."""
        folder = self.students[short].home / CACHE / self.site.course_id
        return sorted(folder.iterdir(), key=lambda path: parse_utc(path.name.split("+")[2]))

    def submitted(self, short):
        return self.course.root / "submitted" / self.students[short].name / ASSIGNMENT

    def fetched_feedback(self, short):
        return self.students[short].home / ASSIGNMENT / "feedback"


def write_site_config(account, settings):
    folder = account.home / ".jupyter"
    folder.mkdir()
    lines = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    (folder / "nbgrader_config.py").write_text("c = get_config()\n" + lines)
    chown_tree(folder, account)


def fill_in(student, answers, release_nb):
    """What the student does in JupyterLab: the answers written into the fetched notebook, saved."""
    path = student.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nbformat.write(notebooks.fill(release_nb, answers), str(path))
    os.chown(path, student.uid, student.gid)


@pytest.fixture(scope="module")
def round_trip(reference_answers):
    venv = user_venv()
    tag = secrets.token_hex(3)
    folder = Path(tempfile.mkdtemp(prefix="cnn-exchange-"))
    folder.chmod(0o755)
    exchange = folder / "exchange"
    exchange.mkdir()
    exchange.chmod(0o1777)
    accounts = []
    try:
        for role in ("teach", "ada", "ben", "cy"):
            accounts.append(create_account(f"nbx{tag}-{role}"))
        instructor, *students = accounts
        yield run_round_trip(venv, exchange, instructor, dict(zip(("ada", "ben", "cy"), students)), reference_answers)
    finally:
        for account in accounts:
            remove_account(account)
        shutil.rmtree(folder, ignore_errors=True)


def run_round_trip(venv, exchange, instructor, students, reference_answers):
    started = time.monotonic()
    (instructor.home / "course").mkdir()
    course = new_course(instructor.home / "course")
    shutil.copytree(REPO / "course_tools", course.root / "course_tools", ignore=shutil.ignore_patterns("__pycache__"))
    chown_tree(course.root, instructor)
    site = Site(venv, exchange, course.course_id)
    write_site_config(instructor, {"c.Exchange.root": str(exchange)})
    for student in students.values():
        write_site_config(student, {"c.Exchange.root": str(exchange), "c.CourseDirectory.course_id": site.course_id})

    site.nbgrader(instructor, "generate_assignment", ASSIGNMENT, cwd=course.root)
    site.nbgrader(instructor, "release_assignment", ASSIGNMENT, cwd=course.root)
    site.each(list(students.values()), "fetch_assignment", ASSIGNMENT)
    release_nb = notebooks.read(course.release_notebook)

    answers = {"ada": reference_answers,
               "ben": {name: code for name, code in reference_answers.items() if name not in UNANSWERED_BY_BEN},
               "cy": {"zero_pad": reference_answers["zero_pad"]}}
    for short, student in students.items():
        fill_in(student, answers[short], release_nb)
    site.each(list(students.values()), "submit", ASSIGNMENT)
    # The due date falls between cy's two submissions: her second is a few seconds late.
    due = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    site.nbgrader(instructor, "db", "assignment", "add", ASSIGNMENT, f"--duedate={due}", cwd=course.root)
    fill_in(students["cy"], reference_answers, release_nb)
    site.nbgrader(students["cy"], "submit", ASSIGNMENT)

    site.nbgrader(instructor, "collect", ASSIGNMENT, cwd=course.root)
    trip = RoundTrip(site, instructor, students, course, due)
    trip.grading = site.run(instructor, "-m", "course_tools.grade_and_report", cwd=course.root)
    # make grade's pages go out as they are: beside each, the two files release_feedback reads.
    trip.first_release_feedback = site.nbgrader(instructor, "release_feedback", ASSIGNMENT, cwd=course.root,
                                                check=False)
    site.each(list(students.values()), "fetch_feedback", ASSIGNMENT)
    print("\n".join(f"{seconds:6.1f} s  {who}: {what}" for who, what, seconds in site.times))
    print(f"the round trip: {time.monotonic() - started:.0f} s")
    return trip


def test_collect_takes_each_students_latest_submission_with_its_timestamp(round_trip):
    trip = round_trip
    for short in trip.students:
        latest = trip.cached(short)[-1]
        submitted = trip.submitted(short)
        assert {p.name for p in submitted.iterdir()} == {f"{NOTEBOOK}.ipynb", "images", "timestamp.txt",
                                                         "submission_secret.txt"}
        assert (submitted / f"{NOTEBOOK}.ipynb").read_bytes() == (latest / f"{NOTEBOOK}.ipynb").read_bytes()
        assert (submitted / "timestamp.txt").read_text() == latest.name.split("+")[2]
    assert len(trip.cached("cy")) == 2


def test_the_gradebook_and_the_grades_csv_hold_each_students_score(round_trip):
    trip = round_trip
    students = {account.name: short for short, account in trip.students.items()}
    totals = {students[name]: scores["total"] for name, scores in trip.course.scores().items()}
    assert totals == {"ada": 100, "ben": 70, "cy": 100}  # nbgrader's score, before the late penalty
    with open(trip.course.root / "grades" / f"{ASSIGNMENT}.csv", newline="") as handle:
        rows = {students[row["student"]]: row for row in csv.DictReader(handle)}
    assert {short: (row["raw_score"], row["late_penalty"], row["score"]) for short, row in rows.items()} == \
        {"ada": ("100", "0", "100"), "ben": ("70", "0", "70"), "cy": ("100", "10", "90")}
    assert [rows["ben"][name] for name in UNANSWERED_BY_BEN] == ["0", "0"]


def test_the_late_penalty_counts_from_the_exchanges_timestamp(round_trip):
    """10 points per started day (nbgrader_config.py's PointsPerDayLate): cy's second submission is seconds late."""
    trip = round_trip
    stamps = {short: parse_utc((trip.submitted(short) / "timestamp.txt").read_text()) for short in trip.students}
    due = parse_utc(trip.due)
    assert stamps["ada"] <= due and stamps["ben"] <= due
    assert parse_utc(trip.cached("cy")[0].name.split("+")[2]) <= due < stamps["cy"]
    with trip.course.gradebook() as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == due
        saved = {short: gradebook.find_submission(ASSIGNMENT, account.name) for short, account in trip.students.items()}
        assert {short: s.timestamp for short, s in saved.items()} == stamps
        assert {short: s.late_submission_penalty for short, s in saved.items()} == {"ada": 0, "ben": 0, "cy": 10}
    cy_line = next(line for line in trip.grading.stdout.splitlines() if line.startswith(trip.students["cy"].name))
    assert "10 points off" in cy_line


def test_make_grades_feedback_pages_are_released_as_they_are(round_trip):
    """nbgrader's release_feedback opens timestamp.txt and submission_secret.txt beside each page (FileNotFoundError
    without them): course_tools/report/reports.py's write_feedback copies them from the graded submission, as nbgrader's
    generate_feedback does."""
    trip = round_trip
    assert trip.first_release_feedback.returncode == 0, trip.first_release_feedback.stderr[-600:]


def test_each_student_fetches_their_own_feedback_only(round_trip):
    trip = round_trip
    for short, account in trip.students.items():
        folders = list(trip.fetched_feedback(short).iterdir())
        # One page, for the submission that was graded: cy's first submission has none.
        assert [f.name for f in folders] == [trip.cached(short)[-1].name.split("+")[2]]
        assert [p.name for p in folders[0].iterdir()] == [f"{NOTEBOOK}.html"]
        page = (folders[0] / f"{NOTEBOOK}.html").read_text()
        assert page == (trip.course.root / "feedback" / account.name / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
        assert f"feedback for {account.name}<" in page
        assert not [other.name for other in trip.students.values() if other is not account and other.name in page]


def solution_lines(source_nb):
    return marked_lines(source_nb, "SOLUTION")


def test_no_fetched_feedback_page_holds_a_hidden_test_or_a_solution_line(round_trip, source_nb):
    """The page's text with its tags taken out: a page with highlighted code splits lines into tags (on nbgrader's
    generate_feedback page of a reference submission, 57 of the 388 hidden lines show in the HTML, 388 in its text)."""
    trip = round_trip
    secret = hidden_lines(source_nb) | solution_lines(source_nb)
    assert len(hidden_lines(source_nb)) > 100 and len(solution_lines(source_nb)) > 20
    pages = [page for short in trip.students for page in trip.fetched_feedback(short).rglob("*.html")]
    assert len(pages) == len(trip.students)
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        assert [line for line in secret if line in text] == [], page


def test_a_student_can_list_neither_the_inbound_nor_the_feedback_folder(round_trip):
    trip = round_trip
    site = trip.site
    found = site.probe(trip.students["ben"], [("list", str(site.inbound)), ("list", str(site.released_feedback))])
    assert found == {str(site.inbound): "PermissionError", str(site.released_feedback): "PermissionError"}


def test_the_exchange_keeps_nbgraders_modes(round_trip):
    """What the two tests around this one rely on. Each submission folder is 0777 with its files 0644, and each
    released page 0644: anyone who knows a name can read it. The names are secret: inbound (2733) and feedback
    (0711) cannot be listed by students, a submission's name ends in 72 random bits, and a page is named
    md5(a 512-bit secret + the notebook's name), the secret kept in the submission and the submitter's cache."""
    trip = round_trip
    site = trip.site
    mode = lambda path: oct(path.stat().st_mode & 0o7777)  # noqa: E731
    assert (mode(site.exchange), mode(site.inbound), mode(site.released_feedback)) == ("0o1777", "0o2733", "0o711")
    assert {mode(p) for p in site.inbound.iterdir()} == {"0o777"}
    assert {mode(p) for p in site.inbound.glob("*/*") if p.is_file()} == {"0o644"}
    assert {mode(p) for p in site.released_feedback.iterdir()} == {"0o644"}


def test_a_student_finds_nothing_of_anothers_submission_or_feedback(round_trip):
    """Everything from which ben could learn a name in the exchange, or read ada's work, denied: her home (her cache
    holds her submission secret, her folder her notebook and fetched feedback) and the instructor's course."""
    trip = round_trip
    ada, ben = trip.students["ada"], trip.students["ben"]
    course = trip.course.root
    secret_file = trip.cached("ada")[-1] / "submission_secret.txt"
    probes = [("list", str(ada.home)), ("list", str(ada.home / CACHE)), ("read", str(secret_file)),
              ("read", str(ada.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb")),
              *[("read", str(page)) for page in trip.fetched_feedback("ada").rglob("*.html")],
              ("list", str(course)), ("read", str(course / "gradebook.db")),
              ("read", str(trip.course.source_notebook)), ("read", str(trip.submitted("ada") / f"{NOTEBOOK}.ipynb"))]
    found = trip.site.probe(ben, probes)
    assert found == {path: "PermissionError" for _, path in probes}
    stolen = trip.site.run(ben, "-c", FEEDBACK_THROUGH_THE_CACHE, str(ada.home), CACHE,
                           str(trip.site.released_feedback), NOTEBOOK)
    assert json.loads(stolen.stdout) == {}


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="nbgrader keeps a student's submission secret, "
                   "which names their released feedback page, in ~/.local/share/jupyter/nbgrader_cache, created "
                   "with the user's umask: where homes are readable by others (Debian's useradd makes them 0755), "
                   "another student reads the secret and opens the page in the exchange. No nbgrader setting "
                   "prevents it (students do not read the course's config); private homes (HOME_MODE 0700) do")
def test_with_homes_readable_by_others_a_student_reads_anothers_feedback(round_trip):
    trip = round_trip
    ada, ben = trip.students["ada"], trip.students["ben"]
    ada.home.chmod(0o755)
    try:
        stolen = json.loads(trip.site.run(ben, "-c", FEEDBACK_THROUGH_THE_CACHE, str(ada.home), CACHE,
                                          str(trip.site.released_feedback), NOTEBOOK).stdout)
    finally:
        ada.home.chmod(0o700)
    assert not [page for page in stolen.values() if f"feedback for {ada.name}<" in page]


def test_nothing_of_the_accounts_is_left_running(round_trip):
    """make grade's workers and sandboxed kernels run as the instructor: all gone once it returned."""
    assert {account.name: running_processes(account)
            for account in [round_trip.instructor, *round_trip.students.values()]} == \
        {account.name: [] for account in [round_trip.instructor, *round_trip.students.values()]}


BACKDATED = """
import os, shutil, sys
inbound, name, assignment, claimed, work = sys.argv[1:]
folder = os.path.join(inbound, f"{name}+{assignment}+{claimed}+backdated")
os.mkdir(folder)
shutil.copy(work, os.path.join(folder, assignment + ".ipynb"))
with open(os.path.join(folder, "timestamp.txt"), "w") as handle:
    handle.write(claimed)
"""


def test_a_submission_made_after_the_due_date_cannot_claim_an_earlier_time(round_trip):
    """After the due date ben makes an inbound folder by hand, named and stamped a moment after his own on-time
    submission: nbgrader's collect takes it as his newest and keeps its timestamp.txt, so no late penalty. The
    course's collect keeps the time the folder was made."""
    trip = round_trip
    ben = trip.students["ben"]
    submitted = parse_utc(trip.cached("ben")[-1].name.split("+")[2])
    claimed = submitted + (parse_utc(trip.due) - submitted) / 2  # between his submission and the due date
    claimed = claimed.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    assert parse_utc(claimed) <= parse_utc(trip.due) < datetime.now(timezone.utc).replace(tzinfo=None)
    # A tolerance of 10 s, and the folder made at least 15 s after the time it claims.
    time.sleep(max(0.0, 15 - (datetime.now(timezone.utc).replace(tzinfo=None) - parse_utc(claimed)).total_seconds()))
    trip.site.run(ben, "-c", BACKDATED, str(trip.site.inbound), ben.name, ASSIGNMENT, claimed,
                  str(ben.home / ASSIGNMENT / f"{NOTEBOOK}.ipynb"))
    collected = trip.site.nbgrader(trip.instructor, "collect", "--update", ASSIGNMENT,
                                   "--CollectOwnSubmissionsOnly.backdating_tolerance=10", cwd=trip.course.root)
    stamp = parse_utc((trip.submitted("ben") / "timestamp.txt").read_text())
    assert (trip.submitted("ben") / f"{NOTEBOOK}.ipynb").exists()
    assert stamp > parse_utc(trip.due), collected.stdout + collected.stderr
    assert "but the folder was last changed at" in collected.stdout + collected.stderr


JUNK_IN_THE_INBOUND = """
import os, sys
from datetime import datetime, timedelta, timezone
inbound, name, assignment, target = sys.argv[1:]
def stamp(seconds):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
linked = os.path.join(inbound, f"{name}+{assignment}+{stamp(1)}+links")
os.mkdir(linked)
os.symlink(target, os.path.join(linked, assignment + ".ipynb"))  # the course's own source notebook
os.mkfifo(os.path.join(linked, "pipe"))  # a copy that opens it waits for ever
with open(os.path.join(linked, "timestamp.txt"), "w") as handle:
    handle.write(stamp(1))
os.mkdir(os.path.join(inbound, f"{name}+{assignment}+not a time\\x1b[2K\\r\\n100 ok+x"))  # nbgrader's parser raises
# Named for a student who is not ben, and made to rewrite the instructor's terminal line.
os.mkdir(os.path.join(inbound, f"evil\\x1b[2K\\r\\u202e+{assignment}+{stamp(3)}+x"))
open(os.path.join(inbound, f"{name}+{assignment}+{stamp(2)}+file"), "w").close()  # a file, newest of all
"""


def test_nothing_a_student_puts_in_the_inbound_stops_collect_or_reaches_the_course(round_trip):
    """ben writes into the inbound by hand: a folder of his own whose notebook is a link to the course's source
    notebook (readable by the instructor who collects, not by ben) with a FIFO beside it, a folder whose name is no
    submission's, and a plain file named as the newest submission. ada then hands in again. nbgrader's own collect
    stops at the name (ParserError) and would copy the source notebook through the link; the course's collects
    ada's new work and none of ben's links."""
    trip = round_trip
    ada, ben = trip.students["ada"], trip.students["ben"]
    trip.site.run(ben, "-c", JUNK_IN_THE_INBOUND, str(trip.site.inbound), ben.name, ASSIGNMENT,
                  str(trip.course.source_notebook))
    fill_in(ada, {"zero_pad": "def zero_pad(X, pad):\n    return X  # ada's second thoughts\n"},
            notebooks.read(trip.course.release_notebook))
    trip.site.nbgrader(ada, "submit", ASSIGNMENT)
    collected = trip.site.nbgrader(trip.instructor, "collect", "--update", ASSIGNMENT, cwd=trip.course.root)
    said = collected.stdout + collected.stderr
    assert "ada's second thoughts" in (trip.submitted("ada") / f"{NOTEBOOK}.ipynb").read_text(), said
    assert not (trip.submitted("ben") / f"{NOTEBOOK}.ipynb").exists(), said
    assert not (trip.submitted("ben") / "pipe").exists()
    assert "a symbolic link to" in said and "is not named as a submission" in said and "is not a folder" in said
    # The folders' names reach the instructor's terminal escaped (grading/text.py), nbgrader's messages too.
    assert [c for c in said if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")] == [], said
    assert "not a time\\x1b[2K\\x0d\\x0a100 ok" in said and "named for evil\\x1b[2K\\x0d\\u202e" in said


def test_a_student_cannot_hand_in_under_anothers_name(round_trip):
    """ben runs `nbgrader submit --student=<ada>`: a folder named for ada, owned by ben, newer than ada's own.
    nbgrader's own collect (a folder with a config naming only the course) takes it as ada's; the course's
    (grading/owned_collect.py, selected in nbgrader_config.py) leaves it and keeps ada's own.
    Last: it leaves ben's forged folder in the inbound."""
    trip = round_trip
    ada, ben = trip.students["ada"], trip.students["ben"]
    trip.site.nbgrader(ben, "submit", ASSIGNMENT, f"--student={ada.name}")
    adas_own = (trip.cached("ada")[-1] / f"{NOTEBOOK}.ipynb").read_bytes()

    plain = trip.instructor.home / "plain-nbgrader"
    plain.mkdir()
    (plain / "nbgrader_config.py").write_text(f"c = get_config()\n"
                                              f"c.CourseDirectory.course_id = {trip.site.course_id!r}\n")
    chown_tree(plain, trip.instructor)
    trip.site.nbgrader(trip.instructor, "collect", ASSIGNMENT, f"--student={ada.name}", cwd=plain)
    assert (plain / "submitted" / ada.name / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_bytes() != adas_own

    # --update: a newer folder would replace the collected one, as the forged one is newer than ada's own.
    collected = trip.site.nbgrader(trip.instructor, "collect", "--update", ASSIGNMENT, cwd=trip.course.root)
    assert (trip.submitted("ada") / f"{NOTEBOOK}.ipynb").read_bytes() == adas_own
    assert f"is named for {ada.name} but owned by {ben.name}" in collected.stdout + collected.stderr
