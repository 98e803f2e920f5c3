"""What the instructor sends and reads after grading: feedback pages, a grades CSV per assignment, the class report.

Everything is read from the gradebook and the autograded notebooks. An assignment's graded
parts are its test cells worth points, in notebook order, each named after its cell without
the test_ prefix (test_zero_pad grades zero_pad). Feedback shows each test's result and its
one-line failure message, never a cell's source (nbgrader's own generate_feedback copies
hidden tests into its HTML). Student text (names, file names, messages from the student's
kernel) goes through grading/text.py: csv_cell in a CSV, html_text in HTML. The products hold no timestamps, so grading the same
submissions twice writes the same files.
"""
import base64
import collections
import csv
import io
import re
import shutil
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from course_tools.course import NOT_IMPLEMENTED, Course  # noqa: E402
from course_tools.report import similarity, similarity_pages  # noqa: E402
from grading.text import csv_cell, html_text  # noqa: E402

GRADES_FOLDER = "grades"  # grades/<assignment>.csv
CLASS_REPORT = "class_report.html"
NO_SUBMISSION = "no submission: nothing was handed in for this assignment"
# What an assignment's grading kit promises, said at the end of its feedback pages.
FEEDBACK_NOTES = {
    "cnn_step_by_step": "Each function was graded on its own: a mistake in one helper does not cost the points "
                        "of the functions that call it.",
}

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.ok{color:#2e7d32}.fail{color:#c62828}.num{text-align:right}"""


@dataclass
class StudentGrades:
    student: str
    scores: dict  # graded part -> points
    maxima: dict  # graded part -> points possible, in notebook order
    penalty: float = 0.0
    problems: list = field(default_factory=list)
    messages: dict = field(default_factory=dict)  # graded part -> plain failure message
    handed_in: bool = True  # False: the student has no submission for this assignment

    @property
    def raw(self):
        return sum(self.scores.values())

    @property
    def total(self):
        return max(0.0, self.raw - self.penalty)


def part_name(cell):
    return cell.removeprefix("test_")


def collect(course, graded):
    """One StudentGrades per student of the course (the gradebook's, and those graded) for course.assignment;
    graded: its GradedStudents, with the problems the grader reported."""
    problems = {g.student: g.problems for g in graded}
    scores, penalties = course.scores(), course.late_penalties()
    cells = course.graded_cells()
    maxima = {part_name(cell): points for cell, points in cells.items()}
    out = []
    for student in sorted(set(course.students()) | set(problems)):
        handed_in = student in problems or student in scores
        got, messages = scores.get(student, {}), course.failure_messages(student)
        out.append(StudentGrades(
            student,
            {part_name(cell): got.get(cell) or 0.0 for cell in cells},
            maxima,
            penalties.get(student, 0.0),
            problems.get(student, []) if handed_in else [NO_SUBMISSION],
            {part_name(cell): messages[cell] for cell in cells if cell in messages},
            handed_in,
        ))
    return out


def write_csv(grades, path):
    """One row per student: a column per graded part (every student's maxima are the assignment's), raw score,
    late penalty, score, problems."""
    parts = list(grades[0].maxima)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *parts, "raw_score", "late_penalty", "score", "problems"])
        for g in grades:  # the student's name and the problems quoting their files are the student's text
            writer.writerow([csv_cell(g.student), *(f"{g.scores[p]:g}" for p in parts),
                             f"{g.raw:g}", f"{g.penalty:g}", f"{g.total:g}", csv_cell("; ".join(g.problems))])


def page(title, body):
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html_text(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n<h1>{html_text(title)}</h1>\n{body}\n</body></html>\n")


def feedback_html(g, assignment):
    rows = []
    for part, most in g.maxima.items():
        full = g.scores[part] == most
        reason = g.messages.get(part, "" if full else "no test result (no notebook was graded)")
        rows.append(f"<tr><td><code>{html_text(part)}</code></td><td class=num>{g.scores[part]:g} / {most:g}</td>"
                    f"<td class={'ok' if full else 'fail'}>{'passed' if full else 'failed'}</td>"
                    f"<td>{html_text(reason)}</td></tr>")
    problems = "".join(f"<li>{html_text(p)}</li>" for p in g.problems)
    late = f"<p>Late penalty: &minus;{g.penalty:g} points.</p>" if g.penalty else ""
    note = FEEDBACK_NOTES.get(assignment)
    body = (f"<p>Score: <b>{g.total:g} / {sum(g.maxima.values()):g}</b> (tests: {g.raw:g})</p>{late}"
            + (f"<p>While grading we noticed:</p><ul>{problems}</ul>" if problems else "")
            + "<table><tr><th>part</th><th>points</th><th>result</th><th>what went wrong</th></tr>"
            + "".join(rows) + "</table>"
            + (f"<p>{html_text(note)}</p>" if note else ""))
    return page(f"{assignment}: feedback for {g.student}", body)


# What nbgrader's release_feedback reads beside each page: the secret names the page in the exchange, where the
# student's fetch_feedback finds it. nbgrader's own generate_feedback copies them from autograded/ too.
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def write_feedback(course, grades):
    """A page per student who handed the assignment in: feedback/<student>/<assignment>/<notebook>.html, with the
    graded submission's EXCHANGE_FILES beside it when it has them (a submission collected from the exchange)."""
    for g in grades:
        if g.handed_in:
            folder = course.root / "feedback" / g.student / course.assignment
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{course.notebook}.html").write_text(feedback_html(g, course.assignment))
            graded = course.root / "autograded" / g.student / course.assignment
            for name in EXCHANGE_FILES:
                if (graded / name).is_file():
                    shutil.copyfile(graded / name, folder / name)


def figure_tag(fig, alt):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="{html_text(alt)}" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def score_histogram(grades, most):
    """Ten bins of a tenth of the points possible, and one more for full marks."""
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist([g.total for g in grades], bins=[most * k / 10 for k in range(12)], color="#3d85c6", edgecolor="white")
    ax.set_xlabel("score (after late penalties)")
    ax.set_ylabel("students")
    ax.set_xticks([most * k / 10 for k in range(11)])
    return figure_tag(fig, "Distribution of scores")


def pass_rates(grades):
    parts = list(grades[0].maxima)
    rates = [sum(g.scores[p] == g.maxima[p] for g in grades) / len(grades) for p in parts]
    fig, ax = plt.subplots(figsize=(6, 0.8 + 0.3 * len(parts)))
    ax.barh(parts[::-1], [100 * r for r in rates[::-1]], color="#6aa84f")
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full credit (%)")
    return figure_tag(fig, "Pass rate of each part"), rates


def message_pattern(message):
    """Group messages that differ only in their numbers and case details."""
    message = re.sub(r"case \d+(, mode '\w+')? \([^)]*\)", "case N", message)
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", message)


def common_failures(grades, most=10):
    counts = collections.Counter((p, message_pattern(m)) for g in grades for p, m in g.messages.items())
    return counts.most_common(most)


def assignment_section(assignment, grades, similar=""):
    """The report's section of one assignment. Its figures count only the students who handed it in. `similar`:
    its similar submissions (similarity_section)."""
    handed_in = [g for g in grades if g.handed_in]
    most = sum(grades[0].maxima.values())
    totals = sorted(g.total for g in handed_in)
    rates_img, rates = pass_rates(handed_in)
    mean = sum(totals) / len(totals)
    median = (totals[(len(totals) - 1) // 2] + totals[len(totals) // 2]) / 2
    absent = len(grades) - len(handed_in)
    failures = "".join(f"<tr><td class=num>{n}</td><td><code>{html_text(p)}</code></td><td>{html_text(m)}</td></tr>"
                       for (p, m), n in common_failures(handed_in))
    students = "".join(
        f"<tr><td>{html_text(g.student)}</td><td class=num>{g.total:g}</td><td class=num>{g.penalty:g}</td>"
        f"<td>{html_text('; '.join(g.problems))}</td></tr>" for g in grades)
    rate_rows = "".join(f"<tr><td><code>{html_text(p)}</code></td><td class=num>{100 * r:.0f}%</td></tr>"
                        for p, r in zip(grades[0].maxima, rates))
    return (f'<h2 id="{html_text(assignment)}">{html_text(assignment)}</h2>'
            f"<p>{len(handed_in)} students handed it in" + (f" ({absent} did not)" if absent else "")
            + f"; mean {mean:.1f}, median {median:g}, lowest {totals[0]:g}, highest {totals[-1]:g}, "
            f"out of {most:g}.</p>"
            f"<h3>Distribution of scores</h3>{score_histogram(handed_in, most)}"
            f"<h3>Pass rate of each part</h3>{rates_img}<table>{rate_rows}</table>"
            "<h3>Most common failure messages</h3><table><tr><th>students</th><th>part</th><th>message</th></tr>"
            f"{failures}</table>"
            "<h3>Students</h3><table><tr><th>student</th><th>score</th><th>late penalty</th><th>problems</th></tr>"
            f"{students}</table>{similar}")


def totals_table(by_assignment):
    """Each student's score per assignment (after late penalties) and their sum."""
    maxima = {a: sum(grades[0].maxima.values()) for a, grades in by_assignment.items()}
    rows = collections.defaultdict(dict)
    for assignment, grades in by_assignment.items():
        for g in grades:
            rows[g.student][assignment] = g if g.handed_in else None
    head = "".join(f"<th>{html_text(a)} (of {most:g})</th>" for a, most in maxima.items())
    body = []
    for student in sorted(rows):
        got = rows[student]
        cells = "".join(f"<td class=num>{got[a].total:g}</td>" if got.get(a) else "<td>no submission</td>"
                        for a in maxima)
        total = sum(g.total for g in got.values() if g)
        body.append(f"<tr><td>{html_text(student)}</td>{cells}<td class=num>{total:g}</td></tr>")
    return (f"<table><tr><th>student</th>{head}<th>total (of {sum(maxima.values()):g})</th></tr>"
            + "".join(body) + "</table>")


def similarity_section(course, grades):
    """The assignment's similar submissions: the section's HTML, with a page per listed pair written under
    similarity/<assignment>/ (similarity_pages)."""
    handed_in = [g.student for g in grades if g.handed_in]
    by_student = {g.student: g for g in grades}
    code, returned, too_long = similarity.read_class(course, handed_in)
    compared = {}
    pairs = similarity.similar_pairs(code, compared_students=compared)
    links = similarity_pages.write_pages(course.root, course.assignment, pairs, code)
    test_cells = course.graded_cells()
    passed = {g.student: {cell for cell in test_cells if g.scores[part_name(cell)] == g.maxima[part_name(cell)]}
              for g in grades}
    # A function still raising NotImplementedError returns nothing of the student's: every untouched notebook
    # "shares" it.
    returned = {student: {cell: digest for cell, digest in cells.items()
                          if by_student[student].messages.get(part_name(cell)) != NOT_IMPLEMENTED}
                for student, cells in returned.items()}
    shared, common = similarity.same_wrong_values(returned, passed)
    shared = [(part_name(cell), students) for cell, students in shared]
    common = [(part_name(cell), count) for cell, count in common]
    return similarity_pages.section(pairs, links, shared, common, len(code), too_long,
                                    len(set().union(*compared.values())))


def class_report_html(by_assignment, title, similar=None):
    """One page: a section per assignment, then every student's totals. by_assignment: {assignment: grades};
    similar: {assignment: its similar submissions' HTML}."""
    contents = ", ".join(f'<a href="#{html_text(a)}">{html_text(a)}</a>' for a in by_assignment)
    similar = similar or {}
    body = (f'<p>Assignments: {contents}; <a href="#totals">totals</a>.</p>'
            + "".join(assignment_section(a, grades, similar.get(a, "")) for a, grades in by_assignment.items())
            + f'<h2 id="totals">Totals</h2>{totals_table(by_assignment)}')
    return page(title, body)


def write_all(course, graded):
    """For each assignment in `graded` (the GradedStudents of one or several assignments of the course in
    course.root, as grade_class returns them): feedback and grades/<assignment>.csv; then the class report
    covering them all. {assignment: grades}."""
    results = collections.defaultdict(list)
    for g in graded:
        results[g.assignment].append(g)
    by_assignment, similar = {}, {}
    for assignment, its_results in results.items():
        one = Course(course.root, assignment)
        grades = by_assignment[assignment] = collect(one, its_results)
        write_csv(grades, course.root / GRADES_FOLDER / f"{assignment}.csv")
        write_feedback(one, grades)
        similar[assignment] = similarity_section(one, grades)
    title = f"{course.course_id or 'course'}: class report"
    (course.root / CLASS_REPORT).write_text(class_report_html(by_assignment, title, similar))
    return by_assignment
