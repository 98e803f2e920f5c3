"""Answer every grader's call with a reply built to be slow for the grader to read: as many values as allowed, each costly.

Nothing is graded as implemented: the eight functions are the reference's, so that the visible
checks pass and the hidden checks run, but the kernel side's ``_cnn_grading_call`` is
replaced: it calls nothing,
and replies to each of the grader's requests with a result as costly to decode as the
decoder's limits allow (10,000 values a reply, 16 MB, nesting 8 deep), a different kind per
function: 10,000 objects with 200-character type names (a class is made for each), ints of
100 digits, an 8 MiB array and thousands of empty ones, strings of 1,000 characters,
dictionaries keyed by tuples, floats of 40 characters, lists nested 8 deep. The claims to
check: each reply is read within the decoder's bounds (or refused), 0 points, and the
grader's memory and time stay near an honest student's (docs/attacks.md, class 3).
Without protection: a grader that decoded without bounds (or with pickle) would grow with
each reply, or run the student's code.
"""
EXPECT = set()
BUDGET_SECONDS = 60

SLOW = r'''
import base64 as _b64, json as _json


def _cnnattack_slow_result(name):
    def opaque(i):
        return {"t": "opaque", "type": ("C%05d" % i) + "x" * 194}  # the longest name the decoder reads
    if name == "zero_pad":
        return {"t": "list", "v": [{"t": "list", "v": [opaque(1000 * j + i) for i in range(1000)]} for j in range(9)]
                + [{"t": "list", "v": [opaque(9000 + i) for i in range(900)]}]}
    if name == "conv_single_step":
        return {"t": "list", "v": [{"t": "list", "v": [{"t": "int", "v": "9" * 100} for _ in range(985)]} for _ in range(10)]}
    if name == "conv_forward":
        big = {"t": "ndarray", "dtype": "<f8", "shape": [1 << 20], "b64": _b64.b64encode(bytes(8 << 20)).decode()}
        empty = {"t": "ndarray", "dtype": "<f8", "shape": [0], "b64": ""}
        return {"t": "tuple", "v": [big, {"t": "list", "v": [empty] * 1000}]}
    if name == "pool_forward":
        empty = {"t": "ndarray", "dtype": "<c16", "shape": [0, 7, 0], "b64": ""}
        return {"t": "list", "v": [{"t": "list", "v": [empty] * 985} for _ in range(10)]}
    if name == "conv_backward":
        return {"t": "list", "v": [{"t": "list", "v": [{"t": "str", "v": "%04d" % i + "s" * 996} for i in range(985)]}
                                   for _ in range(10)]}
    if name == "create_mask_from_window":
        key = {"t": "tuple", "v": [{"t": "float", "v": "1.%038d" % i} for i in range(8)]}
        return {"t": "dict", "v": [[{"t": "tuple", "v": key["v"] + [{"t": "int", "v": str(i)}]}, {"t": "none"}]
                                   for i in range(800)]}
    if name == "distribute_value":
        return {"t": "list", "v": [{"t": "list", "v": [{"t": "float", "v": "1.%038d" % i} for i in range(985)]}
                                   for _ in range(10)]}
    nested = {"t": "none"}
    for _ in range(7):
        nested = {"t": "list", "v": [nested, nested, nested]}
    return {"t": "list", "v": [nested] * 3}


def _cnn_grading_call(name, request):
    calls = _json.loads(_b64.b64decode(request))["calls"]
    replies = [{"status": "returned", "result": _cnnattack_slow_result(name) if i == 0 else {"t": "none"},
                "args_after": [{"t": "none"}] * len(call["args"])} for i, call in enumerate(calls)]
    return _b64.b64encode(_json.dumps({"status": "called", "replies": replies}).encode()).decode()
'''


APPEND = {"zero_pad": SLOW}
