"""The corpus: every wrong entry rejected, every right entry accepted, no collateral loss,
through the real `nbgrader autograde` (the slowest test: about four minutes)."""
import collections
import io

import pytest

from conftest import GRADED_FUNCTIONS
from course_tools import corpus


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
