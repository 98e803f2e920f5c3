"""What the instructor sends and reads after grading: feedback pages, grades.csv, the class report.

Everything is read from the gradebook and the autograded notebooks. Feedback shows
each test's result and its one-line failure message, never a cell's source (nbgrader's
own generate_feedback copies hidden tests into its HTML). The products hold no
timestamps, so grading the same submissions twice writes the same files.
"""
import base64
import collections
import csv
import html
import io
import re
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from course_tools.course import GRADED_FUNCTIONS, NOTEBOOK  # noqa: E402

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.ok{color:#2e7d32}.fail{color:#c62828}.num{text-align:right}"""


@dataclass
class StudentGrades:
    student: str
    scores: dict  # function -> points
    maxima: dict  # function -> points possible
    penalty: float = 0.0
    problems: list = field(default_factory=list)
    messages: dict = field(default_factory=dict)  # function -> plain failure message

    @property
    def raw(self):
        return sum(self.scores.values())

    @property
    def total(self):
        return max(0.0, self.raw - self.penalty)


def collect(course, graded):
    """One StudentGrades per student in the gradebook, with the problems the grader reported."""
    problems = {g.student: g.problems for g in graded}
    scores, maxima = course.scores(), course.max_scores()
    penalties = course.late_penalties()
    fmax = {f: maxima[f"test_{f}"] for f in GRADED_FUNCTIONS}
    out = []
    for student in sorted(set(course.students()) | set(problems)):
        cells = scores.get(student, {})
        messages = course.failure_messages(student)
        out.append(StudentGrades(
            student,
            {f: cells.get(f"test_{f}") or 0.0 for f in GRADED_FUNCTIONS},
            fmax,
            penalties.get(student, 0.0),
            problems.get(student, []),
            {f: messages[f"test_{f}"] for f in GRADED_FUNCTIONS if f"test_{f}" in messages},
        ))
    return out


def write_csv(grades, path):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *GRADED_FUNCTIONS, "raw_score", "late_penalty", "score", "problems"])
        for g in grades:
            writer.writerow([g.student, *(f"{g.scores[f]:g}" for f in GRADED_FUNCTIONS),
                             f"{g.raw:g}", f"{g.penalty:g}", f"{g.total:g}", "; ".join(g.problems)])


def page(title, body):
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def feedback_html(g, assignment):
    rows = []
    for f in GRADED_FUNCTIONS:
        full = g.scores[f] == g.maxima[f]
        reason = g.messages.get(f, "" if full else "no test result (no notebook was graded)")
        rows.append(f"<tr><td><code>{f}</code></td><td class=num>{g.scores[f]:g} / {g.maxima[f]:g}</td>"
                    f"<td class={'ok' if full else 'fail'}>{'passed' if full else 'failed'}</td>"
                    f"<td>{html.escape(reason)}</td></tr>")
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in g.problems)
    late = f"<p>Late penalty: &minus;{g.penalty:g} points.</p>" if g.penalty else ""
    body = (f"<p>Score: <b>{g.total:g} / {sum(g.maxima.values()):g}</b> (tests: {g.raw:g})</p>{late}"
            + (f"<p>While grading we noticed:</p><ul>{problems}</ul>" if problems else "")
            + "<table><tr><th>function</th><th>points</th><th>result</th><th>what went wrong</th></tr>"
            + "".join(rows) + "</table>"
            + "<p>Each function was graded on its own: a mistake in one helper does not cost the "
              "points of the functions that call it.</p>")
    return page(f"{assignment}: feedback for {g.student}", body)


def write_feedback(course, grades):
    paths = []
    for g in grades:
        path = course.root / "feedback" / g.student / course.assignment / f"{NOTEBOOK}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_html(g, course.assignment))
        paths.append(path)
    return paths


def figure_tag(fig, alt):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def score_histogram(grades):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist([g.total for g in grades], bins=range(0, 111, 10), color="#3d85c6", edgecolor="white")
    ax.set_xlabel("score (after late penalties)")
    ax.set_ylabel("students")
    ax.set_xticks(range(0, 101, 10))
    return figure_tag(fig, "Distribution of scores")


def pass_rates(grades):
    rates = [sum(g.scores[f] == g.maxima[f] for g in grades) / len(grades) for f in GRADED_FUNCTIONS]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.barh(GRADED_FUNCTIONS[::-1], [100 * r for r in rates[::-1]], color="#6aa84f")
    ax.set_xlim(0, 100)
    ax.set_xlabel("students with full credit (%)")
    return figure_tag(fig, "Pass rate of each function"), rates


def message_pattern(message):
    """Group messages that differ only in their numbers and case details."""
    message = re.sub(r"case \d+(, mode '\w+')? \([^)]*\)", "case N", message)
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", message)


def common_failures(grades, most=10):
    counts = collections.Counter((f, message_pattern(m)) for g in grades for f, m in g.messages.items())
    return counts.most_common(most)


def class_report_html(grades, assignment):
    totals = sorted(g.total for g in grades)
    rates_img, rates = pass_rates(grades)
    mean = sum(totals) / len(totals)
    median = (totals[(len(totals) - 1) // 2] + totals[len(totals) // 2]) / 2
    failures = "".join(f"<tr><td class=num>{n}</td><td><code>{f}</code></td><td>{html.escape(p)}</td></tr>"
                       for (f, p), n in common_failures(grades))
    students = "".join(
        f"<tr><td>{html.escape(g.student)}</td><td class=num>{g.total:g}</td><td class=num>{g.penalty:g}</td>"
        f"<td>{html.escape('; '.join(g.problems))}</td></tr>" for g in grades)
    rate_rows = "".join(f"<tr><td><code>{f}</code></td><td class=num>{100 * r:.0f}%</td></tr>"
                        for f, r in zip(GRADED_FUNCTIONS, rates))
    body = (f"<p>{len(grades)} students; mean {mean:.1f}, median {median:g}, "
            f"lowest {totals[0]:g}, highest {totals[-1]:g}.</p>"
            f"<h2>Distribution of scores</h2>{score_histogram(grades)}"
            f"<h2>Pass rate of each function</h2>{rates_img}<table>{rate_rows}</table>"
            "<h2>Most common failure messages</h2><table><tr><th>students</th><th>function</th><th>message</th></tr>"
            f"{failures}</table>"
            "<h2>Students</h2><table><tr><th>student</th><th>score</th><th>late penalty</th><th>problems</th></tr>"
            f"{students}</table>")
    return page(f"{assignment}: class report", body)


def write_all(course, graded):
    grades = collect(course, graded)
    write_csv(grades, course.root / "grades.csv")
    feedback = write_feedback(course, grades)
    (course.root / "class_report.html").write_text(class_report_html(grades, course.assignment))
    return grades, feedback
