"""The release holds no solution or hidden-test code, keeps every signature and docstring,
and no image link is broken in source or release."""
import ast
import re

import pytest

from conftest import GRADED_FUNCTIONS, REPO
from course_tools.notebooks import grade_id

RELEASE_DIR = REPO / "release" / "cnn_step_by_step"
SOURCE_DIR = REPO / "source" / "cnn_step_by_step"


def cells_by_id(nb):
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def function_of(source, name):
    return next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)


def code_lines(source):
    """Lines of a cell that are code: no comments, no blank lines."""
    return {line.strip() for line in source.split("\n") if line.strip() and not line.strip().startswith("#")}


def test_release_has_no_markers_or_kit(release_nb):
    text = "\n".join(c.source for c in release_nb.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_CnnGradingKit"):
        assert marker not in text


@pytest.mark.parametrize("name", GRADED_FUNCTIONS)
def test_release_drops_every_solution_line(release_nb, source_nb, name):
    source_cell, release_cell = cells_by_id(source_nb)[name], cells_by_id(release_nb)[name]
    solution = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source_cell.source, re.S)
    leaked = code_lines("".join(solution)) & code_lines(release_cell.source)
    assert leaked == set()
    assert "raise NotImplementedError()" in release_cell.source


@pytest.mark.parametrize("name", GRADED_FUNCTIONS)
def test_release_keeps_signature_docstring_and_hints(release_nb, source_nb, name):
    source_cell, release_cell = cells_by_id(source_nb)[name], cells_by_id(release_nb)[name]
    assert release_cell.source.startswith(f"# GRADED FUNCTION: {name}")
    src_fn, rel_fn = function_of(source_cell.source, name), function_of(release_cell.source, name)
    assert ast.dump(rel_fn.args) == ast.dump(src_fn.args)
    assert ast.get_docstring(rel_fn) == ast.get_docstring(src_fn)
    hints = [line for line in source_cell.source.split("\n")
             if line.strip().startswith("#") and not line.strip().startswith("###")]
    assert all(h in release_cell.source for h in hints)
    assert "(≈" in release_cell.source


def test_release_test_cells_keep_their_visible_checks(release_nb, source_nb):
    for gid, cell in cells_by_id(source_nb).items():
        if gid.startswith("test_"):
            visible = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", "", cell.source, flags=re.S)
            assert cells_by_id(release_nb)[gid].source.strip() == visible.strip()


def test_hints_never_teach_float_of_an_array(release_nb):
    text = "\n".join(c.source for c in release_nb.cells if c.cell_type == "code")
    assert "float(b)" not in text


@pytest.mark.parametrize("folder", [SOURCE_DIR, RELEASE_DIR], ids=["source", "release"])
def test_every_figure_travels_inside_the_notebook(folder):
    """A notebook downloaded alone still shows its figures: each is an attachment of its cell, the same
    bytes as the figure file drawn by `make figures` (images/ stays the single source)."""
    import base64

    from course_tools.notebooks import read
    nb = read(folder / "cnn_step_by_step.ipynb")
    shown = {(index, name) for index, c in enumerate(nb.cells) if c.cell_type == "markdown"
             for name in re.findall(r"!\[[^\]]*\]\(attachment:([\w.-]+)\)", c.source)}
    attached = {(index, name) for index, c in enumerate(nb.cells) for name in c.get("attachments", {})}
    assert len(shown) == 5 and shown == attached
    for index, name in shown:
        data = base64.b64decode(nb.cells[index].attachments[name]["image/png"])
        assert data == (SOURCE_DIR / "images" / name).read_bytes(), name
    links = [link for c in nb.cells if c.cell_type == "markdown"
             for link in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", c.source) if not link.startswith("attachment:")]
    assert links == []
