"""The Canvas and Moodle grade-import files written by `nbgrader export` with course_tools/report/lms_export.py's
plugins, on a course graded by the real `nbgrader autograde`, with its roster imported by
`nbgrader db student import`: ada hands in full marks, ben a broken zero_pad, kim full marks 26 hours late
(two started days: 20 points off by the course's PointsPerDayLate), lou nothing.

Each format test follows a documented example, named here (page title, address):

Canvas (test_canvas_*)
- The columns, their order and what each identity column holds: "Import CSV File for Carmen Grades", Ohio State's
  guide to Canvas's Gradebook import,
  https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
  (Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment, as in Canvas's export), and
  "Detailed Canvas Export Info", https://nemogb-dev.github.io/nemogb-r/articles/detailed-canvas-export-info.html
  (Student as "Last, First"; ID is Canvas's own user id; an assignment's header is its name and its Canvas id in
  brackets, "Quiz 1 (87568490)").
- What the importer does with each row (ID first, then SIS User ID, SIS Login ID, then the name; a "Points
  Possible" row; comma or semicolon; a blank grade is "no score"): Canvas's own importer,
  instructure/canvas-lms app/models/gradebook_importer.rb.
- Why a missing submission is 0, not blank: "Gradebook Action Menu" (VCU's copy of Canvas's export notes),
  https://ts.vcu.edu/askit/teaching-and-learning/canvas/faculty/grading-faculty/gradebook-action-menu-faculty/
  (the current score leaves unsubmitted assignments out; only the final score counts them as zero).

Moodle (test_moodle_*)
- "Grade import", MoodleDocs 3.11, https://docs.moodle.org/311/en/Grade_import: the import reads the format of
  Moodle's CSV export, a header row then one row per user; the user is found by the column chosen as "Map from"
  and the user field chosen as "Map to" (ID number, email address, username); email is compared
  case-sensitively.
- The example file itself, Moodle's own: moodle/moodle grade/import/csv/tests/load_data_test.php ($oktext):
  "First name", "Surname", "ID number", ..., "Email address", then a column per grade item, scores written as
  56.00, a blank score read as no grade; and grade/import/csv/classes/load_data.php (a blank or "-" is no grade;
  a blank identity is skipped, so the row goes to the previous row's user).
"""
import contextlib
import csv
from datetime import timedelta

import pytest

from conftest import NOTEBOOK, REPO, new_course
from course_tools import notebooks
from course_tools.proof.demo_class import DUE, ON_TIME, TIMESTAMP_FORMAT

ASSIGNMENT = NOTEBOOK
BROKEN_ZERO_PAD = "def zero_pad(X, pad):\n    return X\n"  # costs zero_pad's 10 points and nothing else
ROSTER = [  # id, first_name, last_name, email, lms_user_id
    ("ada", "Ada", "Lovelace", "ada@uni.example", "1001"),
    ("ben", "Benoît", "Ñúñez", "Ben.Nunez@uni.example", "1002"),
    ("kim", "Kim", "Park", "kim@uni.example", "1003"),
    ("lou", "Lou", "Zhang", "lou@uni.example", "1004"),
]
EXPECTED = {"ada": "100.00", "ben": "90.00", "kim": "80.00", "lou": "0.00"}


@pytest.fixture(scope="module")
def course(tmp_path_factory, reference_answers):
    course = new_course(tmp_path_factory.mktemp("lms-export"))
    # The plugins sit in the course folder, as in this repository; nbgrader imports them from there.
    (course.root / "course_tools" / "report").mkdir(parents=True)
    for name in ("__init__.py", "report/__init__.py", "report/lms_export.py"):
        (course.root / "course_tools" / name).write_bytes((REPO / "course_tools" / name).read_bytes())
    course.generate()
    course.nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE:%Y-%m-%d %H:%M:%S} UTC")
    with open(course.root / "roster.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("id", "first_name", "last_name", "email", "lms_user_id"), *ROSTER])
    course.nbgrader("db", "student", "import", "roster.csv")
    release = notebooks.read(course.release_notebook)
    handed_in = {"ada": (reference_answers, ON_TIME),
                 "ben": ({**reference_answers, "zero_pad": BROKEN_ZERO_PAD}, ON_TIME),
                 "kim": (reference_answers, DUE + timedelta(hours=26))}
    for student, (answers, when) in handed_in.items():
        path = notebooks.write(notebooks.fill(release, answers), course.root, student, ASSIGNMENT, NOTEBOOK)
        (path.parent / "timestamp.txt").write_text(when.strftime(TIMESTAMP_FORMAT))
    course.autograde()
    return course


def export(course, exporter, *args, name=None, check=True):
    """Run `nbgrader export` with one of the plugins; (the finished process, the file it was told to write)."""
    dest = course.root / "exports" / f"{name or exporter}.csv"
    result = course.nbgrader("export", f"--exporter=course_tools.report.lms_export.{exporter}",
                             f"--assignment={ASSIGNMENT}", f"--to={dest}", *args, check=check)
    return result, dest


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@contextlib.contextmanager
def config_lines(course, *lines):
    """Lines added to the end of the course's nbgrader_config.py for the block's duration."""
    path = course.root / "nbgrader_config.py"
    before = path.read_text()
    path.write_text(before + "\n" + "\n".join(lines) + "\n")
    try:
        yield
    finally:
        path.write_text(before)


@contextlib.contextmanager
def extra_student(course, student_id, **fields):
    """A student in the gradebook for the block's duration (added as autograde adds one: no roster fields)."""
    with course.gradebook() as gradebook:
        gradebook.update_or_create_student(student_id, **fields)
    try:
        yield
    finally:
        with course.gradebook() as gradebook:
            gradebook.remove_student(student_id)


@pytest.fixture(scope="module")
def files(course):
    """Each exporter's file with the course's settings."""
    return {exporter: export(course, exporter)[1] for exporter in ("CanvasExport", "MoodleExport")}


@pytest.fixture(scope="module")
def canvas(files):
    return read_rows(files["CanvasExport"])


@pytest.fixture(scope="module")
def moodle(files):
    return read_rows(files["MoodleExport"])


def by_column(rows, column):
    """{value in `column`: the row as {header: cell}} for the student rows."""
    header = rows[0]
    students = [row for row in rows[1:] if row[0] != "Points Possible"]
    return {row[header.index(column)]: dict(zip(header, row)) for row in students}


# ------------------------------------------------------------------------------------------------- Canvas

def test_canvas_header_is_the_student_columns_of_canvas_export_then_the_assignment(canvas):
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]


def test_canvas_second_row_gives_the_points_possible(course, canvas):
    assert canvas[1] == ["Points Possible", "", "", "", "", "100.00"]
    assert course.max_scores()["total"] == 100


def test_canvas_identifies_each_student_by_canvas_id_and_sis_login(canvas):
    rows = by_column(canvas, "SIS Login ID")
    assert sorted(rows) == ["ada", "ben", "kim", "lou"]
    for student_id, first, last, _, lms_user_id in ROSTER:
        row = rows[student_id]
        assert (row["Student"], row["ID"], row["SIS User ID"], row["Section"]) == (f"{last}, {first}", lms_user_id,
                                                                                  "", "")


def test_canvas_scores_have_the_late_penalty_taken_off(course, canvas):
    # The gradebook keeps kim's raw score and penalty apart; the file must hold their difference.
    assert course.scores()["kim"]["total"] == 100
    assert course.late_penalties() == {"ada": 0, "ben": 0, "kim": 20}
    assert {sid: row[ASSIGNMENT] for sid, row in by_column(canvas, "SIS Login ID").items()} == EXPECTED


def test_canvas_no_submission_is_zero_by_default(course, canvas):
    assert "lou" not in course.scores()
    assert by_column(canvas, "SIS Login ID")["lou"][ASSIGNMENT] == "0.00"


def test_canvas_no_submission_is_blank_when_the_course_says_so(course):
    with config_lines(course, 'c.LmsExport.no_submission = "blank"'):
        rows = read_rows(export(course, "CanvasExport", name="canvas-blank")[1])
    scores = {sid: row[ASSIGNMENT] for sid, row in by_column(rows, "SIS Login ID").items()}
    assert scores == {**EXPECTED, "lou": ""}


def test_canvas_assignment_header_comes_from_nbgrader_config(course):
    header = "Part 1: CNN, step by step (12345)"
    with config_lines(course, f'c.CanvasExport.assignment_columns = {{"{ASSIGNMENT}": "{header}"}}'):
        rows = read_rows(export(course, "CanvasExport", name="canvas-column")[1])
    assert rows[0][5:] == [header]
    assert by_column(rows, "SIS Login ID")["kim"][header] == "80.00"


def test_canvas_identity_columns_come_from_the_command_line(course):
    _, dest = export(course, "CanvasExport", "--CanvasExport.sis_user_id_field=lms_user_id",
                     "--CanvasExport.sis_login_id_field=email", "--CanvasExport.id_field=", name="canvas-sis")
    rows = by_column(read_rows(dest), "SIS Login ID")
    assert {login: (row["ID"], row["SIS User ID"]) for login, row in rows.items()} == {
        email: ("", lms_user_id) for _, _, _, email, lms_user_id in ROSTER}


def test_canvas_refuses_a_student_it_could_match_by_name_only(course):
    # zed was added by autograde, not by the roster: no lms_user_id, no email.
    with extra_student(course, "zed", first_name="Zed", last_name="Unknown"):
        result, dest = export(course, "CanvasExport", "--CanvasExport.sis_login_id_field=email",
                              name="canvas-unidentified", check=False)
    assert result.returncode == 1
    assert "by name only: zed." in result.stderr
    assert not dest.exists()


def test_canvas_refuses_an_id_that_is_not_a_canvas_user_id(course):
    with extra_student(course, "zed", lms_user_id="zed@uni"):
        result, dest = export(course, "CanvasExport", name="canvas-not-numeric", check=False)
    assert result.returncode == 1
    assert "zed (zed@uni)" in result.stderr
    assert not dest.exists()


# ------------------------------------------------------------------------------------------------- Moodle

def test_moodle_header_is_names_then_the_identity_then_the_grade_item(moodle):
    assert moodle[0] == ["First name", "Last name", "Email address", ASSIGNMENT]


def test_moodle_identifies_each_student_by_email_as_the_roster_spells_it(moodle):
    rows = by_column(moodle, "Email address")
    assert {email: (row["First name"], row["Last name"]) for email, row in rows.items()} == {
        email: (first, last) for _, first, last, email, _ in ROSTER}


def test_moodle_scores_have_the_late_penalty_taken_off_and_zero_for_no_submission(moodle):
    emails = {email: student_id for student_id, _, _, email, _ in ROSTER}
    assert {emails[email]: row[ASSIGNMENT] for email, row in by_column(moodle, "Email address").items()} == EXPECTED


def test_moodle_identity_is_the_id_number_when_the_course_says_so(course):
    _, dest = export(course, "MoodleExport", "--MoodleExport.identity=idnumber", name="moodle-idnumber")
    rows = read_rows(dest)
    assert rows[0] == ["First name", "Last name", "ID number", ASSIGNMENT]
    assert {row[2]: row[3] for row in rows[1:]} == {lms: EXPECTED[sid] for sid, _, _, _, lms in ROSTER}


def test_moodle_grade_item_name_comes_from_nbgrader_config(course):
    with config_lines(course, f'c.MoodleExport.grade_items = {{"{ASSIGNMENT}": "CNN step by step"}}'):
        rows = read_rows(export(course, "MoodleExport", name="moodle-item")[1])
    assert rows[0] == ["First name", "Last name", "Email address", "CNN step by step"]


def test_moodle_refuses_a_student_without_the_identity(course):
    # Moodle would file a row with a blank identity under the previous row's student.
    with extra_student(course, "zed", first_name="Zed", last_name="Unknown"):
        result, dest = export(course, "MoodleExport", name="moodle-unidentified", check=False)
    assert result.returncode == 1
    assert "no email in the gradebook" in result.stderr and ": zed." in result.stderr
    assert not dest.exists()


# ------------------------------------------------------------------------------------------------- both

# ada's line as each LMS's own export would write it: only a cell holding a comma is quoted.
ADA_LINE = {"CanvasExport": '"Lovelace, Ada",1001,,ada,,100.00', "MoodleExport": "Ada,Lovelace,ada@uni.example,100.00"}


@pytest.mark.parametrize("exporter", ADA_LINE)
def test_the_file_is_utf8_without_bom_comma_separated_quoted_only_where_needed(files, exporter):
    raw = files[exporter].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    assert "Benoît" in text and "Ñúñez" in text
    assert ADA_LINE[exporter] in text.split("\n")


def test_an_unknown_assignment_is_refused(course):
    result = course.nbgrader("export", "--exporter=course_tools.report.lms_export.CanvasExport", "--assignment=cnn_step",
                             f"--to={course.root / 'exports' / 'unknown.csv'}", check=False)
    assert result.returncode == 1
    assert f"No assignment named cnn_step in the gradebook (it has: {ASSIGNMENT})" in result.stderr
