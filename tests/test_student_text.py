"""Student text on the instructor's console and in files (issue 18, class 6): a class with hostile names graded by
`make grade` on one worker, then exported for Canvas and Moodle. Nothing a student named or printed reaches the
console, autograde.log, a CSV cell or an HTML page with a control character, an escape sequence, a line break, a
bidi override or a lone surrogate, and no CSV cell made of student text starts as a formula.

Hostile students, between two honest ones (ada, zed):
- a folder name that erases make grade's line, returns to the line's start, starts a spreadsheet formula and
  forges a "100 ok" line (nbgrader itself cannot grade a student whose name holds a line break: the student is
  "not graded", and says why);
- a folder name that is a spreadsheet formula, with a bidi override and a colour, graded, whose zero_pad raises an error message made of all of
  the above, and HTML, for the feedback page and the class report;
- a notebook handed in under a file name doing the same (a bidi override too), beside a link whose target is an
  OSC 8 hyperlink, and a file whose name is not UTF-8;
- and a roster whose names are formulas (students set their own display names in an LMS).
"""
import csv
import os
import subprocess
import sys
import unicodedata

import pytest

from conftest import NOTEBOOK, REPO, generated_course
from course_tools import notebooks

ERASE = "\x1b[2K\r"
FORGED = "ada            100            4.0 s  ok"
EVIL_FOLDER = f'evil{ERASE}=HYPERLINK("https:evil.example","x")\n{FORGED}'
EVIL_NOTEBOOK = f"x{ERASE}\x1b[1A{FORGED}\r\n\u202ebnypi.ipynb"
LINK_TARGET = "\x1b]8;;https://evil.example/\x07here\x1b]8;;\x07"
NOT_UTF8 = os.fsdecode(b"=bad\xffname.txt")
RAISING_ZERO_PAD = ('def zero_pad(X, pad):\n'
                    '    raise ValueError("\\x1b[2K\\r\\u202e<b>=cmd|calc</b>\\n' + FORGED + '")\n')
HOSTILE_ROSTER = {"first_name": "@SUM(1+1)*cmd|' /C calc'!A0", "last_name": "-2+3\x1b[2K"}
EVIL_SHOWN = 'evil\\x1b[2K\\x0d=HYPERLINK("https:evil.example","x")\\x0a' + FORGED  # as the instructor sees it
HONEST = ("ada", "zed")
RAISER = '@SUM(1+1)*cmd|"calc"!A0\u202e\x1b[31m'  # no "/": a folder's name
RAISER_SHOWN = '@SUM(1+1)*cmd|"calc"!A0\\u202e\\x1b[31m'
HOSTILE = (EVIL_FOLDER, "renamer", RAISER)
# What nobody may see unseen, as grading/text.py defines it; "\n" ends a line in every file checked here.
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, reference_answers):
    """The class, then `make grade` (one worker) as the instructor runs it: (course, its console's bytes)."""
    course = generated_course(tmp_path_factory.mktemp("student-text"))
    release = notebooks.read(course.release_notebook)
    for student in (*HONEST, "renamer"):
        notebooks.write(notebooks.fill(release, reference_answers), course.root, student, course.assignment,
                        NOTEBOOK)
    folder = course.root / "submitted" / "renamer" / course.assignment
    (folder / f"{NOTEBOOK}.ipynb").rename(folder / EVIL_NOTEBOOK)
    os.symlink(LINK_TARGET, folder / "link")
    (folder / NOT_UTF8).write_text("data")
    notebooks.write(notebooks.fill(release, {**reference_answers, "zero_pad": RAISING_ZERO_PAD}), course.root,
                    RAISER, course.assignment, NOTEBOOK)
    notebooks.write(notebooks.fill(release, reference_answers), course.root, EVIL_FOLDER, course.assignment,
                    NOTEBOOK)
    run = subprocess.run([sys.executable, "-m", "course_tools.grade_and_report", "--course", str(course.root), "--workers", "1"],
                         cwd=REPO, capture_output=True, timeout=600)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    return course, run.stdout + run.stderr


def hidden_in(text, allowed="\n"):
    """The characters of `text` a reader would not see as they are."""
    return sorted({c for c in text if c not in allowed and unicodedata.category(c) in HIDDEN})


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:  # strict: a lone surrogate cannot be written
        return list(csv.reader(handle))


def formula_cells(rows):
    """Cells a spreadsheet would read as a formula; a number (a score) is not one."""
    def number(cell):
        try:
            float(cell)
            return True
        except ValueError:
            return False
    return [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@") and not number(cell)]


def test_the_console_shows_every_name_on_one_visible_line(graded):
    _, console = graded
    text = console.decode("utf-8")
    assert hidden_in(text) == []
    assert not any(line.startswith(FORGED) for line in text.split("\n"))
    # Each name escaped, then its score and its problems on the same line.
    assert f"{EVIL_SHOWN}     0" in text and "not graded: Could not match" in text
    assert f"{RAISER_SHOWN}    90" in text
    renamed = next(line for line in text.split("\n") if line.startswith("renamer"))
    assert "renamed notebook: graded x\\x1b[2K\\x0d\\x1b[1A" in renamed and "\\u202ebnypi.ipynb" in renamed
    assert "a symbolic link to \\x1b]8;;https://evil.example/\\x07here" in renamed


def test_autograde_log_holds_one_visible_line_per_record(graded):
    course, _ = graded
    log = (course.root / "autograde.log").read_bytes().decode("utf-8")
    assert hidden_in(log) == []
    assert not any(line.startswith(FORGED) or line.startswith("100 ok") for line in log.split("\n"))


def test_the_grades_csv_holds_no_formula_and_no_hidden_character(graded):
    course, _ = graded
    rows = read_csv(course.root / "grades" / f"{course.assignment}.csv")
    assert [hidden_in(cell, allowed="") for row in rows for cell in row if hidden_in(cell, allowed="")] == []
    assert formula_cells(rows) == []
    students = [row[0] for row in rows[1:]]
    assert students == sorted(["ada", "zed", "renamer", EVIL_SHOWN, "'" + RAISER_SHOWN])  # OWASP's leading '



def test_honest_students_keep_their_rows_and_full_marks(graded):
    course, _ = graded
    rows = {row[0]: row[1:] for row in read_csv(course.root / "grades" / f"{course.assignment}.csv")}
    full = ["10", "10", "20", "20", "20", "5", "5", "10", "100", "0", "100", ""]
    assert rows["ada"] == rows["zed"] == full
    assert rows["renamer"][:-1] == full[:-1]  # graded all the same; only its problems differ
    scores = {s: cells["total"] for s, cells in course.scores().items()}
    assert scores == {"ada": 100, "zed": 100, "renamer": 100, RAISER: 90}


def html_pages(course):
    pages = {"class report": (course.root / "class_report.html").read_text(encoding="utf-8")}
    for student in (*HONEST, *HOSTILE):
        page = course.root / "feedback" / student / course.assignment / f"{NOTEBOOK}.html"
        pages[student] = page.read_text(encoding="utf-8")
    return pages


def test_html_pages_escape_and_show_every_hidden_character(graded):
    course, _ = graded
    for name, page in html_pages(course).items():
        assert hidden_in(page) == [], name
        assert "<b>=cmd" not in page, name
    pages = html_pages(course)
    # The student's own exception, shown as short plain ASCII (class 5): every other character one "?".
    assert "ValueError: ?[2K??&lt;b&gt;=cmd|calc&lt;/b&gt;" in pages[RAISER]
    assert "&lt;b&gt;=cmd|calc&lt;/b&gt;" in pages["class report"]  # its numbers grouped there: \\x#b[#K
    assert "feedback for evil\\x1b[2K\\x0d=HYPERLINK(&quot;https:evil.example&quot;" in pages[EVIL_FOLDER]


@pytest.fixture(scope="module")
def exports(graded):
    """Canvas's and Moodle's files, with the roster's names set by a hostile student for zed."""
    course, _ = graded
    (course.root / "course_tools" / "report").mkdir(parents=True)
    for name in ("__init__.py", "report/__init__.py", "report/lms_export.py"):
        (course.root / "course_tools" / name).write_bytes((REPO / "course_tools" / name).read_bytes())
    with course.gradebook() as gradebook:
        gradebook.update_or_create_student("zed", **HOSTILE_ROSTER)
    found = {}
    for exporter, args in (("CanvasExport", []), ("MoodleExport", ["--MoodleExport.identity=username"])):
        dest = course.root / f"{exporter}.csv"
        course.nbgrader("export", f"--exporter=course_tools.report.lms_export.{exporter}",
                        f"--assignment={course.assignment}", f"--to={dest}", *args)
        found[exporter] = read_csv(dest)
    return found


@pytest.mark.parametrize("exporter", ["CanvasExport", "MoodleExport"])
def test_lms_exports_hold_no_formula_and_no_hidden_character(exports, exporter):
    rows = exports[exporter]
    assert [cell for row in rows for cell in row if hidden_in(cell, allowed="")] == []
    assert formula_cells(rows) == []
    assert len(rows) == 1 + (exporter == "CanvasExport") + 5
    scores = [row[-1] for row in rows[1:] if row[0] != "Points Possible"]
    assert sorted(scores) == ["0.00", "100.00", "100.00", "100.00", "90.00"]
