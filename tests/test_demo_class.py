"""The instructor pipeline (`make demo`) on the demo classes, run twice in a temporary course."""
import csv
import html
import re
import shutil

import pytest

from conftest import REPO, hidden_lines, new_course
from course_tools import notebooks
from course_tools.course import Course
from course_tools.proof import demo, demo_class
from course_tools.report import similarity

CLASSES = {assignment: students for assignment, students in demo_class.STUDENTS_BY_ASSIGNMENT.items() if students}
PRODUCTS = [f"grades/{assignment}.csv" for assignment in CLASSES] + ["class_report.html"]
DEMO_STUDENTS = [(assignment, student) for assignment, students in CLASSES.items() for student in students]


def snapshot(course):
    """The products a second run must leave unchanged, with the gradebook's scores."""
    files = {name: (course.root / name).read_bytes() for name in PRODUCTS}
    files.update({str(p.relative_to(course.root)): p.read_bytes() for p in (course.root / "feedback").rglob("*.html")})
    files.update({str(p.relative_to(course.root)): p.read_bytes() for p in (course.root / "similarity").rglob("*.html")})
    return files, {a: (Course(course.root, a).scores(), Course(course.root, a).late_penalties()) for a in CLASSES}


# The demo course times a cell out after 10 s, not nbgrader_config.py's 30: hal's endless loop runs into it (37 s
# of one core with 30, spinning), and a part 2 notebook's slowest cell takes about 1.3 s.
CELL_TIMEOUT = 10


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("demo"))
    course.configure({"Execute.timeout": CELL_TIMEOUT})
    first = demo.run(course.root, progress=False)
    before = snapshot(course)
    second = demo.run(course.root, progress=False)
    return course, first, second, before, snapshot(course)


@pytest.fixture(scope="module")
def grades(runs):
    """{assignment: {student: StudentGrades}} of the second run."""
    return {assignment: {g.student: g for g in its_grades} for assignment, its_grades in runs[2].items()}


def test_every_demo_class_is_graded_with_every_student(grades):
    handed_in = {a: sorted(s for s, g in by_student.items() if g.handed_in) for a, by_student in grades.items()}
    assert handed_in == {a: sorted(s.name for s in students) for a, students in CLASSES.items()}


@pytest.mark.parametrize("assignment, student", DEMO_STUDENTS, ids=lambda x: getattr(x, "name", x))
def test_each_student_gets_the_scores_it_is_built_to_get(grades, assignment, student):
    g = grades[assignment][student.name]
    lost = {part for part, most in g.maxima.items() if g.scores[part] < most}
    assert lost == (set(g.maxima) if student.loses is None else student.loses), student.story
    assert g.penalty == student.late_days * 10
    if student.problem:
        assert any(p.startswith(student.problem) for p in g.problems), g.problems


def test_tampering_is_reported(grades):
    part1 = grades["cnn_step_by_step"]
    assert any(p.startswith("edited test cell: test_pool_forward") for p in part1["ivy"].problems)
    assert any(p.startswith("deleted test cell: test_conv_backward") for p in part1["jon"].problems)


def test_students_without_a_problem_get_no_problem_reported(grades):
    clean = [(a, s.name) for a, s in DEMO_STUDENTS if not s.problem and s.edit is None]
    assert {(a, name): grades[a][name].problems for a, name in clean} == {key: [] for key in clean}


def test_no_hidden_test_line_appears_in_any_feedback(runs):
    course = runs[0]
    hidden = set().union(*(hidden_lines(notebooks.read(Course(REPO, a).source_notebook)) for a in CLASSES))
    assert len(hidden) > 100
    pages = list((course.root / "feedback").rglob("*.html"))
    assert len(pages) == len(DEMO_STUDENTS)
    for page in pages:
        text = html.unescape(page.read_text())
        assert [line for line in hidden if line in text] == [], page


def test_feedback_gives_each_failure_its_message(runs, grades):
    ben = grades["cnn_step_by_step"]["ben"]
    page = (runs[0].root / "feedback" / "ben" / "cnn_step_by_step" / "cnn_step_by_step.html").read_text()
    assert html.escape(ben.messages["conv_forward"]) in page
    assert ben.messages["conv_forward"].startswith("AssertionError: ")


@pytest.mark.parametrize("assignment", CLASSES)
def test_csv_agrees_with_the_gradebook(runs, assignment):
    course = Course(runs[0].root, assignment)
    scores, penalties, cells = course.scores(), course.late_penalties(), course.graded_cells()
    with open(course.root / "grades" / f"{assignment}.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(course.students())
    for row in rows:
        got = scores.get(row["student"], {})
        assert {cell: float(row[cell.removeprefix("test_")]) for cell in cells} == {
            cell: got.get(cell) or 0 for cell in cells}, row["student"]
        assert float(row["raw_score"]) == (got.get("total") or 0)
        assert float(row["late_penalty"]) == penalties.get(row["student"], 0)
        assert float(row["score"]) == max(0, float(row["raw_score"]) - float(row["late_penalty"]))


def test_the_class_report_opens_offline_with_its_plots(runs):
    report = (runs[0].root / "class_report.html").read_text()
    assert report.count('src="data:image/png;base64,') == 2 * len(CLASSES)
    assert not re.search(r'(src|href)="(https?:)?//', report)
    assert "Most common failure messages" in report


def test_a_second_run_changes_nothing(runs):
    _, _, _, before, after = runs
    assert after[1] == before[1]
    assert after[0].keys() == before[0].keys()
    assert [name for name in before[0] if before[0][name] != after[0][name]] == []


def test_submissions_are_never_modified_by_grading(runs):
    course = runs[0]
    renamed = course.root / "submitted" / "max" / "cnn_step_by_step"
    assert sorted(p.name for p in renamed.glob("*.ipynb")) == ["cnn_step_by_step (1).ipynb"]
    noa = (course.root / "submitted" / "noa" / "cnn_step_by_step" / "cnn_step_by_step.ipynb").read_text()
    assert "os._exit(1)" in noa


# The demo's copiers (demo_class.py): tia disguised a copy of sam's conv_forward; vic copied uma's conv_backward
# and create_mask_from_window word for word. Nobody else copied.
COPIED = {"cnn_step_by_step": [("sam", "tia"), ("uma", "vic")], "cnn_application": []}


def similar_section(report, assignment):
    """The HTML of an assignment's "Similar submissions", up to the next assignment's section."""
    start = report.index(f'<h2 id="{assignment}">')
    section = report[report.index("<h3>Similar submissions</h3>", start):]
    return section[:section.index("<h2")]


def listed_pairs(section):
    return re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td><td class=num>([\d.]+)</td><td>([\w, ]+)</td>"
                      r'<td><a href="([^"]+)">', section)


@pytest.mark.parametrize("assignment", CLASSES)
def test_the_report_lists_the_copied_pairs_and_no_honest_one(runs, assignment):
    section = similar_section((runs[0].root / "class_report.html").read_text(), assignment)
    assert sorted((a, b) for a, b, *_ in listed_pairs(section)) == COPIED[assignment]
    assert "a reason to look, not proof" in section


def test_the_disguised_copy_and_the_verbatim_one_are_listed_on_the_cells_copied(runs):
    pairs = {(a, b): (float(score), cells) for a, b, score, cells, _ in
             listed_pairs(similar_section((runs[0].root / "class_report.html").read_text(), "cnn_step_by_step"))}
    assert pairs[("uma", "vic")] == (1.0, "conv_backward")
    score, cells = pairs[("sam", "tia")]
    assert cells == "conv_forward" and similarity.FLAGGED <= score < 1.0


def test_each_listed_pair_has_its_page_with_both_students_code_and_the_matches_marked(runs):
    course = runs[0]
    report = (course.root / "class_report.html").read_text()
    for first, second, _, cells, link in listed_pairs(similar_section(report, "cnn_step_by_step")):
        assert re.fullmatch(r"similarity/cnn_step_by_step/pair-\d+\.html", link)  # no student text in a path
        page = (course.root / link).read_text()
        assert f"{first} and {second}" in page and "a reason to look, not proof" in page
        assert page.count("<mark>") >= 2 and f"<code>{cells}</code>" in page
        assert "\\x0a" not in page and page[page.index("<pre>"):page.index("</pre>")].count("\n") > 2  # lines kept
        assert not re.search(r'(src|href)="', page)  # offline: nothing to fetch
    tia = (course.root / "similarity/cnn_step_by_step/pair-2.html").read_text()
    assert "\n                patch = padded[n, r * s:r * s + filt, q * s:q * s + filt]\n" in tia
    assert re.search(r"<code>conv_forward</code>: score 0\.\d\d, ranked 1 of the \d+ pairs? of the \d+ students "
                     r"compared on this cell</h2><p>\d+ students wrote code in this cell", tia)


def test_the_same_wrong_values_are_listed_for_the_pair_that_shares_a_bug(runs):
    section = similar_section((runs[0].root / "class_report.html").read_text(), "cnn_step_by_step")
    shared = section[section.index("The same wrong values"):]
    assert re.findall(r"<tr><td><code>(\w+)</code></td><td>([\w, ]+)</td></tr>", shared) == [
        ("create_mask_from_window", "uma, vic")]


def test_the_similar_submissions_open_in_a_browser(runs, tmp_path_factory):
    """Chromium opens the class report from disk, offline, at part 1's similar submissions, then follows the
    link of the disguised copy (sam and tia) to its page. Screenshots: test-artifacts/browser/report/."""
    from test_browser import SCREENSHOTS, BrowserPage, chromium, new_page

    artifacts = SCREENSHOTS / "report"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    report = runs[0].root / "class_report.html"
    with chromium(tmp_path_factory) as browser:
        shots = BrowserPage(new_page(browser), artifacts)
        try:
            shots.page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())  # offline
            shots.page.goto(report.as_uri())
            heading = shots.page.locator("h3", has_text="Similar submissions").first
            heading.evaluate("h => h.scrollIntoView({block: 'start'})")
            shots.screenshot("similar-submissions")
            assert shots.page.locator("text=a reason to look, not proof").first.is_visible()
            shots.page.locator("tr", has_text="tia").locator("a", has_text="side by side").click()
            shots.page.wait_for_load_state()
            assert shots.page.url.endswith("similarity/cnn_step_by_step/pair-2.html")
            assert shots.page.locator("mark").count() >= 2
            shots.screenshot("pair-side-by-side")
        finally:
            shots.last_screenshot()


def test_make_grade_says_how_many_similar_pairs_there_are_to_look_at(runs, capsys):
    """`make grade` on the graded demo course (nothing left to grade: it writes the products again)."""
    from course_tools import grade_and_report

    assert grade_and_report.main(["--course", str(runs[0].root), "--workers", "1"]) == 0
    lines = {line.split(":")[0]: line for line in capsys.readouterr().out.splitlines() if " students graded" in line}
    assert lines["cnn_step_by_step"].endswith("; 2 pairs of similar submissions to look at")
    assert "similar" not in lines["cnn_application"]
