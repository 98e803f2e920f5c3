"""The class report's "Similar submissions" section, and a page per listed pair with the two students' code side
by side, the matching parts marked: similarity/<assignment>/pair-<n>.html beside class_report.html.

Pages are named by number, never by the students' names (a student's name is the student's text). Every
student text on them (names, code) goes through grading/text.py's html_text. Offline: no script, no link out.
"""
import shutil

from course_tools.report import similarity
from grading.text import html_text

FOLDER = "similarity"  # similarity/<assignment>/pair-<n>.html, beside the class report
MOST_LISTED = 50  # pairs listed per assignment, most alike first; the rest are counted
CAUTION = ("Similarity is a reason to look, not proof. Students who followed the same hints, the same lecture "
           "or the same published answer write alike; a pair listed here is two students whose own code shares "
           "more than the rest of the class's does. Read both before you conclude anything, and ask them.")
PAGE_STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222}.sides{display:flex;gap:1em}
.side{flex:1;min-width:0}pre{background:#f7f7f7;border:1px solid #ddd;padding:.6em;overflow-x:auto;font-size:90%}
mark{background:#ffe08a}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"""


def code_text(code):
    """A piece of a student's code for a <pre>: each line printable and escaped (html_text), the lines kept."""
    return "\n".join(html_text(line) for line in code.split("\n"))


def marked(code, slices):
    """The code as HTML, the characters in `slices` ([(start, end)]) inside <mark>."""
    out, at = [], 0
    for start, end in sorted(slices):
        start = max(start, at)
        if end <= start:
            continue
        out += [code_text(code[at:start]), "<mark>", code_text(code[start:end]), "</mark>"]
        at = end
    out.append(code_text(code[at:]))
    return "".join(out)


def pair_page(assignment, number, pair, code):
    """One pair's page: each cell they were compared on, the two students' own code side by side."""
    sections = []
    for cell, match in sorted(pair.matches.items(), key=lambda item: -item[1].score):
        sides = "".join(
            f'<div class="side"><h3>{html_text(student)}: {100 * share:.0f}% of this code matches</h3>'
            f"<pre>{marked(code[student][cell], slices)}</pre></div>"
            for student, share, slices in zip((pair.first, pair.second), match.shares, match.slices))
        sections.append(f"<h2><code>{html_text(cell)}</code>: score {match.score:.2f}, ranked {match.rank} of "
                        f"the {match.compared} pair{'' if match.compared == 1 else 's'} of the {match.students} "
                        f"students compared on this cell</h2><p>{match.with_code} students wrote code in this cell; "
                        f"the code of {match.with_code - match.students} of them, once what many students share is "
                        "set aside, was too short to compare.</p>"
                        f'<div class="sides">{sides}</div>')
    title = f"{assignment}: similar pair {number}"
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html_text(title)}</title>"
            f"<style>{PAGE_STYLE}</style></head><body>\n<h1>{html_text(title)}: {html_text(pair.first)} and "
            f"{html_text(pair.second)}</h1>\n<p>{html_text(CAUTION)}</p>\n<p>Shown: only the lines each student "
            "wrote in the graded cells (not the release's own), without comments. Marked: the code that matches "
            "the other student's once names, strings and spacing are set aside, leaving out what many students "
            f"of the class share.</p>\n{''.join(sections)}\n</body></html>\n")


def write_pages(root, assignment, pairs, code):
    """similarity/<assignment>/pair-<n>.html for the first MOST_LISTED pairs, replacing earlier pages; their
    paths relative to root."""
    folder = root / FOLDER / assignment
    shutil.rmtree(folder, ignore_errors=True)
    paths = []
    for number, pair in enumerate(pairs[:MOST_LISTED], 1):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"pair-{number}.html").write_text(pair_page(assignment, number, pair, code))
        paths.append(f"{FOLDER}/{assignment}/pair-{number}.html")
    return paths


def section(pairs, links, shared, common, students, too_long=None, compared=0):
    """The class report's section of one assignment: the listed pairs, the cells too long to compare in full
    (too_long: {student: [cells]}), then the shared wrong values (shared, common: same_wrong_values's, each
    test cell given as its graded part's name)."""
    rows = "".join(
        f"<tr><td>{html_text(p.first)}</td><td>{html_text(p.second)}</td><td class=num>{p.score:.2f}</td>"
        f"<td>{html_text(', '.join(p.flagged_cells()))}</td><td><a href=\"{link}\">side by side</a></td></tr>"
        for p, link in zip(pairs, links))
    more = len(pairs) - len(links)
    listed = (f"<table><tr><th>student</th><th>student</th><th>score</th><th>cells</th><th>code</th></tr>{rows}"
              "</table>" + (f"<p>{more} more pairs reached the threshold and are not listed.</p>" if more else "")
              if pairs else "<p>No pair of students reached the threshold.</p>")
    cut = "; ".join(f"{student} ({', '.join(cells)})" for student, cells in sorted((too_long or {}).items()))
    if cut:
        listed += (f"<p>Compared on their first {similarity.MOST_LINES} lines of code only (the rest of each is "
                   f"not read: look at these yourself): {html_text(cut)}.</p>")
    groups = "".join(f"<tr><td><code>{html_text(part)}</code></td>"
                     f"<td>{html_text(', '.join(names))}</td></tr>" for part, names in shared)
    commons = "; ".join(f"{part}: {n} students" for part, n in common)
    return (
        "<h3>Similar submissions</h3>"
        f"<p><b>{html_text(CAUTION)}</b></p>"
        f"<p>Compared: the code the students wrote in the graded cells, cell by cell, without the release's own "
        "lines, comments and imports, names and spacing set aside. What many students share (a tenth of the "
        "class or more) counts for nothing, and a student's cell whose own code is then too short to tell apart "
        f"from others' (a one-line answer) is not compared: {compared} of the {students} students had enough code "
        "of their own in at least one cell. Score: the share of one student's own code that is also in the "
        f"other's (the larger of the two once {similarity.MATCHED} characters of code match, else the smaller); "
        f"listed from {similarity.FLAGGED:.1f} on.</p>{listed}"
        "<h4>The same wrong values</h4>"
        "<p>Students whose functions returned the same wrong values on the same hidden cases (the same bug, "
        "seen in what the code computes rather than how it is written). Values a student got full points with "
        "are not counted.</p>"
        + (f"<table><tr><th>part</th><th>students</th></tr>{groups}</table>" if shared else
           "<p>No two students share wrong values that few others share.</p>")
        + (f"<p>Common mistakes, shared by too many students to mean anything: {html_text(commons)}.</p>"
           if common else ""))
