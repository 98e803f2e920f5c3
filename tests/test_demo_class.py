"""The instructor pipeline (`make demo`) on the demo class, run twice in a temporary course."""
import csv
import html
import re

import pytest

from conftest import GRADED_FUNCTIONS, POINTS, hidden_lines, new_course
from course_tools import demo, demo_class

PRODUCTS = ["grades/cnn_step_by_step.csv", "class_report.html"]


def snapshot(course):
    """The products a second run must leave unchanged, with the gradebook's scores."""
    files = {name: (course.root / name).read_bytes() for name in PRODUCTS}
    files.update({str(p.relative_to(course.root)): p.read_bytes() for p in (course.root / "feedback").rglob("*.html")})
    return files, course.scores(), course.late_penalties()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("demo"))
    first = demo.run(course.root, progress=False)
    before = snapshot(course)
    second = demo.run(course.root, progress=False)
    return course, first, second, before, snapshot(course)


@pytest.fixture(scope="module")
def grades(runs):
    return {g.student: g for g in runs[2]["cnn_step_by_step"]}


def test_the_batch_completes_with_every_student(grades):
    assert sorted(grades) == sorted(s.name for s in demo_class.STUDENTS)


@pytest.mark.parametrize("student", demo_class.STUDENTS, ids=lambda s: s.name)
def test_each_student_gets_the_scores_it_is_built_to_get(grades, student):
    g = grades[student.name]
    lost = {f for f in GRADED_FUNCTIONS if g.scores[f] < POINTS[f]}
    assert lost == student.loses, student.story
    assert g.penalty == student.late_days * 10
    if student.problem:
        assert any(p.startswith(student.problem) for p in g.problems), g.problems


def test_tampering_is_reported(grades):
    assert any(p.startswith("edited test cell: test_pool_forward") for p in grades["ivy"].problems)
    assert any(p.startswith("deleted test cell: test_conv_backward") for p in grades["jon"].problems)


def test_students_without_a_problem_get_no_problem_reported(grades):
    clean = [s.name for s in demo_class.STUDENTS if not s.problem and s.edit is None]
    assert {name: grades[name].problems for name in clean} == {name: [] for name in clean}


def test_no_hidden_test_line_appears_in_any_feedback(runs, source_nb):
    course = runs[0]
    hidden = hidden_lines(source_nb)
    assert len(hidden) > 100
    pages = list((course.root / "feedback").rglob("*.html"))
    assert len(pages) == len(demo_class.STUDENTS)
    for page in pages:
        text = html.unescape(page.read_text())
        assert [line for line in hidden if line in text] == [], page


def test_feedback_gives_each_failure_its_message(runs, grades):
    page = (runs[0].root / "feedback" / "ben" / "cnn_step_by_step" / "cnn_step_by_step.html").read_text()
    assert html.escape(grades["ben"].messages["conv_forward"]) in page
    assert grades["ben"].messages["conv_forward"].startswith("AssertionError: ")


def test_csv_agrees_with_the_gradebook(runs):
    course = runs[0]
    scores, penalties = course.scores(), course.late_penalties()
    with open(course.root / "grades" / "cnn_step_by_step.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(demo_class.STUDENTS)
    for row in rows:
        cells = scores.get(row["student"], {})
        for f in GRADED_FUNCTIONS:
            assert float(row[f]) == (cells.get(f"test_{f}") or 0), (row["student"], f)
        assert float(row["raw_score"]) == (cells.get("total") or 0)
        assert float(row["late_penalty"]) == penalties.get(row["student"], 0)
        assert float(row["score"]) == max(0, float(row["raw_score"]) - float(row["late_penalty"]))


def test_the_class_report_opens_offline_with_its_plots(runs):
    report = (runs[0].root / "class_report.html").read_text()
    assert report.count('src="data:image/png;base64,') == 2
    assert not re.search(r'(src|href)="(https?:)?//', report)
    assert "Most common failure messages" in report


def test_a_second_run_changes_nothing(runs):
    _, _, _, before, after = runs
    assert after[1:] == before[1:]
    assert after[0].keys() == before[0].keys()
    assert [name for name in before[0] if before[0][name] != after[0][name]] == []


def test_submissions_are_never_modified_by_grading(runs):
    course = runs[0]
    renamed = course.root / "submitted" / "max" / "cnn_step_by_step"
    assert sorted(p.name for p in renamed.glob("*.ipynb")) == ["cnn_step_by_step (1).ipynb"]
    noa = (course.root / "submitted" / "noa" / "cnn_step_by_step" / "cnn_step_by_step.ipynb").read_text()
    assert "os._exit(1)" in noa
