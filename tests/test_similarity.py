"""The similarity report's comparison (course_tools/report/similarity.py), on code alone. Through nbgrader, on a
graded class, see test_demo_class.py (the report's section, the pages, the shared wrong values)."""
import json
import random

import pytest

from conftest import REPO
from course_tools.course import Course
from course_tools.proof import similarity_proof
from course_tools.report import similarity, similarity_pages

RELEASE = '''def conv_forward(A_prev, W, b, hparameters):
    """The forward pass."""
    # Read the dimensions. (≈ 2 lines)
    # YOUR CODE HERE
    raise NotImplementedError()

    return Z, cache
'''
# A student's cell: the release's with its placeholder replaced by a corpus entry's body (sam's in the demo class),
# a comment of the student's own above it and a trailing one on its first line.
BODY = (REPO / "corpus" / "right" / "conv_forward__int_division_and_copies.py").read_text().split(
    "def conv_forward(A_prev, W, b, hparameters):\n")[1]
FIRST = "    m, n_H_prev, n_W_prev, _ = A_prev.shape"
ANSWER = (RELEASE.split("    # YOUR CODE HERE")[0] + "    # my own note\n"
          + BODY.replace(FIRST, FIRST + "  # the input's sizes", 1) + "\n    return Z, cache\n")


def test_written_code_is_what_the_student_added_without_comments():
    written = similarity.written_code(ANSWER, RELEASE)
    assert written.splitlines()[0] == FIRST + "  # the input's sizes"
    assert len(written.splitlines()) == len(BODY.strip().splitlines())
    assert "def conv_forward" not in written and "return Z, cache" not in written
    assert "The forward pass" not in written and "my own note" not in written and "YOUR CODE" not in written


def test_the_untouched_release_has_no_written_code():
    assert similarity.written_code(RELEASE, RELEASE) == ""


def test_names_strings_comments_and_spacing_do_not_change_the_normalised_code():
    one = similarity.normalised('x = np.zeros((m, n))  # zeros\ny = x["a"] + len(x)\n')
    other = similarity.normalised("out=np.zeros( (rows,cols) )\nres = out['key']+len(out)  # comment\n")
    assert one.text == other.text == 'V=V.V((V,V))V=V[S]+len(V)'


def test_marks_fall_on_the_code_that_gave_them():
    code = 'total = sum(values)  # add\nmean = total / len(values)\n'
    text = similarity.normalised(code)
    start = text.text.index("V/len")
    (begin, end), = similarity.in_code(([start], [start + 8]), text)
    assert code[begin:end] == "total / len(values)"


@pytest.fixture(scope="module")
def corpus_code():
    """{student: {cell: written code}}: the corpora's entries, a student each (similarity_proof)."""
    return similarity_proof.written(*similarity_proof.corpus_class())


def test_a_disguised_copy_of_a_long_answer_is_listed_and_the_original_alone_is_not(corpus_code):
    original = "cnn_step_by_step:right:conv_backward__conditional_unpad"
    code = {s: cells for s, cells in corpus_code.items() if s.startswith("cnn_step_by_step:")}
    assert not [p for p in similarity.similar_pairs(code) if original in (p.first, p.second)]
    students, releases = similarity_proof.corpus_class()
    copy = similarity_proof.planted_copy(students[original]["conv_backward"], ["zero_pad"], random.Random(0))
    assert copy != students[original]["conv_backward"]
    code["copier"] = {"conv_backward": similarity.written_code(copy, releases[original]["conv_backward"])}
    pairs = [p for p in similarity.similar_pairs(code) if "copier" in (p.first, p.second)]
    assert [(p.first, p.second) for p in pairs] == [(original, "copier")]
    assert pairs[0].flagged_cells() == ["conv_backward"]


def test_code_most_of_the_class_shares_makes_no_pair():
    """Ten students hand in the same long answer (the published one, say): it is the class's, nobody's copy."""
    code = {f"student {n}": {"conv_forward": similarity.written_code(ANSWER, RELEASE)} for n in range(10)}
    assert similarity.similar_pairs(code) == []


def test_a_short_cell_is_never_compared():
    """zero_pad's one line, the same for two students and nobody else: every right answer looks like it."""
    line = "    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant', constant_values=0)\n"
    code = {"a": {"zero_pad": line}, "b": {"zero_pad": line},
            **{f"o{n}": {"zero_pad": f"    return np.pad(X, [(0, 0), (pad, pad), (pad, pad), (0, 0)])  # {n}\n"}
               for n in range(5)}}
    assert similarity.fingerprint(similarity.normalised(line)).token_coverage < similarity.SHORTEST
    assert similarity.similar_pairs(code) == []


def test_a_hostile_cell_costs_a_bounded_time_and_is_escaped_on_the_page():
    huge = "    x = 1\n" * 1_000_000 + '    y = "</pre><script>alert(1)</script>"\n'
    written = similarity.written_code(huge, RELEASE)
    assert len(written.splitlines()) <= similarity.MOST_LINES
    script = '    y = "</pre><script>alert(1)</script>"\n' + similarity.written_code(ANSWER, RELEASE)
    code = {"<b>a</b>": {"conv_forward": script}, "b": {"conv_forward": script},
            **{f"o{n}": {"conv_forward": ""} for n in range(3)}}
    pairs = similarity.similar_pairs(code)
    page = similarity_pages.pair_page("cnn_step_by_step", 1, pairs[0], code)
    assert "<script>" not in page and "<b>a</b>" not in page
    assert "&lt;script&gt;" in page and "<mark>" in page


def test_the_same_wrong_values_are_listed_unless_right_or_common():
    returned = {"a": {"test_f": "bug"}, "b": {"test_f": "bug"}, "c": {"test_f": "right"}, "d": {"test_f": "right"},
                "e": {"test_f": "other"}, **{f"m{n}": {"test_f": "common"} for n in range(12)},
                "p": {"test_f": "slow but right"}, "q": {"test_f": "slow but right"}, "r": {"test_f": "slow but right"}}
    passed = {"c": {"test_f"}, "r": {"test_f"}}
    shared, common = similarity.same_wrong_values(returned, passed)
    assert shared == [("test_f", ["a", "b"])]
    assert common == [("test_f", 12)]


@pytest.fixture(scope="module")
def measured():
    return similarity_proof.measure()


def test_planted_copies_are_found_and_honest_pairs_are_not(measured):
    """The corpora's independent entries and a disguised copy of each (similarity_proof): at the report's
    threshold, at least 80% of the copies that can be compared are listed, and at most 1% of the honest pairs
    (docs/similarity.md gives the figures at each threshold, and why this one)."""
    table, planted, honest, _, students = measured
    assert students >= 40 and planted >= 40 and honest >= 100
    found, false, _, _ = table[similarity.FLAGGED]
    assert found >= 0.8 * planted
    assert false <= 0.01 * honest


def test_the_threshold_is_where_lowering_it_would_list_more_honest_pairs_than_copies(measured):
    """The choice, from the figures: one step lower lists more new honest pairs than new copies."""
    table = measured[0]
    lower = similarity_proof.THRESHOLDS[similarity_proof.THRESHOLDS.index(similarity.FLAGGED) - 1]
    assert table[lower][1] - table[similarity.FLAGGED][1] >= table[lower][0] - table[similarity.FLAGGED][0]


def test_notebooks_of_any_shape_are_read_without_stopping_the_report(tmp_path):
    """read_class reads autograded notebooks as JSON: cells, metadata and sources of the wrong type, a file that
    is not JSON, a student without a notebook, are each passed over."""
    course = Course(tmp_path, "cnn_step_by_step")
    course.release_notebook.parent.mkdir(parents=True)
    course.release_notebook.write_text(json.dumps({"cells": [
        {"metadata": {"nbgrader": {"solution": True, "grade_id": "conv_forward"}}, "source": RELEASE}]}))
    notebooks = {
        "good": {"cells": [{"metadata": {"nbgrader": {"solution": True, "grade_id": "conv_forward"}},
                            "source": ANSWER.splitlines(True)}],
                 "metadata": {"trusted_grading": {"returned": {"test_conv_forward": "abc", "x": 3}}}},
        "odd": {"cells": [3, {"metadata": "x"}, {"metadata": {"nbgrader": ["x"]}},
                          {"metadata": {"nbgrader": {"solution": True, "grade_id": "conv_forward"}}, "source": [1, 2]}],
                "metadata": {"trusted_grading": "forged"}},
        "list": [1, 2, 3],
    }
    for student, notebook in notebooks.items():
        course.autograded_notebook(student).parent.mkdir(parents=True)
        course.autograded_notebook(student).write_text(json.dumps(notebook))
    course.autograded_notebook("broken").parent.mkdir(parents=True)
    course.autograded_notebook("broken").write_text("{not json")
    code, returned = similarity.read_class(course, ["good", "odd", "list", "broken", "absent"])
    assert code["good"]["conv_forward"] == similarity.written_code(ANSWER, RELEASE)
    assert code["odd"] == {"conv_forward": "12"} and code["list"] == {}
    assert returned == {"good": {"test_conv_forward": "abc"}, "odd": {}, "list": {}}
