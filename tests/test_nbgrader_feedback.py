"""nbgrader's own feedback and solution commands, on a class graded by `make grade`'s pipeline.

An instructor who follows nbgrader's documentation, or clicks Formgrader's Generate Feedback
button, runs `nbgrader generate_feedback` on the autograded notebooks. Those hold every test cell
and the grading kit as the gradebook keeps them, hidden tests included; nbgrader_config.py's
GenerateFeedback steps must show the student only what the release showed, their own code and
outputs, and the scores. The pages must agree with the ones `make grade` writes, since both are
written to the same place and `nbgrader release_feedback` sends whichever is there.
"""
import ast
import html
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

import attacks
from conftest import new_course
from course_tools import notebooks
from course_tools.course import Course
from course_tools.grade import grade_class
from course_tools.proof import demo_class
from course_tools.report import reports

ASSIGNMENTS = ("cnn_step_by_step", "cnn_application")
# A student who writes nbgrader's hidden-test marker into an answer, and never closes it.
MARKER_STUDENT = "mia"
MARKER_ANSWER = "### BEGIN HIDDEN TESTS\n"
# A student who has read the grader: her first answer records what the grader sends into her kernel (the
# reference helpers' sources, the hidden cases' inputs), and a cell she adds at the end prints it all.
RECORDER = "eve"
RECORDS = """

_eve_log = []
_eve_define, _eve_call = _cnn_grading_define, _cnn_grading_call
def _cnn_grading_define(*args, **kwargs):
    _eve_log.append(str(args[1]))
    return _eve_define(*args, **kwargs)
def _cnn_grading_call(*args, **kwargs):
    _eve_log.append("CALL " + repr(args)[:300])
    return _eve_call(*args, **kwargs)
"""
PRINTS_RECORDS = 'print("\\n".join(_eve_log))'
PICKED = {"cnn_step_by_step": ["ada", "ben", "kim", "pat"], "cnn_application": ["ada", "ben", "kim"]}
# A student whose markdown cell and first answer's HTML output hold a script and an event handler (the attack
# formgrader-script): nbgrader's pages render her markdown, and Formgrader her outputs too.
MARKUP_STUDENT = "zoe"
MARK = "cnnfeedback_markup"
MARKUP = f'<script>/*{MARK}*/document.title="pwned"</script>\n\n<img src=x onerror="/*{MARK}*/alert(1)">'
SHOWS_MARKUP = f"""

from IPython.display import HTML as _HTML, display as _display
_display(_HTML({MARKUP!r}))
"""


def lines(text, longer_than=0):
    return {line.strip() for line in text.split("\n") if len(line.strip()) > longer_than}


def page_lines(path):
    """The text lines a reader of the HTML page sees (code keeps its lines; tags and entities go)."""
    return lines(html.unescape(re.sub(r"<[^>]+>", "", path.read_text())))


def hidden_blocks(notebook):
    return [block for cell in notebook.cells
            for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)]


def code_in_strings(block):
    """The lines of the multi-line strings in a hidden block: the reference helpers' sources that the grader sends
    into a student's kernel (the checks' messages, which pages show as verdicts, are one line each)."""
    try:
        tree = ast.parse(textwrap.dedent(block))
    except SyntaxError:
        return set()
    return {line for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and "\n" in node.value.strip() for line in lines(node.value, 12)}


def secrets(course, assignment, student):
    """What a student must never be shown, as text: each hidden-test line, each line of the code the hidden tests
    carry in strings, and each reference solution line, unless the release shows it or the student wrote it."""
    source = notebooks.read(course.root / "source" / assignment / f"{assignment}.ipynb")
    found = set()
    for block in hidden_blocks(source):
        found |= lines(block, 12) | code_in_strings(block)
    for cell in source.cells:
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
            found |= lines(block, 20)
    public = [c.source for c in notebooks.read(course.root / "release" / assignment / f"{assignment}.ipynb").cells]
    for own in (course.root / "submitted" / student / assignment).glob("*.ipynb"):
        public += [c.source for c in notebooks.read(own).cells]
    public = "\n".join(public)
    return {line for line in found if line not in public}


def leaked(page, hidden):
    """The secrets a page shows: a long one anywhere in its text, a short one as a whole line."""
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    shown = lines(text)
    return sorted(line for line in hidden if (len(line) >= 20 and line in text) or line in shown)


def nbgrader(course, *args):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course.root, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Part 1 and part 2 graded by make grade's pipeline: a perfect, a buggy, a late and a hostile student of the
    demo classes, and one who left an unclosed hidden-test marker in an answer. make grade's own pages are kept
    in make_grade_feedback/, and feedback/ is left to nbgrader."""
    course = new_course(tmp_path_factory.mktemp("feedback"))
    classes = []
    for assignment in ASSIGNMENTS:
        one = Course(course.root, assignment)
        one.generate()
        one.set_due_date(demo_class.DUE)
        students = [s for s in demo_class.STUDENTS_BY_ASSIGNMENT[assignment] if s.name in PICKED[assignment]]
        demo_class.write_class(one, students)
        classes.append((one, [s.name for s in students]))
    part1 = classes[0][0]
    release = notebooks.read(part1.release_notebook)
    answers = notebooks.reference_solutions(notebooks.read(part1.source_notebook))
    answers["zero_pad"] = MARKER_ANSWER + answers["zero_pad"]
    notebooks.write(notebooks.fill(release, answers), course.root, MARKER_STUDENT, part1.assignment,
                    part1.notebook)
    classes[0][1].append(MARKER_STUDENT)
    answers = notebooks.reference_solutions(notebooks.read(part1.source_notebook))
    answers["zero_pad"] += SHOWS_MARKUP
    nb = notebooks.fill(release, answers)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(f"# {MARK}\n\n{MARKUP}\n"))
    notebooks.write(nb, course.root, MARKUP_STUDENT, part1.assignment, part1.notebook)
    classes[0][1].append(MARKUP_STUDENT)
    for one, students in classes:
        release = notebooks.read(one.release_notebook)
        answers = notebooks.reference_solutions(notebooks.read(one.source_notebook))
        first = next(c for c in release.cells if notebooks.grade_id(c) in answers)
        answers[notebooks.grade_id(first)] += RECORDS
        nb = notebooks.fill(release, answers)
        nb.cells.append(nbformat.v4.new_code_cell(PRINTS_RECORDS))
        folder = notebooks.write(nb, course.root, RECORDER, one.assignment, one.notebook).parent
        (folder / "timestamp.txt").write_text(demo_class.ON_TIME.strftime(demo_class.TIMESTAMP_FORMAT))
        students.append(RECORDER)
    graded = grade_class.grade_assignments(classes, progress=False)
    by_assignment = reports.write_all(Course(course.root), graded)
    shutil.move(course.root / "feedback", course.root / "make_grade_feedback")
    for assignment in ASSIGNMENTS:
        nbgrader(course, "generate_feedback", assignment)
    return course, by_assignment


def pages(course, folder="feedback"):
    return sorted((course.root / folder).glob("*/*/*.html"))


def test_nbgrader_writes_a_page_for_every_student_who_handed_in(graded):
    course, by_assignment = graded
    written = {(p.parts[-3], p.parts[-2]) for p in pages(course)}
    expected = {(g.student, a) for a, grades in by_assignment.items() for g in grades if g.handed_in}
    assert written == expected


def test_no_page_of_nbgrader_holds_a_hidden_test_or_a_reference_solution(graded):
    course, _ = graded
    leaks = {}
    for page in pages(course):
        student, assignment = page.parts[-3], page.parts[-2]
        found = leaked(page, secrets(course, assignment, student))
        if found:
            leaks[f"{student}/{assignment}"] = found[:3]
    assert leaks == {}, leaks


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_what_a_student_recorded_in_her_kernel_is_not_shown(graded, assignment):
    """eve's last cell prints the hidden inputs she recorded, and the reference helpers' sources if she could
    record any: her make grade score is full, and nbgrader's page says the output is not shown. (She records no
    reference: the cells that send them run after every other cell, hers included.)"""
    course, by_assignment = graded
    assert next(g for g in by_assignment[assignment] if g.student == RECORDER).total == 100
    page = course.root / "feedback" / RECORDER / assignment / f"{assignment}.html"
    autograded = nbformat.read(str(course.autograded_notebook(RECORDER).parent.parent / assignment /
                                   f"{assignment}.ipynb"), as_version=4)
    recorded = "".join(o.get("text", "") for o in autograded.cells[-1].outputs)
    assert "CALL ('" in recorded and "def " not in recorded  # she did record inputs: the page is what hides them
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    assert "CALL ('" not in text and "not shown on this page" in text


def test_the_pages_show_the_students_own_code(graded):
    course, _ = graded
    page = page_lines(course.root / "feedback" / "pat" / "cnn_step_by_step" / "cnn_step_by_step.html")
    assert "np.allclose = lambda *args, **kwargs: True" in page  # pat's own hostile line, shown back to pat


def test_an_unclosed_hidden_test_marker_in_an_answer_still_gets_a_page(graded):
    course, _ = graded
    page = page_lines(course.root / "feedback" / MARKER_STUDENT / "cnn_step_by_step" / "cnn_step_by_step.html")
    submitted = notebooks.read(course.root / "submitted" / MARKER_STUDENT / "cnn_step_by_step" /
                               "cnn_step_by_step.ipynb")
    answer = next(c.source for c in submitted.cells if notebooks.grade_id(c) == "zero_pad")
    assert answer.startswith(MARKER_ANSWER) and lines(answer) <= page


def test_no_markup_of_a_student_runs_on_nbgraders_pages(graded):
    """zoe's script and event handler, in a markdown cell and an HTML output of hers, are shown as text on nbgrader's
    page (generate_feedback) and Formgrader's (manual grading), where they ran before (nbgrader_config.py:
    HTMLExporter.sanitize_html, grading/feedback_page.py's filters); and the pages still render the markdown."""
    course, by_assignment = graded
    assert next(g for g in by_assignment["cnn_step_by_step"] if g.student == MARKUP_STUDENT).total == 100
    page = (course.root / "feedback" / MARKUP_STUDENT / "cnn_step_by_step" / "cnn_step_by_step.html").read_text()
    formgrader = attacks.formgrader_page(course.root, MARKUP_STUDENT)
    assert f"/*{MARK}*/" in html.unescape(page) and f"/*{MARK}*/" in html.unescape(formgrader)  # her cells are there
    assert attacks.active_markup(page, MARK) == []
    assert attacks.active_markup(formgrader, MARK) == []
    for shown in [formgrader, *(p.read_text() for p in pages(course))]:  # headings and paragraphs are HTML still
        assert "<h1" in shown and "<p>" in shown and "&lt;h1" not in shown and "&lt;p&gt;" not in shown


def nbgrader_scores(page):
    """{graded part: (score, possible)} and the page's total, from nbgrader's feedback page."""
    text = page.read_text()
    parts = {m[0].removeprefix("test_"): (float(m[1]), float(m[2]))
             for m in re.findall(r'<li><a href="#(\w+)">Test cell</a> \(Score: ([\d.]+) / ([\d.]+)\)</li>', text)}
    total = re.search(r"<h4>\w+ \(Score: ([\d.]+) / ([\d.]+)\)</h4>", text)
    return {p: s for p, s in parts.items() if s[1] > 0}, (float(total[1]), float(total[2]))


def test_nbgrader_and_make_grade_agree_on_every_score(graded):
    course, by_assignment = graded
    for assignment, grades in by_assignment.items():
        for g in grades:
            if not g.handed_in:
                continue
            parts, total = nbgrader_scores(course.root / "feedback" / g.student / assignment / f"{assignment}.html")
            assert parts == {p: (g.scores[p], most) for p, most in g.maxima.items()}, (g.student, assignment)
            assert total == (g.total, sum(g.maxima.values())), (g.student, assignment)


def cell_outputs(page, grade_id):
    """The text of the outputs of the cell anchored at grade_id in nbgrader's page."""
    text = page.read_text()
    start = text.index(f'<a name="{grade_id}"></a>')
    following = re.search(r'<a name="\w+"></a>|\Z', text[start + 1:])
    block = text[start:start + 1 + following.start()]
    return html.unescape(" ".join(re.findall(r'<div class="output_subarea[^"]*">\s*<pre>(.*?)</pre>', block, re.S)))


def test_each_failing_part_shows_the_verdict_make_grade_gives(graded):
    course, by_assignment = graded
    compared = 0
    for assignment, grades in by_assignment.items():
        for g in grades:
            for part, message in g.messages.items():
                shown = re.sub(r"<[^>]+>", "", cell_outputs(
                    course.root / "feedback" / g.student / assignment / f"{assignment}.html", f"test_{part}"))
                assert message.split(": ", 1)[-1][:80] in shown, (g.student, part, message, shown[:500])
                compared += 1
    assert compared >= 3  # ben's bugs in both parts and pat's lazy conv_forward at least


def test_without_the_configured_step_nbgrader_feedback_leaks_the_hidden_tests(graded, tmp_path):
    """The attack the configuration answers: nbgrader's default feedback steps, on the same graded notebooks."""
    course, _ = graded
    defaults = ("--GenerateFeedback.preprocessors=['nbgrader.preprocessors.GetGrades',"
                "'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']")
    nbgrader(course, "generate_feedback", "cnn_application", "--student=ben", "--force",
             f"--CourseDirectory.feedback_directory={tmp_path / 'plain'}", defaults)
    page = tmp_path / "plain" / "ben" / "cnn_application" / "cnn_application.html"
    assert len(leaked(page, secrets(course, "cnn_application", "ben"))) > 100


def test_make_grade_pages_are_what_release_feedback_finds(graded):
    """Both kinds of page sit at feedback/<student>/<assignment>/<notebook>.html, where release_feedback looks."""
    course, _ = graded
    ours = {p.relative_to(course.root / "make_grade_feedback") for p in pages(course, "make_grade_feedback")}
    theirs = {p.relative_to(course.root / "feedback") for p in pages(course)}
    assert ours == theirs


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_generated_solutions_hold_the_solutions_but_no_hidden_test(graded, assignment, tmp_path):
    course, _ = graded
    nbgrader(course, "generate_solution", assignment, "--force",
             f"--CourseDirectory.solution_directory={tmp_path / 'solution'}")
    notebook = tmp_path / "solution" / assignment / f"{assignment}.ipynb"
    shown = lines("\n".join(c.source for c in nbformat.read(str(notebook), as_version=4).cells))
    source = notebooks.read(course.root / "source" / assignment / f"{assignment}.ipynb")
    hidden = set()
    for cell in source.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
            hidden |= lines(block, 12)
    release = lines("\n".join(c.source for c in notebooks.read(course.root / "release" / assignment /
                                                               f"{assignment}.ipynb").cells))
    reference = notebooks.reference_solutions(source)
    solution_lines = lines("\n".join(reference.values()))
    assert (hidden - release - solution_lines) & shown == set()
    assert all(lines(code, 20) <= shown for code in reference.values())


# ------------------------------------------------------- Formgrader's Generate Feedback button, in Chromium

@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """Formgrader's Manage Assignments page, in JupyterLab started in the graded course, with feedback/ emptied so
    that every page found afterwards is the button's."""
    from test_browser import SCREENSHOTS, BrowserPage, chromium, new_page, private_jupyter_home, running_lab

    course, _ = graded
    shutil.rmtree(course.root / "feedback")
    artifacts = SCREENSHOTS / "feedback-button"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    env = private_jupyter_home(tmp_path_factory.mktemp("home"))
    with chromium(tmp_path_factory) as browser, \
            running_lab(course.root, env, artifacts / "jupyterlab.log") as lab:
        page = BrowserPage(new_page(browser), artifacts)
        page.page.goto(f"{lab['url']}/lab?token={lab['token']}")
        with page.page.expect_response(lambda r: "/formgrader/api/assignments" in r.url, timeout=60_000):
            page.open_nbgrader_menu_item("Formgrader")
        frame = page.page.frame_locator("#formgrader iframe")
        frame.locator("#main-table td.name a").first.wait_for(timeout=60_000)
        try:
            yield course, page, frame, lab
        finally:
            page.last_screenshot()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_formgraders_generate_feedback_button_writes_pages_without_secrets(formgrader, assignment):
    course, page, frame, _ = formgrader
    row = frame.locator("#main-table tr", has=frame.locator("td.name", has_text=assignment))
    with page.page.expect_response(lambda r: r.url.endswith(f"/formgrader/api/assignment/{assignment}"
                                                            "/generate_feedback"), timeout=300_000) as answer:
        row.locator("td.generate-feedback a").click()
    assert answer.value.status == 200 and answer.value.json()["success"], answer.value.text()[:2000]
    modal = frame.locator("#success-modal")
    modal.wait_for()
    assert f"Successfully generated feedback of '{assignment}'" in modal.inner_text()
    page.screenshot(f"generated-{assignment}")
    modal.get_by_role("button", name="Close").first.click()
    modal.wait_for(state="detached")
    written = sorted((course.root / "feedback").glob(f"*/{assignment}/{assignment}.html"))
    assert written, "the button wrote no page"
    leaks = {p.parts[-3]: leaked(p, secrets(course, assignment, p.parts[-3]))[:3] for p in written}
    assert {student: found for student, found in leaks.items() if found} == {}


def test_formgraders_submission_page_runs_no_script_of_the_student(formgrader):
    """The instructor opens zoe's submission for manual grading, in the Jupyter server's origin: her markdown's
    script (it would set the page's title) and her output's event handler (an alert) do not run."""
    from nbgrader.api import Gradebook

    course, page, _, lab = formgrader
    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook("cnn_step_by_step", "cnn_step_by_step", MARKUP_STUDENT).id
    tab, dialogs = page.page.context.browser.new_page(), []  # a page of its own, logged in by the token
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        tab.goto(f"{lab['url']}/formgrader/submissions/{submission}/?token={lab['token']}", wait_until="load")
        tab.wait_for_timeout(1000)  # an image's error event comes after the load
        assert f"/*{MARK}*/" in html.unescape(tab.content())  # her cells are on the page
        assert tab.title() != "pwned" and dialogs == []
    finally:
        tab.close()
