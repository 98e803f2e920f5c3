"""The hidden tests' mutation score (course_tools.proof.mutation_score, `make mutation-score`): mutmut's mutants of
every graded function's reference solution, each judged by the hidden tests of its own cell alone, in this
process as the corpus proof judges its entries. Every mutant must be killed or listed, with the reason, in
corpus/equivalent_mutants.py; the survivors that were gaps became hidden cases (docs/hidden_tests.md)."""
import io

import pytest

from course_tools.proof import corpus
from course_tools.proof import mutation_score as score

PART1_FUNCTIONS = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
                   "create_mask_from_window", "distribute_value", "pool_backward"}
PART2_FUNCTIONS = {"one_hot", "conv_forward_fast", "conv_backward_fast", "relu_forward", "relu_backward",
                   "fc_forward", "fc_backward", "softmax_cross_entropy", "update_parameters",
                   "model_forward_backward"}


@pytest.fixture(scope="module")
def verdicts():
    return {**score.run(corpus.PART1), **score.run(corpus.PART2)}


def test_every_graded_function_is_mutated(verdicts):
    assert {m.function for m in verdicts if m.assignment == corpus.PART1.name} == PART1_FUNCTIONS
    assert {m.function for m in verdicts if m.assignment == corpus.PART2.name} == PART2_FUNCTIONS


def test_every_mutant_is_killed_or_shown_equivalent(verdicts):
    explained = score.equivalents()
    survivors = [m for m, verdict in verdicts.items() if verdict == "survived" and m.key not in explained]
    assert survivors == []


def test_every_mutant_called_equivalent_survives_the_hidden_tests(verdicts):
    """An entry of corpus/equivalent_mutants.py that names no mutant (the reference changed) or one the hidden
    tests now kill is stale, and would excuse a future survivor of the same text."""
    survived = {m.key for m, verdict in verdicts.items() if verdict == "survived"}
    assert set(score.equivalents()) - survived == set()


def test_a_function_whose_hidden_check_does_nothing_keeps_every_mutant(monkeypatch):
    """The measure can fail: with distribute_value's hidden check emptied, none of its mutants is killed."""
    kit = corpus.load_kit()

    class Emptied(kit):
        @classmethod
        def check_distribute_value(cls, distribute_value):
            pass
    monkeypatch.setattr(corpus, "load_kit", lambda: Emptied)
    verdicts = score.run(corpus.PART1, {"distribute_value"})
    assert len(verdicts) > 3 and set(verdicts.values()) == {"survived"}


def test_a_mutant_that_never_returns_is_stopped_and_counted_as_killed(monkeypatch):
    """A mutant can make a loop endless; the grader's cell would time out on it, and so does its judge here."""
    monkeypatch.setattr(score, "SECONDS", 2)
    reference = corpus.reference_of(corpus.PART1)
    endless = score.Mutant(corpus.PART1.name, "distribute_value", "distribute_value", ("+ while True: pass",),
                           reference["distribute_value"].replace("    (rows, cols) = shape",
                                                                 "    while True:\n        pass\n    (rows, cols) = shape"))
    assert endless.source != reference["distribute_value"]
    judge = score.Judge(corpus.PART1, reference, None)
    assert score.judge_all(judge, [endless]) == {endless: "timeout"}


def test_the_report_names_each_unexplained_survivor_and_counts_it():
    survivor = score.Mutant("cnn_step_by_step", "zero_pad", "zero_pad", ("- a = 1", "+ a = 2"), "")
    killed = score.Mutant("cnn_step_by_step", "zero_pad", "zero_pad", ("- a = 1", "+ a = 0"), "")
    out = io.StringIO()
    assert score.report({survivor: "survived", killed: "killed"}, {}, out) == 1
    assert "SURVIVES cnn_step_by_step:zero_pad: - a = 1 | + a = 2" in out.getvalue()
    assert score.report({survivor: "survived", killed: "killed"}, {survivor.key: "why"}, io.StringIO()) == 0


def test_our_operators_add_windows_off_by_one_and_forgotten_lines(verdicts):
    """mutmut's operators leave slice bounds and whole statements alone; ours move each bound by one and replace
    each simple statement by `pass`. The window one row short in conv_forward, and the forgotten bias in
    conv_backward, are among the mutants, and killed."""
    by_edit = {m.diff: (m.function, verdict) for m, verdict in verdicts.items()}
    short = ("- a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]",
             "+ a_slice_prev = a_prev_pad[vert_start:vert_end - 1, horiz_start:horiz_end, :]")
    forgotten = ("- db[:, :, :, c] += dZ[i, h, w, c]", "+ pass")
    assert by_edit[short] == ("conv_forward", "killed")
    assert by_edit[forgotten] == ("conv_backward", "killed")
