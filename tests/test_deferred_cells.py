"""The test cells that put reference helpers in the kernel run after every other cell (TrustedExecute.run_segments),
so each must give the verdict it would give in its place: it reads nothing a later cell binds, and no later cell
reads what it binds. Checked here on both source notebooks, by reading their code."""
import nbformat
import pytest

from conftest import REPO
from grading.cell_names import reads_and_binds
from grading.trusted_execute import ISOLATES, free_names, split_hidden, visible_code

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


def deferred_engine(nb):
    """A TrustedExecute holding `nb` and its deferred parts, as run_segments leaves them before
    run_deferred_tests: (cell, index, segments from the deferring one, outputs, seconds left, budget)."""
    from grading.trusted_execute import TrustedExecute

    engine = TrustedExecute()
    engine.nb, engine.deferred = nb, []
    for index, cell in enumerate(nb.cells):
        segments = split_hidden(cell.source) if cell.cell_type == "code" else []
        for position, (hidden, code) in enumerate(segments):
            if hidden and ISOLATES.search(code):
                engine.deferred.append((cell, index, segments[position:], [], 30.0, None))
                break
    return engine


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_graded_notebook_keeps_its_kernel_for_the_deferred_cells(assignment):
    """The grader's own check (TrustedExecute.later_cells_rebind) on the source notebook: nothing after a deferred
    cell rebinds what that cell reads. Part 1's conv_backward is defined after conv_forward's deferred test and
    read by conv_backward's own deferred test, which comes after it: each sees what it would in its place. When
    the check read all the deferred cells' names against every cell after the first of them, that definition
    sent every part 1 notebook to a new kernel and a replay (the reference: 0.97 s -> 0.60 s a notebook)."""
    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    assert deferred_engine(nb).later_cells_rebind() is False


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_cell_after_the_last_deferred_one_that_redefines_what_it_tests_is_found(assignment):
    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    engine = deferred_engine(nb)
    _, last, segments, _, _, _ = engine.deferred[-1]
    tested = sorted(name for name in free_names("\n".join(code for hidden, code in segments if hidden))
                    if name in {"conv_forward", "conv_backward", "pool_backward", "model_forward_backward"})
    assert tested
    nb.cells.append(nbformat.v4.new_code_cell(f"def {tested[0]}(*args):  # scratch, never called\n    return None\n"))
    assert engine.later_cells_rebind() is True
    nb.cells.pop()
    nb.cells.insert(last, nbformat.v4.new_code_cell(f"def {tested[0]}(*args):\n    return None\n"))
    assert deferred_engine(nb).later_cells_rebind() is False  # before the deferred cell: what it sees in its place


def raising_engine(nb):
    """deferred_engine(nb), its kernel standing in: every cell it runs raises (as a failed visible check does)."""
    from nbformat.v4 import new_output

    engine = deferred_engine(nb)
    engine.kc, engine.budget_left, engine.test_sources, engine.disturbed_since_deferral = object(), None, {}, False
    engine.notebook_output_bytes, engine.seconds = 0, {"kernel": 0.0}
    engine.current_timeout = lambda: 30.0
    engine.execute_cell = lambda run, index, store_history: run.outputs.append(
        new_output("error", ename="AssertionError", evalue="the visible check failed", traceback=[]))
    return engine


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_test_cell_whose_visible_check_raises_keeps_the_kernel_for_the_deferred_cells(assignment):
    """The code cut short is the instructor's check: nothing of it to undo, so no new kernel and replay (a wrong
    notebook fails visible checks after a deferred cell in most of the corpus)."""
    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    engine = raising_engine(nb)
    _, last, _, _, _, _ = engine.deferred[-1]
    test_cell = next(cell for cell in nb.cells[:last] if cell.metadata.get("nbgrader", {}).get("grade"))
    engine.test_sources = {test_cell.metadata.nbgrader.grade_id: test_cell.source}
    engine.run_in_kernel(test_cell, nb.cells.index(test_cell), "assert False")
    assert engine.disturbed_since_deferral is False


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_students_cell_that_raises_sends_the_deferred_cells_to_a_new_kernel(assignment):
    """A cell of the student's own cut short may have skipped its own undoing (np.seterr put back, a patch
    removed): the deferred cells then run in a new kernel that replays the earlier cells."""
    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    engine = raising_engine(nb)
    nb.cells.append(nbformat.v4.new_code_cell("np.seterr(all='raise')\nscratch()\nnp.seterr(all='warn')\n"))
    engine.run_in_kernel(nb.cells[-1], len(nb.cells) - 1, nb.cells[-1].source)
    assert engine.disturbed_since_deferral is True


def reading_numpy(assignment):
    """deferred_engine on the source notebook, and the index of its last deferred cell that reads np."""
    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    engine = deferred_engine(nb)
    reads_np = [index for _, index, segments, _, _, _ in engine.deferred
                if any("np" in reads_and_binds(code)[0] for hidden, code in segments if not hidden)]
    assert reads_np  # the visible checks of a deferred cell use numpy
    return nb, engine


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_later_cell_that_imports_numpy_again_keeps_the_kernel(assignment):
    """`import numpy as np` in a student's later cell binds np to the module it already was: the deferred cells
    see the same np at the end (before, every such notebook got a new kernel and a replay)."""
    nb, engine = reading_numpy(assignment)
    nb.cells.append(nbformat.v4.new_code_cell("import numpy as np\n\ndef helper(x):\n    return np.sum(x)\n"))
    assert engine.later_cells_rebind() is False


@pytest.mark.parametrize("later", ["import numpy.random as np", "np = None", "import numpy as np\nnp = np.random",
                                   "from numpy import *", "for np in range(2):\n    pass",
                                   "try:\n    pass\nexcept Exception as np:\n    pass"])
def test_a_later_cell_that_binds_np_otherwise_sends_the_deferred_cells_to_a_new_kernel(later):
    nb, engine = reading_numpy("cnn_step_by_step")
    nb.cells.append(nbformat.v4.new_code_cell(later))
    assert engine.later_cells_rebind() is True


def test_an_import_first_made_after_the_deferred_cell_counts_as_a_rebinding():
    """In its place the deferred cell would not see a module imported only later."""
    nb, engine = reading_numpy("cnn_step_by_step")
    for cell in nb.cells:
        if cell.cell_type == "code" and "import numpy as np" in cell.source:
            cell.source = cell.source.replace("import numpy as np", "import numpy")
    nb.cells.append(nbformat.v4.new_code_cell("import numpy as np"))
    assert engine.later_cells_rebind() is True


def test_imports_names_what_each_import_binds():
    from grading.cell_names import imports

    assert imports("import numpy as np\nimport os.path\nimport numpy.linalg as la\nfrom numpy import pad as p\n"
                   "%matplotlib inline") == {"np": ("import", "numpy"), "os": ("import", "os"),
                                             "la": ("import", "numpy.linalg"), "p": ("from", "numpy", "pad")}
    assert imports("import numpy as np\nnp = 3") == {}
    assert imports("from . import helpers") == {}


def released_engine(assignment, root=REPO):
    """raising_engine on the source notebook, told the release's cells as nbgrader autograde would be, from the
    release folder of the course at `root`; and the index of the first deferred cell."""
    from traitlets.config import Config

    nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    engine = raising_engine(nb)
    config = Config()
    config.CourseDirectory.root = str(root)
    engine.config = config
    engine.released_cells = engine.load_released_cells({"nbgrader": {"assignment": assignment,
                                                                      "notebook": assignment}})
    return nb, engine, engine.deferred[0][1]


def worked_examples_after(nb, first):
    """Indexes of the free code cells after `first` that read a name the solution cells bind (their functions,
    and their arguments' names)."""
    defined = set()
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            defined |= reads_and_binds(cell.source)[1]
    return [index for index, cell in enumerate(nb.cells) if index > first and cell.cell_type == "code"
            and not cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata.get("nbgrader", {}).get("solution")
            and reads_and_binds(cell.source)[0] & defined]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_worked_example_of_the_release_that_raises_keeps_the_kernel(assignment):
    """An untouched or broken function raises in the release's worked examples: the code cut short is the
    instructor's, with nothing to put back, so the deferred cells keep their kernel (before, every untouched
    notebook got a new kernel and a replay: part 1 in process 0.89 s -> 0.61 s a notebook)."""
    nb, engine, first = released_engine(assignment)
    examples = worked_examples_after(nb, first)
    assert examples  # part 1: pool_forward's, conv_backward's, ...; part 2: the training cell, the figures
    for index in examples:
        engine.run_in_kernel(nb.cells[index], index, nb.cells[index].source)
    assert engine.disturbed_since_deferral is False


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_worked_example_the_student_changed_that_raises_sends_the_deferred_cells_to_a_new_kernel(assignment):
    nb, engine, first = released_engine(assignment)
    index = worked_examples_after(nb, first)[-1]
    nb.cells[index].source = "np.seterr(all='raise')\n" + nb.cells[index].source + "\nnp.seterr(all='warn')\n"
    engine.run_in_kernel(nb.cells[index], index, nb.cells[index].source)
    assert engine.disturbed_since_deferral is True


def test_without_a_release_every_raised_cell_is_a_disturbance(tmp_path):
    nb, engine, first = released_engine("cnn_step_by_step", root=tmp_path)
    assert engine.released_cells == frozenset()
    index = worked_examples_after(nb, first)[0]
    engine.run_in_kernel(nb.cells[index], index, nb.cells[index].source)
    assert engine.disturbed_since_deferral is True


@pytest.mark.parametrize("code", ["old = np.seterr(all='raise')\nf()\nnp.seterr(**old)",
                                  "np.set_printoptions(precision=3)", "plt.rcParams['image.cmap'] = 'gray'",
                                  "np.random.set_state(saved)", "import sys\nsys.stdout = open('/dev/null', 'w')",
                                  "warnings.simplefilter('ignore')", "x.shape = (2, 3)",
                                  "manager = np.errstate(all='raise')\nmanager.__enter__()\nf()\n"
                                  "manager.__exit__(None, None, None)", "def broken(:\n    pass"])
def test_code_that_may_put_back_a_setting_has_something_to_undo(code):
    from grading.cell_names import nothing_to_undo

    assert nothing_to_undo(code) is False


@pytest.mark.parametrize("code", ["np.random.seed(1)\nx = np.random.randn(2, 3)\nprint(f(x))",
                                  "with np.errstate(all='raise'):\n    y = f(x)",
                                  "for i in range(3):\n    x[i] = f(x)\n    x[i] = 0",
                                  "try:\n    y = f(x)\nfinally:\n    print('done')",
                                  "def helper(x):\n    return f(x)\n\nz = helper(3)\n%matplotlib inline"])
def test_code_that_only_computes_prints_and_keeps_its_own_objects_has_nothing_to_undo(code):
    from grading.cell_names import nothing_to_undo

    assert nothing_to_undo(code) is True


def test_a_star_import_anywhere_makes_no_name_always_the_same_import():
    """`from math import *` before the deferred cell may have rebound np there, unseen: a later
    `import numpy as np` then changes what the deferred cell reads."""
    nb, engine = reading_numpy("cnn_step_by_step")
    nb.cells.insert(1, nbformat.v4.new_code_cell("from math import *"))
    engine = deferred_engine(nb)
    nb.cells.append(nbformat.v4.new_code_cell("import numpy as np"))
    assert engine.names_always_imported() is None
    assert engine.later_cells_rebind() is True


def test_reference_helpers_that_cannot_be_sent_fail_the_cell_not_the_notebook():
    """The helpers a hidden part asked for go in before the visible part after it runs: if they cannot (the
    kernel hung on them and could not be replaced), that cell fails with the reason, and grading goes on."""
    from grading.kernel_calls import KernelCallFailed

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    engine = raising_engine(nb)
    engine.definitions_to_send = ["_cnn_grading_define('zero_pad', 'def zero_pad(X, pad):\\n    return X')"]

    def hung(code, what, expression=False):
        engine.kc = None  # as async_replace_kernel leaves it past max_kernel_restarts
        raise KernelCallFailed("CellTimeoutError", f"{what} ran longer than the time limit")

    engine.kernel_request = hung
    outputs = engine.run_in_kernel(nb.cells[0], 0, "x = 1")
    assert [(o.output_type, o.ename) for o in outputs] == [("error", "CellTimeoutError")]
    assert "reference helpers" in outputs[0].evalue
