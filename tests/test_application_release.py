"""Part 2's release: made by nbgrader from the committed source, with no solution or hidden test in it,
every function's signature and docstring, the visible checks, and the files the notebook reads."""
import ast
import filecmp
import re

import pytest

from conftest import REPO, new_course
from course_tools import notebooks
from course_tools.author import build_notebook
from course_tools.course import Course
from course_tools.notebooks import grade_id

ASSIGNMENT = "cnn_application"
SOURCE_DIR = REPO / "source" / ASSIGNMENT
RELEASE_DIR = REPO / "release" / ASSIGNMENT
SOLUTION_CELLS = ["one_hot", "conv_forward_fast", "conv_backward_fast", "relu", "fc", "softmax_cross_entropy",
                  "update_parameters", "model_forward_backward"]


@pytest.fixture(scope="module")
def source_nb():
    return notebooks.read(SOURCE_DIR / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def release_nb():
    return notebooks.read(RELEASE_DIR / f"{ASSIGNMENT}.ipynb")


def cells_by_id(nb):
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def functions(source):
    return {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def test_the_given_layers_are_generated_from_part_1():
    assert build_notebook.GIVEN_LAYERS.read_text() == build_notebook.given_layers(), "run `make notebook`"


def test_committed_release_is_what_nbgrader_generates(tmp_path):
    course = Course(new_course(tmp_path).root, ASSIGNMENT)
    course.generate()
    generated = course.root / "release" / ASSIGNMENT
    comparison = filecmp.dircmp(generated, RELEASE_DIR)
    assert comparison.left_only == comparison.right_only == []
    for path in generated.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (RELEASE_DIR / path.relative_to(generated)).read_bytes(), \
                f"{path.name}: run `make release`"


def test_the_release_carries_the_data_and_the_given_layers():
    for name in ("cnn_layers.py", "datasets/train_digits.h5", "datasets/test_digits.h5", "datasets/china.png"):
        assert (RELEASE_DIR / name).read_bytes() == (SOURCE_DIR / name).read_bytes(), name


def test_release_has_no_markers_or_kit(release_nb):
    text = "\n".join(c.source for c in release_nb.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_CnnGradingKit",
                   "_CnnApplicationKit", "grading_folder"):
        assert marker not in text


@pytest.mark.parametrize("cell", SOLUTION_CELLS)
def test_release_drops_every_solution_line_and_keeps_each_signature_and_docstring(release_nb, source_nb, cell):
    source, release = cells_by_id(source_nb)[cell].source, cells_by_id(release_nb)[cell].source
    solution = "".join(re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S))
    code = {line.strip() for line in solution.split("\n") if line.strip() and not line.strip().startswith("#")}
    assert code & {line.strip() for line in release.split("\n")} == set()
    assert release.startswith("# GRADED FUNCTION: ")
    wanted, released = functions(source), functions(release)
    assert sorted(released) == sorted(wanted)
    for name, function in wanted.items():
        assert ast.dump(released[name].args) == ast.dump(function.args)
        assert ast.get_docstring(released[name]) == ast.get_docstring(function)
        assert "raise NotImplementedError()" in ast.get_source_segment(release, released[name])
    hints = [line for line in source.split("\n") if line.strip().startswith("#") and not line.strip().startswith("###")]
    assert all(hint in release for hint in hints)


def test_release_test_cells_keep_their_visible_checks(release_nb, source_nb):
    released = cells_by_id(release_nb)
    for gid, cell in cells_by_id(source_nb).items():
        if gid.startswith("test_"):
            visible = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", "", cell.source, flags=re.S)
            assert released[gid].source.strip() == visible.strip()
