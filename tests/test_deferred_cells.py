"""The test cells that put reference helpers in the kernel run after every other cell (TrustedExecute.run_segments),
so each must give the verdict it would give in its place: it reads nothing a later cell binds, and no later cell
reads what it binds. Checked here on both source notebooks, by reading their code."""
import nbformat
import pytest

from conftest import REPO
from grading.cell_names import reads_and_binds
from grading.trusted_execute import ISOLATES, split_hidden, visible_code

ASSIGNMENTS = ("cnn_step_by_step", "cnn_application")


def order_dependence(sources, deferred):
    """For the cell at position `deferred` of `sources` (code cells, in order), run after all the others:
    (names it reads that a later cell binds, names it binds that a later cell reads before any later cell
    binds them)."""
    reads, binds = reads_and_binds(visible_code(sources[deferred]))
    rebound, needed, since = set(), set(), set()
    for source in sources[deferred + 1:]:
        later_reads, later_binds = reads_and_binds(visible_code(source))
        rebound |= later_binds
        needed |= later_reads - since
        since |= later_binds
    return reads & rebound, binds & needed


def deferred_cells(assignment):
    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return sources, [position for position, source in enumerate(sources)
                     if any(hidden and ISOLATES.search(code) for hidden, code in split_hidden(source))]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_deferred_cell_gives_the_verdict_it_would_give_in_its_place(assignment):
    sources, deferred = deferred_cells(assignment)
    assert deferred  # part 1: conv_forward, conv_backward, pool_backward; part 2: model_forward_backward
    for position in deferred:
        assert order_dependence(sources, position) == (set(), set())


def test_the_check_finds_a_cell_that_depends_on_its_place():
    """The check above can fail: a deferred cell that reads a name a later cell changes, and binds one a later
    cell reads."""
    hidden = "### BEGIN HIDDEN TESTS\nKit.isolate(globals(), 'zero_pad')\n### END HIDDEN TESTS\n"
    sources = ["x = 1", hidden + "y = x + 1\nassert y == 2", "x = 5\nprint(y)"]
    assert order_dependence(sources, 1) == ({"x"}, {"y"})
