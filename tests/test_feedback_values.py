"""No message a student sees shows an expected value of a hidden case (issue 18, class 5).

The hidden checks run in this process (course_tools.proof.corpus.NotebookChecks), with kits that record
every expected value they compute: what they compare the student's results with, and every result
of the reference solution on the hidden cases. The corpus's wrong entries, and probes written to
make the old messages talk (zeros of the right shape; an exception that quotes its inputs), are then
checked the same way, and no number in their messages may be a recorded value at the precision it
is printed. Every message template of the kits is also read: each value it formats must be one of
those listed below, none computed from an expected value. test_corpus.py and
test_corpus_application.py apply `leaks` to the messages of the corpus graded by nbgrader.

About 5 s. Run against the kits of 1990db1 (its authoring/*.py and grading/trusted_execute.py in a scratch
copy of this tree), every test below fails: "loss is 0 but should be 2.42399", "(largest error 2.68)" with
zeros sent for zero_pad (its largest input), exceptions quoted up to 1000 characters.
"""
import ast
import atexit
import functools
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from course_tools import notebooks
from course_tools.proof import corpus

KITS = ("grading_kit.py", "application_kit.py")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
SMALLEST = 3  # significant digits: below that, a printed number matches too many values by chance


def significant_digits(token):
    mantissa = re.split(r"[eE]", token.lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits if "." in mantissa else digits.rstrip("0"))


def numbers_of(value):
    """Every number in a result or an expected value: arrays, scalars, tuples, lists and dicts of them."""
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.number) and not np.issubdtype(value.dtype, np.complexfloating):
            yield from (float(v) for v in value.ravel() if np.isfinite(v))
    elif isinstance(value, (float, np.floating, int, np.integer)) and not isinstance(value, bool):
        if np.isfinite(value):
            yield float(value)
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from numbers_of(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from numbers_of(v)


class Needles:
    """The recorded values, rounded as a message would print them."""

    def __init__(self, values):
        self.values = sorted({abs(v) for v in values if v != 0})
        self.rounded = {}

    def __len__(self):
        return len(self.values)

    def at(self, digits):
        if digits not in self.rounded:
            self.rounded[digits] = {float(f"{v:.{digits}g}") for v in self.values}
        return self.rounded[digits]

    def leaks(self, message):
        """The numbers in `message` (of SMALLEST significant digits or more) that are a recorded value
        rounded to the digits printed, sign aside."""
        found = []
        for token in NUMBER.findall(message):
            digits = significant_digits(token)
            if digits >= SMALLEST and abs(float(token)) in self.at(min(digits, 17)):
                found.append(token)
        return found


def recording(kit, note):
    """`kit` calling note(value) on every expected value it checks against, and every result of the function
    it calls (the results are the expected values when the function is the reference)."""

    class Recording(kit):
        @classmethod
        def check_array(cls, label, name, got, want, exact=False):
            __tracebackhide__ = True
            note(want)
            return super().check_array(label, name, got, want, exact)

        @classmethod
        def check_gradient(cls, label, name, got, numeric):
            __tracebackhide__ = True
            note(numeric)
            return super().check_gradient(label, name, got, numeric)

        @classmethod
        def check_number(cls, label, name, got, want):
            __tracebackhide__ = True
            note(want)
            return super().check_number(label, name, got, want)

        @classmethod
        def call_each(cls, function, cases):
            __tracebackhide__ = True
            for result in super().call_each(function, cases):
                note(result)
                yield result

    Recording.__name__ = kit.__name__
    return Recording


class Hidden:
    """An assignment's hidden checks in this process, with recording kits; its graded cells, but the speed
    cells (inputs drawn anew at every grading, so nothing to record) and the training (its messages are
    read in test_the_kits_message_templates_format_no_expected_value)."""

    def __init__(self, assignment):
        self.assignment = assignment
        self.folder = Path(tempfile.mkdtemp(prefix=f"feedback-values-{assignment.name}-"))
        atexit.register(shutil.rmtree, self.folder, True)
        shutil.copytree(REPO / "release" / assignment.name, self.folder, dirs_exist_ok=True)
        release = notebooks.read(REPO / "release" / assignment.name / f"{assignment.name}.ipynb")
        source = notebooks.read(REPO / "source" / assignment.name / f"{assignment.name}.ipynb")
        self.checks = corpus.NotebookChecks(assignment, release, source, self.folder)
        self.reference = self.checks.reference
        self.values, self.recording = [], False
        self.checks.kit = {name: recording(kit, self.note) for name, kit in self.checks.kit.items()}
        skipped = set(assignment.speed.values()) | {"training"}
        self.cells = [name[len("test_"):] for name in self.checks.hidden
                      if name.startswith("test_") and self.checks.hidden[name].strip()
                      and name[len("test_"):] not in skipped]

    def note(self, value):
        if self.recording:  # the reference's run only: a wrong entry's results are no expected values
            self.values.extend(numbers_of(value))

    def failure(self, entry, cell):
        return self.checks.hidden_failure(entry, cell)


@functools.lru_cache(maxsize=None)
def hidden(name):
    return Hidden(corpus.ASSIGNMENTS[name])


@functools.lru_cache(maxsize=None)
def expected_values(name):
    """Needles of the hidden cases' expected values of assignment `name`, recorded on its reference."""
    h = hidden(name)
    reference = corpus.Entry("reference", "right", "", dict(h.reference))
    h.recording = True
    try:
        failures = {cell: h.failure(reference, cell) for cell in h.cells}
    finally:
        h.recording = False
    assert failures == {cell: "" for cell in h.cells}  # recorded on passing checks only
    needles = Needles(h.values)
    assert len(needles) > 1000
    return needles


def leaks(name, messages):
    """{where: [numbers]} for every message of {where: message} that prints a recorded expected value."""
    needles = expected_values(name)
    return {where: found for where, message in messages.items() if (found := needles.leaks(message))}


# ----------------------------------------------------------------------------------------- probes
ZEROED = '''
import numpy as _probe_np


def _probe_zeroed(value):
    if isinstance(value, _probe_np.ndarray):
        return _probe_np.zeros_like(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_probe_zeroed(v) for v in value)
    if isinstance(value, dict):
        return {k: _probe_zeroed(v) for k, v in value.items()}
    return 0.0 if isinstance(value, (float, _probe_np.floating)) else value
'''
WRAPPED = '''
_probe_{name} = {name}


def {name}(*args, **kwargs):
    return _probe_zeroed(_probe_{name}(*args, **kwargs))
'''
RAISES = '''
import numpy as _probe_np


def {name}(*args, **kwargs):
    # What it was given, on one line and then on many, as a student's function could record it.
    seen = " ".join(f"{{x:.17g}}" for a in args if isinstance(a, _probe_np.ndarray) for x in a.ravel())
    raise ValueError("recorded " + seen + "\\n" + repr(args))
'''


def probes(reference):
    """Per solution cell, an entry whose functions return the reference's results as zeros (so that an
    error against the expected value is the expected value), and one whose functions raise with their
    inputs in the message."""
    functions = corpus.cell_functions(reference)
    zeroed = [corpus.Entry(f"{cell}__probe_zeros", "wrong", "", {cell: code + ZEROED + "".join(
        WRAPPED.format(name=name) for name in functions[cell])}) for cell, code in reference.items()]
    raising = [corpus.Entry(f"{cell}__probe_raises", "wrong", "", {cell: "".join(
        RAISES.format(name=name) for name in functions[cell])}) for cell in reference]
    return zeroed, raising


def wrong_entries(name):
    h = hidden(name)
    return [e for e in corpus.load(h.reference, h.assignment) if e.kind == "wrong"]


def messages_of(name, entries):
    """{(entry, cell): the hidden checks' message} for every cell each entry replaces."""
    h = hidden(name)
    return {(e.name, cell): h.failure(e, cell) for e in entries for cell in e.answers if cell in h.cells}


ASSIGNMENTS = [pytest.param(name, id=name) for name in corpus.ASSIGNMENTS]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_message_of_a_wrong_entry_prints_an_expected_value(name):
    entries = wrong_entries(name)
    zeroed, _ = probes(hidden(name).reference)
    messages = messages_of(name, entries + zeroed)
    assert len(messages) >= 40
    # every entry and probe is rejected, so each message is a verdict a student would read
    assert [where for where, message in messages.items() if not message] == []
    assert leaks(name, messages) == {}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_functions_exception_reaches_its_verdict_as_one_short_line(name):
    _, raising = probes(hidden(name).reference)
    messages = messages_of(name, raising)
    assert messages and all(" raised ValueError: recorded" in m for m in messages.values()), messages
    quoted = {where: m.split(" raised ValueError: ", 1)[1] for where, m in messages.items()}
    assert {where: len(text) for where, text in quoted.items() if len(text) > 120} == {}


def test_the_grader_cuts_an_exception_from_the_kernel_to_a_short_line_of_ascii():
    from grading.trusted_execute import TrustedExecute

    reply = {"status": "raised", "ename": "Value\U00020000Error" + "x" * 100,
             "evalue": "recorded " + "0.12345678901234567 " * 50 + "\x1b[2K\u202e\ndef zero_pad(X, pad):\n    return X"}
    result, error = TrustedExecute.decoded_outcome(None, "zero_pad", [], reply, None)
    assert result is None and type(error).__name__ == ("Value_Error" + "x" * 100)[:40]
    assert len(str(error)) == 120 and str(error).startswith("recorded 0.1234") and str(error).endswith("...")
    assert str(error).isascii() and str(error).isprintable() and "def zero_pad" not in str(error)


def test_a_character_beyond_ascii_is_one_placeholder_and_counts_in_the_cut():
    """Class 5's dense attack (tests/attacks/leak_inputs_dense.py) wrote the hidden inputs 15 bits a character, in
    letters beyond ASCII that \\W and str.isprintable kept: each is one "?" now, and the cut counts it."""
    from grading.text import quoted, type_name
    from grading.trusted_execute import TrustedExecute

    wide = "".join(chr(0x20000 + i) for i in range(300))
    _, error = TrustedExecute.decoded_outcome(None, "zero_pad", [], {"status": "raised", "ename": wide, "evalue": wide}, None)
    assert type(error).__name__ == "_" * 40 and str(error) == "?" * 117 + "..."
    assert quoted("caf\u00e9 \x1b[31mred\x00") == "caf? ?[31mred?" and type_name("a.b-c d") == "a.b_c_d"


def test_once_a_reference_is_in_the_kernel_an_exception_keeps_a_known_name_only():
    """capture-references: a function graded with the reference helpers in its kernel raised their source. From
    the first helper sent (GradingKernel.define_for_this_cell), a verdict quotes nothing the kernel wrote."""
    from grading.trusted_execute import TrustedExecute

    for ename, shown in (("RuntimeError", "RuntimeError"), ("ZeroPadSourceEncodedInAName", "Exception")):
        reply = {"status": "raised", "ename": ename, "evalue": "def zero_pad(X, pad): return numpy.pad(X)"}
        _, error = TrustedExecute.decoded_outcome(None, "conv_forward", [], reply, None, quiet=True)
        assert type(error).__name__ == shown and str(error) == ""
    reply = {"status": "returned", "result": {"t": "opaque", "type": "def_zero_pad_X_pad"}}
    result, _ = TrustedExecute.decoded_outcome(None, "conv_forward", None, reply, None, quiet=True)
    assert type(result).__name__ == "object"


def test_a_test_cell_keeps_one_short_line_of_an_error_the_kernel_wrote():
    """A visible check that calls the student's function runs in the kernel, which writes the error: a test
    cell keeps its first line, as the pages show it, and not what the kernel recorded on the lines after."""
    import nbformat

    from grading.trusted_execute import VISIBLE_MESSAGE, TrustedExecute

    error = nbformat.v4.new_output("error", ename="ValueError", traceback=[],
                                   evalue="bad shape " + "7" * 400 + "\ndef zero_pad(X, pad):\n    return X")
    kept = TrustedExecute.plain(error)
    assert kept.ename == "ValueError" and kept.evalue == ("bad shape " + "7" * 400)[:VISIBLE_MESSAGE - 3] + "..."
    assert "def zero_pad" not in "".join(kept.traceback)
    quiet = TrustedExecute.plain(error, quiet=True)
    assert quiet.ename == "ValueError" and "7" not in quiet.evalue and "reference helpers" in quiet.evalue


def test_an_error_the_kernel_names_like_the_graders_own_is_the_kernels():
    """The grader keeps its own time-out error as it is (plain); a kernel that named its error CellTimeoutError
    kept 2,000 characters of message and 20 lines of traceback in the test cell, which nbgrader's own feedback
    page shows. Only the grader's error_output is the grader's."""
    import nbformat

    from grading.cell_outputs import error_output
    from grading.trusted_execute import TrustedExecute

    forged = nbformat.v4.new_output("error", ename="CellTimeoutError", evalue="\U00020000" * 2000,
                                    traceback=["\U00020000" * 2000] * 20)
    kept = TrustedExecute.plain(forged)
    assert kept.ename == "CellTimeoutError" and kept.evalue == "?" * 157 + "..." and len("".join(kept.traceback)) < 200
    own = error_output("CellTimeoutError", "the cell ran longer than the time limit (2 s) and was stopped")
    assert TrustedExecute.plain(own) is own and TrustedExecute.plain(own, quiet=True) is own


# What a kit's message may format. Each is public (the case's description, names, shapes and dtypes that
# follow from it, the kit's own thresholds), measures the student's own work (times, accuracy), or is the
# student's own text cut short by `shown`. A new template formatting anything else fails here until it is
# added, with its reason.
ALLOWED = {
    "label", "name", "function.__name__", "cases[0][0]",  # which case and output, as publicly described
    "where",  # which part of an argument the call changed: keys and positions of the kit's own inputs
    "position + 1", "len(names)", "', '.join(names)", "length",  # the call's own shape: argument, return values
    "want.shape", "want.dtype", "tuple(wanted[1])",  # follow from the case's inputs and hyperparameters
    "sorted(want)", "sorted(true_grads)",  # the dictionary's key names, given in the assignment
    "cls.raised(error)",  # the student's exception: its type (40 characters) and 120 of its first line, in ASCII
    "cls.GRAD_TOL:.0e", "cls.SPEEDUP_NEEDED", "cls.ALIGNMENT_NEEDED", "cls.ACCURACY_NEEDED:.2f", "cls.EPOCHS",
    "step",  # the training's number of steps: fixed by the data, the batch size and the epochs
    "1000 * fast:.1f", "1000 * loop:.0f", "speedup:.1f",  # times of the student's code and of the loop version
    "accuracy:.3f",  # the student's trained network on the test digits the students have
}
ALLOWED_CALLS = ("cls.shown(", "cls.how_many(")  # the student's own text, cut; words for a share of entries


def formatted_fields(path):
    """(line, the formatted expression with its format spec) for each value formatted in a message the kit
    fails with (cls.fail's argument)."""
    tree = ast.parse(path.read_text())
    messages = [node.args[0] for node in ast.walk(tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute) and node.func.attr == "fail" and node.args]
    fields = []
    for message in messages:
        for value in ast.walk(message):
            if isinstance(value, ast.FormattedValue):
                spec = ":" + "".join(p.value for p in value.format_spec.values) if value.format_spec else ""
                fields.append((value.lineno, ast.unparse(value.value) + spec))
    return fields


def test_the_kits_message_templates_format_no_expected_value():
    found = {}
    for kit in KITS:
        path = REPO / "authoring" / kit
        fields = formatted_fields(path)
        assert len(fields) > 10
        found.update({f"{kit}:{line}": field for line, field in fields
                      if field not in ALLOWED and not field.startswith(ALLOWED_CALLS)})
        # every message goes through fail(), so that the list above sees it
        assert "AssertionError(" not in path.read_text().replace("raise AssertionError(message)", "")
    assert found == {}


def test_a_test_cell_keeps_the_first_error_the_kernel_sent_and_no_other():
    """A kernel may send any number of error messages for one visible check: each was a whole error output of
    the test cell, and nbgrader's own feedback page shows every one. The first decides the cell; it alone stays."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_output

    from grading.trusted_execute import TrustedExecute

    engine = TrustedExecute()
    engine.nb = nbformat.v4.new_notebook(cells=[new_code_cell("conv_forward(A, W, b, hparameters)")])
    engine.kc, engine.budget_left, engine.test_sources, engine.disturbed_since_deferral = object(), None, {}, False
    engine.notebook_output_bytes, engine.seconds, engine.deferred = 0, {"kernel": 0.0}, []
    engine.graded_functions, engine.defined_for_cell, engine.hidden_namespace = set(), set(), {}
    engine.current_timeout = lambda: 30.0
    engine.execute_cell = lambda run, index, store_history: run.outputs.extend(
        [new_output("stream", name="stdout", text="Z's mean = 0.04\n")]
        + [new_output("error", ename=f"Chunk{n}", evalue="\U00020000" * 120, traceback=[]) for n in range(50)])
    outputs = engine.run_segments(engine.nb.cells[0], 0, [(False, engine.nb.cells[0].source)], [], may_defer=False)
    assert [(o.output_type, o.get("ename")) for o in outputs] == [("stream", None), ("error", "Chunk0")]
    assert outputs[1].evalue == "?" * 120
