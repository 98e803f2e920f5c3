"""Build the source notebook from its readable text form in authoring/.

The text form keeps solutions and hidden tests reviewable as plain diffs. Its rules:

* Text outside code fences is Markdown; a line ``+++`` starts a new Markdown cell.
* A fence opened by a line ```` ```python ```` is a code cell. After ``python`` it may
  name an nbgrader role: ``solution:ID`` (a GRADED FUNCTION cell),
  ``tests:ID:POINTS`` (an autograder test cell) or ``readonly:ID`` (a locked cell).
* Inside a code cell, a line ``%include FILE`` is replaced by that file's text
  (read from authoring/), so the hidden grading kit can live in a real module.
* A figure written ``![text](images/NAME.png)`` is embedded in its Markdown cell as the
  attachment NAME.png, read from source/<assignment>/images/ (drawn by ``make figures``).

Each assignment has its text form, ``authoring/<assignment>.md``, and its notebook,
``source/<assignment>/<assignment>.ipynb``. Run ``python -m course_tools.author.build_notebook``
(``make notebook``) after editing: it builds every assignment's notebook.
"""
import base64
import re
import sys

import nbformat

from course_tools.course import ASSIGNMENT, ASSIGNMENTS, ROOT
from course_tools.notebooks import reference_solutions

AUTHORING = ROOT / "authoring"

FENCE = re.compile(r"^```python(?:\s+(?P<role>solution|tests|readonly):(?P<id>[\w-]+)(?::(?P<points>\d+))?)?\s*$")
INCLUDE = re.compile(r"^%include (?P<file>[\w./-]+)\s*$")
FIGURE = re.compile(r"(?P<text>!\[[^\]]*\]\()images/(?P<name>[\w.-]+\.png)\)")


def text_form(assignment):
    return AUTHORING / f"{assignment}.md"


def source_notebook(assignment):
    return ROOT / "source" / assignment / f"{assignment}.ipynb"


def nbgrader_metadata(role, grade_id, points):
    meta = {"grade": role == "tests", "grade_id": grade_id, "locked": role != "solution",
            "schema_version": 3, "solution": role == "solution", "task": False}
    if role == "tests":
        meta["points"] = int(points)
    return meta


def expand_includes(lines):
    out = []
    for line in lines:
        match = INCLUDE.match(line)
        out.extend((AUTHORING / match["file"]).read_text().rstrip("\n").split("\n") if match else [line])
    return out


def attach_figures(cell, figures):
    """Embed the figures a Markdown cell shows as its attachments, so that a notebook downloaded alone
    (from an LMS, say) still shows them; the files in images/ stay their single source."""
    names = [match["name"] for match in FIGURE.finditer(cell.source)]
    if names:
        cell.source = FIGURE.sub(lambda match: f"{match['text']}attachment:{match['name']})", cell.source)
        cell.attachments = {name: {"image/png": base64.b64encode((figures / name).read_bytes()).decode()}
                            for name in names}
    return cell


def parse(text, figures):
    """Turn the text form into a list of nbformat cells; `figures` is the folder of its images."""
    cells, buffer, fence = [], [], None

    def flush_markdown():
        body = "\n".join(buffer).strip("\n")
        if body.strip():
            cells.append(attach_figures(nbformat.v4.new_markdown_cell(body), figures))
        buffer.clear()

    for number, line in enumerate(text.split("\n"), 1):
        if fence is None:
            match = FENCE.match(line)
            if match:
                flush_markdown()
                fence = match
            elif line.strip() == "+++":
                flush_markdown()
            else:
                buffer.append(line)
        elif line.strip() == "```":
            cell = nbformat.v4.new_code_cell("\n".join(expand_includes(buffer)).strip("\n"))
            if fence["role"]:
                cell.metadata["nbgrader"] = nbgrader_metadata(fence["role"], fence["id"], fence["points"])
            cells.append(cell)
            buffer.clear()
            fence = None
        else:
            buffer.append(line)
    if fence is not None:
        raise ValueError("a code fence is never closed")
    flush_markdown()
    return cells


def build(text, figures):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.cells = parse(text, figures)
    # Stable ids keep the committed notebook byte-for-byte reproducible.
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = grade_id or f"cell-{index:03d}"
    nbformat.validate(nb)
    return nb


def render(assignment=ASSIGNMENT, text=None):
    """The source notebook of `assignment`, as text, from its text form (or from `text`)."""
    text = text_form(assignment).read_text() if text is None else text
    return nbformat.writes(build(text, source_notebook(assignment).parent / "images")) + "\n"


# Part 2 gives its students part 1's layers as a module, released after part 1's deadline: the
# convolution exactly as part 1's reference solution wrote it (the loop version part 2 makes fast
# and times against), and pooling vectorised (part 2 trains with it and does not grade it).
GIVEN_LAYERS = ROOT / "source" / ASSIGNMENTS[1] / "cnn_layers.py"
GIVEN_FROM_PART_1 = ("zero_pad", "conv_single_step", "conv_forward", "conv_backward")
LINE_HINT = re.compile(r" \(≈ \d+ lines?\)")  # the student's hint of how much to write


def given_layers():
    """The text of cnn_layers.py: a header, part 1's reference convolution, then authoring/pooling_fast.py."""
    part_1 = build(text_form(ASSIGNMENTS[0]).read_text(), source_notebook(ASSIGNMENTS[0]).parent / "images")
    cells = reference_solutions(part_1)  # the solution cells without their solution markers
    header = ('"""Part 1\'s layers, given with part 2 (generated by `make notebook`; do not edit).\n\n'
              'The convolution is part 1\'s reference solution, one loop per axis: part 2 makes it fast and\n'
              'times its own version against this one. Pooling is vectorised, for training.\n"""\n'
              "import numpy as np\n")
    functions = [LINE_HINT.sub("", "\n".join(line for line in cells[name].split("\n")
                                              if not line.startswith("# GRADED FUNCTION"))).strip("\n")
                 for name in GIVEN_FROM_PART_1]
    pooling = (AUTHORING / "pooling_fast.py").read_text().strip("\n")
    return "\n\n\n".join([header.rstrip("\n"), *functions, pooling]) + "\n"


def main():
    GIVEN_LAYERS.write_text(given_layers())
    print(f"wrote {GIVEN_LAYERS.relative_to(ROOT)}")
    for assignment in ASSIGNMENTS:
        if not text_form(assignment).exists():
            continue
        path = source_notebook(assignment)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(assignment))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
