"""Pack the hidden cases' inputs into the verdicts, as densely as the grader's quoting lets a page carry them.

Every function is the reference's (right for the visible checks, so that the hidden checks
run; none earns a point, as the grader never calls it). The kernel side's ``_cnn_grading_call``
is wrapped: each of the grader's requests carries every hidden case of a check at once, and the
wrapper, instead of calling the function, answers that the first case raised an exception whose
type name and message are the bytes of the cases' arrays, in order:

* ``WIDE`` functions, 15 bits a character, as letters of the CJK Unified Ideographs Extension B
  (U+20000 to U+27FFF): letters, so ``\\W`` kept them in a name; printable, so
  ``str.isprintable`` kept them in a message (a 60-character name and a 120-character message);
* ``NARROW`` functions, 6 bits a character, in what the grader keeps now: the name in the 64
  characters of an identifier (ASCII letters, digits, ``_`` and ``.``), 40 of them, the message in
  base64's. The bytes read back from the page are the hidden inputs' first bytes, exactly: for
  conv_single_step, the first 14 float64 values of its first case.

``DECODE_PAGE`` reads both back from the page; ``PAGE_BOUND`` is what the test allows a function's
verdict to carry. The grader quotes a student's text as short plain ASCII (docs/attacks.md, class
5): any other character is one ``?``, a message is cut at 120 characters, a type's name is an
ASCII identifier of at most 40, and from the first reference helper the grader sends into the
kernel no text of the kernel's reaches a verdict at all. So the wide functions' verdicts carry
nothing, and each narrow one at most 40 + 117 characters of 6 bits: 117 bytes.

Without protection (before the fix): 337 bytes per wide function and submission, 2,295 per
submission (distribute_value's inputs are numbers, not arrays); decoded from the page,
zero_pad's 42 float64 values equal the kit's hidden inputs exactly (zero_pad's expected output
is its input, padded). All of part 1's hidden inputs (about 30 kB) in a dozen submissions.
"""
import html
import re

EXPECT = set()
BASE_CODE_POINT = 0x20000
NAME_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_."
TEXT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
NARROW = ("conv_single_step", "pool_forward")
WIDE = ("zero_pad", "conv_forward", "conv_backward", "create_mask_from_window", "distribute_value",
        "pool_backward")
# Bytes of hidden input a function's verdict may carry: none through letters beyond ASCII; through the ASCII
# the grader keeps, a 40-character name and 117 characters of message (then "..."), 6 bits each.
PAGE_BOUND = {**{name: 0 for name in WIDE}, **{name: 117 for name in NARROW}}

WRAP = r'''
import base64 as _ld_b64, json as _ld_json, numpy as _ld_np

_LD_NARROW = %r
_LD_NAME = %r
_LD_TEXT = %r


def _ld_arrays(value):
    if isinstance(value, _ld_np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _ld_arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _ld_arrays(item)


def _ld_bits(data, count):
    return "".join(format(byte, "08b") for byte in data)[:count]


def _ld_wide(data, characters):
    bits = _ld_bits(data, 15 * characters)
    return "".join(chr(0x20000 + int(bits[i:i + 15].ljust(15, "0"), 2)) for i in range(0, len(bits), 15))


def _ld_narrow(bits, alphabet):
    return "".join(alphabet[int(bits[i:i + 6].ljust(6, "0"), 2)] for i in range(0, len(bits), 6))


def _cnn_grading_call(name, request):
    calls = _ld_json.loads(_ld_b64.b64decode(request))["calls"]
    data = b"".join(a.tobytes() for call in calls for a in _ld_arrays([_cnn_grading_decode(x) for x in call["args"]]))
    if name in _LD_NARROW:  # the 40 characters of name the grader keeps, and 300 of message (it keeps 117)
        bits = _ld_bits(data, 6 * 340)
        reply = {"status": "raised", "ename": _ld_narrow(bits[:240], _LD_NAME), "evalue": _ld_narrow(bits[240:], _LD_TEXT)}
    else:
        packed = _ld_wide(data, 180)
        reply = {"status": "raised", "ename": packed[:60], "evalue": packed[60:180]}
    return _ld_b64.b64encode(_ld_json.dumps({"status": "called", "replies": [reply]}).encode()).decode()
''' % (NARROW, NAME_ALPHABET, TEXT_ALPHABET)


APPEND = {"zero_pad": WRAP}


def to_bytes(bits):
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits) - 7, 8))


def DECODE_PAGE(text):
    """{function: the bytes of hidden input its verdict on the page carries}, from a feedback page's text."""
    found = {}
    for name, message in re.findall(r"<code>(\w+)</code></td>.*?<td>([^<]*)</td></tr>", text, re.S):
        message = html.unescape(message)
        if name in NARROW:
            quoted = re.search(r" raised ([A-Za-z0-9_.]*)(?:: ([A-Za-z0-9+/]*))?", message)
            ename, evalue = (quoted.group(1), quoted.group(2) or "") if quoted else ("", "")
            bits = ("".join(format(NAME_ALPHABET.index(c), "06b") for c in ename)
                    + "".join(format(TEXT_ALPHABET.index(c), "06b") for c in evalue))
        else:
            characters = [c for c in message if BASE_CODE_POINT <= ord(c) < BASE_CODE_POINT + 2 ** 15]
            bits = "".join(format(ord(c) - BASE_CODE_POINT, "015b") for c in characters)
        found[name] = to_bytes(bits)
    return found
