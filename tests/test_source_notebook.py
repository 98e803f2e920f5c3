"""The source notebook runs top to bottom, and its worked examples print the brief's numbers."""
import re

import pytest
from nbclient import NotebookClient

from conftest import GRADED_FUNCTIONS, REPO

SOURCE_DIR = REPO / "source" / "cnn_step_by_step"


@pytest.fixture(scope="module")
def executed(source_nb):
    nb = source_nb.copy()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(SOURCE_DIR)}}).execute()
    return nb


def stdout_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def example_output(executed, first_line):
    """The printed output of the worked-example cell whose code starts with first_line's call."""
    for cell in executed.cells:
        if cell.cell_type == "code" and "nbgrader" not in cell.metadata and first_line in cell.source:
            return stdout_of(cell)
    raise AssertionError(f"no worked example calls {first_line}")


def test_every_cell_runs_without_error(executed):
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_every_test_cell_reports_its_visible_checks_passed(executed):
    passed = [name for name in GRADED_FUNCTIONS
              if any(f"{name}: visible checks passed." in stdout_of(c) for c in executed.cells)]
    assert passed == GRADED_FUNCTIONS


def test_no_test_cell_writes_to_stderr(executed):
    # nbgrader scores a test cell with any stderr output as zero.
    stderr = [c.metadata.get("nbgrader", {}).get("grade_id") for c in executed.cells
              if any(o.get("name") == "stderr" for o in c.get("outputs", []))]
    assert stderr == []


def test_zero_pad_example(executed):
    out = example_output(executed, "zero_pad(x, 2)")
    assert "x_pad.shape = (4, 7, 7, 2)" in out
    assert "x_pad[1, 1] =\n [[0. 0.]\n" + " [0. 0.]\n" * 5 + " [0. 0.]]" in out
    assert "[[ 0.90085595 -0.68372786]" in out


def test_conv_single_step_example(executed):
    assert "Z = -6.999089450680221" in example_output(executed, "conv_single_step(a_slice_prev, W, b)")


def test_conv_forward_example(executed):
    out = example_output(executed, "Z, cache_conv = conv_forward(A_prev, W, b, hparameters)")
    assert "Z's mean = 0.048995203528855794" in out
    assert ("Z[3, 2, 1] = [-0.61490741 -6.7439236  -2.55153897  1.75698377  3.56208902  0.53036437\n"
            "  5.18531798  8.75898442]") in out
    assert "cache_conv[0][1][2][3] = [-0.20075807  0.18656139  0.41005165]" in out


def test_conv_backward_example(executed):
    out = example_output(executed, "dA, dW, db = conv_backward(Z, cache_conv)")
    printed = {k: float(v) for k, v in re.findall(r"(\w+_mean) = (\S+)", out)}
    # The brief's values; NumPy 2 sums in another order, so the 16th digit may differ.
    brief = {"dA_mean": 1.4524377775388078, "dW_mean": 1.7269914583139085, "db_mean": 7.839232564616838}
    assert printed.keys() == brief.keys()
    for name, value in brief.items():
        assert printed[name] == pytest.approx(value, rel=1e-12, abs=0), name


def test_pool_forward_example(executed):
    out = example_output(executed, 'pool_forward(A_prev, hparameters, mode="max")')
    assert out.count("A.shape = (2, 1, 1, 3)") == 2
    for row in ("[1.74481176 0.86540763 1.13376944]", "[1.13162939 1.51981682 2.18557541]",
                "[ 0.02105773 -0.20328806 -0.40389855]", "[-0.22154621  0.51716526  0.48155844]"):
        assert row in out


def test_the_second_pooling_example_has_a_stride_and_a_2x2_output(executed):
    outputs = [stdout_of(c) for c in executed.cells if c.cell_type == "code" and "nbgrader" not in c.metadata
               and 'pool_forward(A_prev, hparameters, mode="max")' in c.source]
    assert len(outputs) == 2
    assert outputs[1].count("A.shape = (2, 2, 2, 3)") == 2


def test_the_gradient_checks_print_errors_below_their_bound(executed):
    lines = [line for c in executed.cells for line in stdout_of(c).splitlines() if "relative error" in line]
    assert [line.split(":")[0] for line in lines] == ["dA_prev", "dW", "db", "max", "average"]
    for line in lines:
        assert float(re.search(r"relative error (\S+) ", line).group(1)) < 1e-7, line


def test_mask_example(executed):
    assert "mask = [[ True False False]\n [False False False]]" in example_output(executed, "create_mask_from_window(x)")


def test_distribute_value_example(executed):
    assert "[[0.5 0.5]\n [0.5 0.5]]" in example_output(executed, "distribute_value(2, (2, 2))")


def test_pool_backward_example(executed):
    out = example_output(executed, 'pool_backward(dA, cache, mode="max")')
    assert out.count("mean of dA = 0.14571390272918056") == 2
    assert "[[ 0.          0.        ]\n [ 5.05844394 -1.68282702]\n [ 0.          0.        ]]" in out
    assert "[[ 0.08485462  0.2787552 ]\n [ 1.26461098 -0.25749373]\n [ 1.17975636 -0.53624893]]" in out


def expected_blocks(nb):
    """(worked-example cell, expected text) for each "Expected output" Markdown cell."""
    pairs = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.startswith("**Expected output"):
            block = re.search(r"```\n(.*?)\n```", cell.source, re.S)
            pairs.append((nb.cells[index - 1], block.group(1)))
    return pairs


def test_every_expected_output_is_what_the_example_prints(executed):
    pairs = expected_blocks(executed)
    assert len(pairs) == 9
    for example, expected in pairs:
        assert stdout_of(example).strip("\n") == expected, example.source.split("\n")[0]
