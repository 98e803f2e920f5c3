"""The corpus: every wrong entry rejected, every right entry accepted, no collateral loss,
through the real `nbgrader autograde` (the slowest test: about four minutes)."""
import ast
import collections
import io

import pytest

from conftest import GRADED_FUNCTIONS
from course_tools.proof import corpus
from test_feedback_values import leaks


@pytest.fixture(scope="module")
def entries(reference_answers):
    return corpus.load(reference_answers)


def test_corpus_is_large_enough(entries):
    wrong = collections.Counter(next(iter(e.answers)) for e in entries if e.kind == "wrong")
    assert sum(wrong.values()) >= 40
    assert {f: wrong[f] >= 3 for f in GRADED_FUNCTIONS} == {f: True for f in GRADED_FUNCTIONS}
    assert sum(e.kind == "right" for e in entries) >= 15


def test_every_entry_changes_the_reference(entries, reference_answers):
    unchanged = [e.name for e in entries if e.name != "reference"
                 and all(reference_answers[f] == src for f, src in e.answers.items())]
    assert unchanged == []


def test_entry_names_are_unique(entries):
    names = [e.student for e in entries]
    assert len(names) == len(set(names))


def test_right_entries_share_notebooks_one_to_a_cell_and_the_others_have_their_own(entries):
    books = corpus.notebooks(entries)
    assert sorted(e.student for book in books for e in book) == sorted(e.student for e in entries)
    shared = [book for book in books if book[0].kind == "right" and len(book[0].answers) == 1]
    assert [book for book in books if book not in shared and len(book) != 1] == []
    for book in shared:
        cells = [cell for e in book for cell in e.answers]
        assert all(e.kind == "right" for e in book) and len(cells) == len(set(cells))
    per_cell = collections.Counter(cell for book in shared for e in book for cell in e.answers)
    assert len(shared) == max(per_cell.values()) < sum(per_cell.values())


def top_level_names(source):
    """The names a cell's code binds in the notebook's namespace, imports aside."""
    names = set()
    for statement in ast.parse(source).body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif not isinstance(statement, (ast.Import, ast.ImportFrom)):
            names |= {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


@pytest.mark.parametrize("assignment", [corpus.PART1, corpus.PART2], ids=lambda a: a.name)
def test_right_entries_that_share_a_notebook_define_names_of_their_own(assignment):
    """Nothing one shared entry defines is another's: each is graded with its own code (imports aside, which
    bind the same modules)."""
    entries = corpus.load(corpus.reference_of(assignment), assignment)
    clashes = []
    for book in corpus.notebooks(entries):
        seen = {}
        for e in book:
            for name in top_level_names("\n".join(e.answers.values())):
                if name in seen:
                    clashes.append((name, seen[name], e.name))
                seen[name] = e.name
    assert clashes == []


def test_a_right_entry_that_loses_its_cell_in_a_shared_notebook_is_the_one_reported():
    """Each right entry answers for its own cell: a shared notebook that lost pool_forward misses the pool_forward
    entry, and costs its partner nothing (no collateral)."""
    maxima = {f"test_{f}": 10 for f in GRADED_FUNCTIONS}
    scores = dict(maxima, test_pool_forward=5)
    zero_pad = corpus.Entry("zero_pad__fine", "right", "", {"zero_pad": "..."})
    pool = corpus.Entry("pool_forward__off", "right", "", {"pool_forward": "..."})
    outcomes = [corpus.Outcome(zero_pad, scores, maxima, student="right-together-1", partners=("pool_forward",)),
                corpus.Outcome(pool, scores, maxima, student="right-together-1", partners=("zero_pad",))]
    assert [(o.entry.name, o.verdict_met, o.collateral) for o in outcomes] == [
        ("zero_pad__fine", True, []), ("pool_forward__off", False, [])]
    assert corpus.report(outcomes, io.StringIO()) == 1


def test_nbgrader_rejects_every_wrong_entry_and_accepts_every_right_one(entries, tmp_path):
    outcomes = corpus.grade(entries, tmp_path)
    table = io.StringIO()
    misses = corpus.report(outcomes, table)
    print(table.getvalue())
    assert misses == 0, table.getvalue()
    # The verdicts nbgrader recorded, as a student's feedback shows them, print no hidden case's expected value.
    assert leaks(corpus.PART1.name, {(o.entry.student, cell): message for o in outcomes
                                     for cell, message in o.messages.items()}) == {}


# Mistakes students make often that the visible checks once let through with "visible checks passed".
COMMON_BUGS = ["pool_forward__ignores_stride", "pool_forward__default_average", "conv_forward__square_input",
               "conv_forward__ceil_output_size", "conv_forward__stride_as_window",
               "pool_backward__reads_dA_at_input_corner", "pool_backward__ignores_stride",
               "pool_backward__overwrites_overlaps", "conv_backward__ignores_stride", "conv_backward__overwrites_dA",
               "conv_backward__overwrites_dW", "conv_backward__stride_as_window",
               "conv_backward__reuses_input_as_buffer", "conv_backward__unpads_with_negative_index"]


def test_the_visible_checks_catch_the_common_bugs_before_submission(entries, release_nb, reference_answers):
    messages = {e.name: corpus.visible_check_message(release_nb, reference_answers, e)
                for e in entries if e.name in COMMON_BUGS}
    assert sorted(messages) == sorted(COMMON_BUGS)
    assert [name for name, message in messages.items() if not message] == []
    # one sentence on what is wrong, not a raw error from inside the student's function
    assert [name for name, message in messages.items() if not message.startswith("AssertionError")] == []
    assert "explicit ends" in messages["conv_backward__unpads_with_negative_index"]
    assert "output position (h, w)" in messages["pool_backward__reads_dA_at_input_corner"]


def test_the_visible_checks_pass_every_right_entry(entries, release_nb, reference_answers):
    tripped = {e.name: corpus.visible_check_message(release_nb, reference_answers, e)
               for e in entries if e.kind == "right"}
    assert {name: message for name, message in tripped.items() if message} == {}
