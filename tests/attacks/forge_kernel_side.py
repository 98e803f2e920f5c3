"""Forge the kernel side's replies by replacing the json, base64 and numpy functions it uses.

Nothing is graded as implemented: the eight functions are the reference's for the notebook's
own calls (so that the visible checks pass and the grader's hidden checks run), and the
grader's calls (the kernel side's ``_cnn_grading_call`` on the call stack) get a forgery
instead. The zero_pad cell replaces, in the kernel side's own modules and in
numpy, what the kernel side encodes replies with: ``json.dumps`` (duplicate keys, so that
the last "status" wins; NaN, Infinity; a "called" reply with more replies than calls, or
arguments after the call that do not match), ``base64.b64encode`` (text that is not
base64, non-ASCII, quotes that break the grader's unquoting), ``numpy.ascontiguousarray``
(an array of the expected shape, full of zeros, whatever the function returned) and
``numpy.random.default_rng`` (the seeded arrays the grader's calls may send). Each graded
function then "returns" one forged reply: an array of the right shape, ``True`` where a
number is wanted, NaN, a "status": "missing" or "restored" where a call's answer is due,
arguments reported changed. The claims to check: a forged reply is read as data and checked
against the grader's own expected values, or refused: 0 points everywhere.
Without protection: a grader that took a reply's word for its verdict ("passed") gives 100.
"""
from ._graded import GRADED

EXPECT = set()

FORGE = r'''
import base64 as _b64, json as _json, numpy as _np

_real_dumps, _real_b64encode, _real_contiguous = _json.dumps, _b64.b64encode, _np.ascontiguousarray


def _cnnattack_dumps(content, *args, **kwargs):
    text = _real_dumps(content, *args, **kwargs)
    if isinstance(content, dict) and content.get("status") == "called" and content.get("replies"):
        reply = content["replies"][0]
        if reply.get("status") == "raised" and reply.get("ename") == "CnnattackForge":
            forged = _CNNATTACK_FORGES.get(reply.get("evalue"))
            if forged is not None:
                return forged(content)
    return text


def _cnnattack_b64encode(data, *args, **kwargs):
    if isinstance(data, bytes) and data.startswith(b"CNNATTACK-RAW:"):
        return data[len(b"CNNATTACK-RAW:"):]  # the text as it is, not base64
    return _real_b64encode(data, *args, **kwargs)


_json.dumps, _b64.b64encode = _cnnattack_dumps, _cnnattack_b64encode
_np.ascontiguousarray = lambda a, *args, **kwargs: _real_contiguous(_np.zeros(_np.shape(a)))
_np.random.default_rng = lambda seed=None: _np.random.Generator(_np.random.PCG64(0))


def _array(shape, value=0.0):
    return {"t": "ndarray", "dtype": "<f8", "shape": list(shape),
            "b64": _real_b64encode(_np.full(shape, value).tobytes()).decode()}


def _calls(content):
    return len(content["replies"])


_CNNATTACK_FORGES = {
    # duplicate keys: json.loads keeps the last, so "raised" comes out "called"
    "zero_pad": lambda c: '{"status": "raised", "status": "called", "replies": [' + ", ".join(
        '{"status": "returned", "result": %s, "args_after": [%s, %s]}' % (_real_dumps(_array((2, 5, 7, 2))),
        _real_dumps(_array((2, 3, 5, 2))), '{"t": "int", "v": "1"}') for _ in range(5)) + ']}',
    "conv_single_step": lambda c: _real_dumps({"status": "called", "replies": [
        {"status": "returned", "result": {"t": "bool", "v": True}, "args_after": []}]}),
    "conv_forward": lambda c: _real_dumps({"status": "called", "replies": [
        {"status": "returned", "result": {"t": "float", "v": "NaN"}, "args_after": []}] * 20}),
    "pool_forward": lambda c: "CNNATTACK-RAW:" + "'" + "\u00e9" * 10,  # not base64, not ASCII, a quote
    "conv_backward": lambda c: _real_dumps({"status": "missing"}),
    "create_mask_from_window": lambda c: _real_dumps({"status": "restored"}),
    "distribute_value": lambda c: _real_dumps({"status": "called", "replies": [
        {"status": "returned", "result": {"t": "float", "v": "Infinity"}, "args_after": [
            {"t": "float", "v": "Infinity"}, {"t": "tuple", "v": []}]}]}),
    "pool_backward": lambda c: _real_dumps({"status": "called", "replies": [
        {"status": "returned", "result": _array((1,)), "args_after": [_array((1,)), {"t": "none"}]}] * 40}),
}



class CnnattackForge(Exception):
    pass

''' + GRADED


def ANSWERS(reference):
    """Each function the reference's; for the grader's calls it raises a marker exception, and the replaced
    json.dumps turns the reply that reports it into that function's forgery."""
    answers = {}
    for name, source in reference.items():
        line = next(line for line in reference[name].split("\n") if line.startswith(f"def {name}("))
        args = line.split("(", 1)[1].rsplit(")", 1)[0]
        arguments = ", ".join(part.split("=")[0].strip() for part in args.split(","))
        answers[name] = source.replace(f"def {name}(", f"def _honest_{name}(", 1) + f'''

def {name}({args}):
    if _cnnattack_graded():
        raise CnnattackForge({name!r})
    return _honest_{name}({arguments})
'''
    answers["zero_pad"] = FORGE + "\n\n" + answers["zero_pad"]
    return answers
