"""The corpus: every wrong entry rejected, every right entry accepted, no collateral loss,
through the real `nbgrader autograde` (the slowest test: about four minutes)."""
import collections
import io

import pytest

from conftest import GRADED_FUNCTIONS
from course_tools import corpus
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
