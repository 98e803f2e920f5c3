"""A course of two assignments: `make release`, then `make grade` grading both, with a CSV and feedback per
assignment and one class report; a student who handed in only one of them.

The second assignment is part 1's source notebook under another name, without pool_backward, so that
its graded parts differ from part 1's.
"""
import contextlib
import csv
import io
import re
import shutil

import nbformat
import pytest

from conftest import GRADED_FUNCTIONS, NOTEBOOK, REPO, generated_course, new_course
from course_tools import grade_and_report, notebooks
from course_tools.course import Course
from course_tools.grade import grade_class
from course_tools.release import release_assignments

SECOND = "second"
LEFT_OUT = "pool_backward"
BROKEN_ZERO_PAD = "def zero_pad(X, pad):\n    return X\n"


def add_assignment(course, name, left_out):
    """A new assignment `name`: part 1's source folder with its notebook renamed, without the graded function
    `left_out` (its solution and test cells, and the ungraded cells that call it)."""
    folder = course.root / "source" / name
    shutil.copytree(course.root / "source" / NOTEBOOK, folder)
    (folder / f"{NOTEBOOK}.ipynb").rename(folder / f"{name}.ipynb")
    added = Course(course.root, name)
    nb = notebooks.read(added.source_notebook)
    nb.cells = [cell for cell in nb.cells if notebooks.grade_id(cell) not in (left_out, f"test_{left_out}")
                and not (cell.cell_type == "code" and not notebooks.grade_id(cell) and f"{left_out}(" in cell.source)]
    nbformat.write(nb, str(added.source_notebook))
    return added


@pytest.fixture(scope="module")
def two(tmp_path_factory, reference_answers):
    """ada and ben hand in both assignments (ben's second with a broken zero_pad), cat only part 1; a third
    assignment is released and handed in by nobody; then `make grade`."""
    first = generated_course(tmp_path_factory.mktemp("two-assignments"))
    second = add_assignment(first, SECOND, LEFT_OUT)
    for course in (second, add_assignment(first, "third", LEFT_OUT)):
        course.generate()
    second_answers = {name: code for name, code in reference_answers.items() if name != LEFT_OUT}
    handed_in = [(first, {"ada": reference_answers, "ben": reference_answers, "cat": reference_answers}),
                 (second, {"ada": second_answers, "ben": {**second_answers, "zero_pad": BROKEN_ZERO_PAD}})]
    for course, students in handed_in:
        release_nb = notebooks.read(course.release_notebook)
        for student, answers in students.items():
            notebooks.write(notebooks.fill(release_nb, answers), course.root, student, course.assignment,
                            course.notebook)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = grade_and_report.main(["--course", str(first.root), "--workers", "2"])
    return first, second, status, printed.getvalue()


def rows(course):
    with open(course.root / "grades" / f"{course.assignment}.csv") as handle:
        return list(csv.DictReader(handle))


def test_make_grade_grades_every_released_assignment(two):
    first, second, status, _ = two
    assert status == 0
    assert {s: cells["total"] for s, cells in first.scores().items()} == {"ada": 100, "ben": 100, "cat": 100}
    assert {s: cells["total"] for s, cells in second.scores().items()} == {"ada": 90, "ben": 80}


def test_each_assignment_has_a_csv_whose_columns_are_its_graded_parts(two):
    first, second, _, _ = two
    tail = ["raw_score", "late_penalty", "score", "problems"]
    assert list(rows(first)[0]) == ["student", *GRADED_FUNCTIONS, *tail]
    assert list(rows(second)[0]) == ["student", *(f for f in GRADED_FUNCTIONS if f != LEFT_OUT), *tail]
    assert {row["student"]: row["zero_pad"] for row in rows(second)}["ben"] == "0"


def test_a_student_without_a_submission_gets_a_zero_row_saying_so(two):
    _, second, _, _ = two
    cat = {row["student"]: row for row in rows(second)}["cat"]
    assert (cat["score"], cat["problems"]) == ("0", "no submission: nothing was handed in for this assignment")


def test_feedback_is_written_per_assignment_for_what_was_handed_in(two):
    first = two[0]
    pages = sorted(str(p.relative_to(first.root / "feedback")) for p in (first.root / "feedback").rglob("*.html"))
    assert pages == ["ada/cnn_step_by_step/cnn_step_by_step.html", "ada/second/second.html",
                     "ben/cnn_step_by_step/cnn_step_by_step.html", "ben/second/second.html",
                     "cat/cnn_step_by_step/cnn_step_by_step.html"]


def test_one_class_report_has_a_section_per_assignment(two):
    report = (two[0].root / "class_report.html").read_text()
    assert re.findall(r'<h2 id="([^"]+)">', report) == ["cnn_step_by_step", "second", "totals"]
    assert report.count('src="data:image/png;base64,') == 4  # a histogram and pass rates each
    assert "<p>2 students handed it in (1 did not); mean 85.0" in report


def test_the_class_report_totals_each_student_across_assignments(two):
    report = (two[0].root / "class_report.html").read_text()
    totals = report[report.index('<h2 id="totals">'):]
    found = {cells[0]: cells[1:] for cells in
             (re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", totals))}
    assert found == {"ada": ["100", "90", "190"], "ben": ["100", "80", "180"], "cat": ["100", "no submission", "100"]}
    assert "<th>total (of 190)</th>" in totals


def test_a_released_assignment_without_submissions_is_named_and_skipped(two):
    first, _, _, printed = two
    assert "third: no submissions in submitted/<student>/third/, not graded\n" in printed
    assert Course(first.root, "third").scores() == {}
    assert not (first.root / "grades" / "third.csv").exists()


def test_make_grade_says_who_did_not_hand_an_assignment_in(two):
    printed = two[3]
    # ada, ben and cat handed in the same code: the similar submissions name them (test_demo_class.py)
    assert "cnn_step_by_step: 3 students graded; 3 pairs of similar submissions to look at\n" in printed
    assert "second: 2 students graded; no submission from cat; 1 pair of similar submissions to look at\n" in printed


def test_a_rerun_grades_again_only_the_changed_submission_in_its_assignment(two):
    first, second, _, _ = two
    (second.root / "submitted" / "ada" / SECOND / f"{SECOND}.ipynb").write_text(
        (first.root / "submitted" / "ben" / SECOND / f"{SECOND}.ipynb").read_text())
    again = grade_class.grade_assignments([(first, None), (second, None)], progress=False, workers=1)
    assert [(g.assignment, g.student) for g in again if not g.resumed] == [(SECOND, "ada")]
    assert second.scores()["ada"]["total"] == 80


# --------------------------------------------------------------------- the parts' order, make release
def test_graded_parts_follow_the_release_notebooks_order_not_the_gradebooks(tmp_path):
    course = generated_course(tmp_path)
    nb = notebooks.read(course.release_notebook)
    nb.cells = ([c for c in nb.cells if notebooks.grade_id(c) != "test_zero_pad"]
                + [c for c in nb.cells if notebooks.grade_id(c) == "test_zero_pad"])
    nbformat.write(nb, str(course.release_notebook))
    assert list(course.graded_cells()) == [f"test_{f}" for f in GRADED_FUNCTIONS[1:]] + ["test_zero_pad"]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """`make release` in a copy of the course where part 2 has no source notebook yet."""
    course = new_course(tmp_path_factory.mktemp("release"))
    Course(course.root, "cnn_application").source_notebook.unlink(missing_ok=True)
    return course, release_assignments.release(course.root)


def test_release_skips_an_assignment_without_a_source_notebook(released):
    course, done = released
    assert done == ["cnn_step_by_step"]
    assert not (course.root / "release" / "cnn_application").exists()


def test_release_makes_part_1s_committed_release(released):
    course, _ = released
    assert course.release_notebook.read_bytes() == (REPO / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb").read_bytes()


def test_release_releases_every_assignment_that_has_a_source_notebook(tmp_path):
    course = new_course(tmp_path)
    part2 = Course(course.root, "cnn_application")
    # part 1's notebook stands in for part 2's, whatever state that one is in
    shutil.copy(course.source_notebook, part2.source_notebook)
    assert release_assignments.release(course.root) == ["cnn_step_by_step", "cnn_application"]
    assert part2.release_notebook.exists()
