"""Part 2's corpus (corpus/cnn_application/): every wrong entry rejected, every right entry accepted, every
slow entry denied the speed points and nothing else of its own, no collateral loss, through the real
`nbgrader autograde` (about ten minutes on one core, in three courses that `make test` grades side by side).

A wrong entry may also lose the cells that run its cell besides its own test (course_tools.proof.corpus.PART2's
dependents: the speed cell of a fast convolution, and the training, which uses all of the student's
functions), and no other: a wrong relu must cost nothing of fc, softmax_cross_entropy, update_parameters
or the model.
"""
import collections
import io

import pytest

from conftest import REPO, generated_course
from course_tools import notebooks
from course_tools.proof import corpus
from test_feedback_values import leaks

ASSIGNMENT = corpus.PART2
SOLUTION_CELLS = ["one_hot", "conv_forward_fast", "conv_backward_fast", "relu", "fc", "softmax_cross_entropy",
                  "update_parameters", "model_forward_backward"]
# The corpus is graded as CHUNKS courses of about equal cost, so that pytest-xdist's workers share it (each
# chunk's tests form an xdist group); every notebook (corpus.notebooks: right entries share them) is in one
# of them. A slow entry (part 1's loops) costs about four others: its training runs the loops until the
# cell timeout.
CHUNKS = 3
# The chunks' courses time a cell out after 10 s, not nbgrader_config.py's 30 (a right entry's slowest cell takes
# about 1.3 s). Only a slow entry's training runs into it: its visible training with the loops takes about 20 s
# and the grader's about 17 s. With 30 s both finish and the entry keeps or loses the training by its accuracy;
# with 10 s both time out and it loses the training, which a slow entry may lose either way (corpus.PART2's
# dependents). The speed cells, before them, are timed alike.
CELL_TIMEOUT = 10


def in_chunks(notebooks, count, weight):
    """The entries of `notebooks` (lists of entries) dealt into `count` lists of about equal total weight, a
    notebook's entries together (heaviest notebook first, each to the lightest list), each list in the
    corpus's order."""
    chunks, loads = [[] for _ in range(count)], [0] * count
    for index, notebook in sorted(enumerate(notebooks), key=lambda item: -weight(item[1])):
        lightest = loads.index(min(loads))
        chunks[lightest].append((index, notebook))
        loads[lightest] += weight(notebook)
    return [[entry for _, notebook in sorted(chunk, key=lambda item: item[0]) for entry in notebook]
            for chunk in chunks]


PLAN = in_chunks(corpus.notebooks(corpus.load(corpus.reference_of(ASSIGNMENT), ASSIGNMENT)), CHUNKS,
                 lambda notebook: 4 if any(e.kind == "slow" for e in notebook) else 1)
CHUNK_OF = {e.name: k for k, chunk in enumerate(PLAN) for e in chunk}
SLOW_CHUNKS = {k for k, chunk in enumerate(PLAN) if any(e.kind == "slow" for e in chunk)}


def chunks(where=lambda k: True):
    """Test parameters: the chunks (those for which where(k) holds), each in an xdist group of its own."""
    return [pytest.param(k, id=f"chunk{k}", marks=pytest.mark.xdist_group(f"corpus_application-{k}"))
            for k in range(CHUNKS) if where(k)]


@pytest.fixture(scope="module")
def reference():
    return corpus.reference_of(ASSIGNMENT)


@pytest.fixture(scope="module")
def entries(reference):
    return corpus.load(reference, ASSIGNMENT)


def test_the_solution_cells_are_the_ones_the_corpus_covers(reference):
    assert list(reference) == SOLUTION_CELLS
    # every dependent and speed cell the corpus names is a test cell of the notebook
    source = notebooks.read(REPO / "source" / ASSIGNMENT.name / f"{ASSIGNMENT.name}.ipynb")
    tests = {notebooks.grade_id(c) for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    named = {cell for cells in ASSIGNMENT.dependents.values() for cell in cells} | set(ASSIGNMENT.speed.values())
    assert {f"test_{cell}" for cell in named} <= tests
    assert set(ASSIGNMENT.dependents) | set(ASSIGNMENT.speed) <= set(SOLUTION_CELLS)


def test_corpus_is_large_enough(entries):
    wrong = collections.Counter(next(iter(e.answers)) for e in entries if e.kind == "wrong")
    assert sum(wrong.values()) >= 30
    assert {cell: wrong[cell] >= 3 for cell in SOLUTION_CELLS} == {cell: True for cell in SOLUTION_CELLS}
    assert sum(e.kind == "right" for e in entries) >= 10
    assert {next(iter(e.answers)) for e in entries if e.kind == "slow"} == set(ASSIGNMENT.speed)


def test_every_entry_changes_the_reference(entries, reference):
    unchanged = [e.name for e in entries if e.name != "reference"
                 and all(reference[cell] == src for cell, src in e.answers.items())]
    assert unchanged == []


def test_entry_names_are_unique(entries):
    names = [e.student for e in entries]
    assert len(names) == len(set(names))


def test_an_entry_replaces_the_cell_its_name_starts_with_and_keeps_the_cells_other_functions(entries, reference):
    """A file defining relu_backward alone gets the reference's relu_forward in the same cell."""
    functions = corpus.cell_functions(reference)
    for e in entries:
        if e.name == "reference":
            continue
        assert list(e.answers) == [e.name.split("__")[0]], e.name
        cell, source = next(iter(e.answers.items()))
        assert corpus.cell_functions({cell: source})[cell] == functions[cell], e.name
    partial = corpus.split_functions("import numpy as np\n\n\ndef relu_backward(dA, cache):\n    return dA\n",
                                     functions, reference)
    assert list(partial) == ["relu"] and "def relu_forward(Z):" in partial["relu"]


@pytest.fixture(scope="module")
def graded_chunks(entries, tmp_path_factory):
    """outcomes(k): chunk k's entries autograded by `nbgrader autograde` in a course of their own, once."""
    done = {}

    def outcomes(k):
        if k not in done:
            mine = [e for e in entries if CHUNK_OF[e.name] == k]
            done[k] = corpus.grade(mine, tmp_path_factory.mktemp(f"corpus_application-{k}"), ASSIGNMENT,
                                   cell_timeout=CELL_TIMEOUT)
        return done[k]
    return outcomes


@pytest.mark.parametrize("chunk", chunks())
def test_nbgrader_rejects_every_wrong_entry_and_accepts_every_right_one(graded_chunks, chunk):
    table = io.StringIO()
    misses = corpus.report(graded_chunks(chunk), table)
    print(table.getvalue())
    assert misses == 0, table.getvalue()
    # The verdicts nbgrader recorded print no hidden case's expected value. The speed cells' and the training's
    # are left out: they print times and an accuracy of the student's own code, numbers that would match some
    # expected value at three digits by chance (test_feedback_values reads their templates).
    own_measures = {f"test_{cell}" for cell in ASSIGNMENT.speed.values()} | {"test_training"}
    assert leaks(ASSIGNMENT.name, {(o.entry.student, cell): message for o in graded_chunks(chunk)
                                   for cell, message in o.messages.items() if cell not in own_measures}) == {}


@pytest.mark.parametrize("chunk", chunks())
def test_no_entry_costs_a_cell_it_does_not_feed(graded_chunks, chunk):
    """The strict part of "no collateral", spelled out here rather than read from corpus.PART2: an entry
    can cost its own test cell, its cell's speed cell and the training, and nothing else. A wrong relu
    costs nothing of fc, softmax_cross_entropy, update_parameters or the model."""
    outcomes = graded_chunks(chunk)
    allowed = {}
    for o in outcomes:
        cell = next(iter(o.entry.answers))
        allowed[o.entry.name] = {cell, f"{cell}_speed", "training"} if o.entry.kind != "right" else set()
    lost = {o.entry.name: {cell for cell in corpus.graded_functions(o.maxima) if not o.full(cell)} for o in outcomes}
    assert {name: cells - allowed[name] for name, cells in lost.items() if cells - allowed[name]} == {}
    assert {o.entry.name: o.collateral for o in outcomes if o.collateral} == {}


@pytest.mark.parametrize("chunk", chunks(lambda k: k in SLOW_CHUNKS))
def test_a_slow_entry_keeps_its_correctness_points(graded_chunks, chunk):
    """Part 1's loops handed in as conv_forward_fast or conv_backward_fast: right, so their own points stay;
    no faster than the loop version, so the speed points go (the verdict the first test checks), and the
    message says how many times faster they had to be."""
    slow = [o for o in graded_chunks(chunk) if o.entry.kind == "slow"]
    assert slow and all(o.full(next(iter(o.entry.answers))) for o in slow)
    assert all("times faster" in o.messages[f"test_{ASSIGNMENT.speed[next(iter(o.entry.answers))]}"] for o in slow)


@pytest.mark.parametrize("chunk", chunks())
def test_the_visible_checks_pass_every_right_entry(graded_chunks, chunk):
    assert {o.entry.name: o.visible_message for o in graded_chunks(chunk)
            if o.entry.kind != "wrong" and o.visible_message} == {}


def test_the_hidden_check_of_a_cell_passes_the_reference_in_this_process(reference, tmp_path):
    """The in-process hidden checks (course_tools.proof.corpus.NotebookChecks) are not rejecting by accident:
    the reference passes every test cell's hidden checks, the speed cells and the training included."""
    course = generated_course(tmp_path, ASSIGNMENT.name)
    checks = corpus.NotebookChecks(ASSIGNMENT, notebooks.read(course.release_notebook),
                                   notebooks.read(course.source_notebook), course.release_notebook.parent)
    entry = corpus.Entry("reference", "right", "", dict(reference))
    cells = [name[len("test_"):] for name in checks.hidden if name.startswith("test_")]
    assert {cell: checks.hidden_rejects(entry, [cell]) for cell in cells} == {cell: False for cell in cells}
