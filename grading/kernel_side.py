"""The only grading code that runs inside the student's kernel: call a function, send back plain data.

The grader sends this file's text once, when the kernel has started and before any
of the student's cells; each request is then one call of ``_cnn_grading_call`` (a
function on all the hidden cases of a check), ``_cnn_grading_descend`` (a function
as the gradient of a training) and ``_cnn_grading_kept_replies`` (its results),
``_cnn_grading_define`` or ``_cnn_grading_restore``. The student may replace these functions: a replaced one can
answer nothing the student's own function could not (the arguments it sees are those
the function sees, and its answer is read as data). Sending them once saves about
9 ms of the kernel's CPU per request (IPython compiles every cell); sending a
check's cases together saves a round trip of about 2.5 ms per case (ipykernel's
own cost of an execute request, measured on an empty one). Nothing here is secret,
and nothing here is trusted: whatever the kernel answers, the grader decodes it
strictly (``grading.plain_data``) as data, never as code or pickles, and decides
the verdict itself.

Values travel as JSON: arrays as dtype, shape and base64 bytes; numbers, strings,
tuples, lists and dicts as themselves; anything else as the name of its type.
The grader also imports ``encode`` to send its arguments in.
"""
import base64 as _cnn_base64
import json as _cnn_json


def _cnn_grading_encode(value, depth=0):
    import numpy
    if depth > 8:
        return {"t": "opaque", "type": "too_deeply_nested"}
    if value is None:
        return {"t": "none"}
    if type(value) is bool:
        return {"t": "bool", "v": value}
    if isinstance(value, numpy.ndarray):
        array = numpy.ascontiguousarray(numpy.ndarray.view(value, numpy.ndarray))
        if array.dtype.kind not in "biufc":
            return {"t": "opaque", "type": f"ndarray of {array.dtype.kind}"}
        return {"t": "ndarray", "dtype": array.dtype.str, "shape": list(array.shape),
                "b64": _cnn_base64.b64encode(array.tobytes()).decode()}
    if isinstance(value, numpy.generic) and numpy.dtype(type(value)).kind in "biufc":
        return {"t": "npscalar", "dtype": numpy.dtype(type(value)).str,
                "b64": _cnn_base64.b64encode(numpy.array(value).tobytes()).decode()}
    if type(value) is int:
        return {"t": "int", "v": str(value)}
    if type(value) is float:
        return {"t": "float", "v": float.__repr__(value)}
    if type(value) is str:
        return {"t": "str", "v": value[:10000]}
    if type(value) in (tuple, list):
        return {"t": type(value).__name__, "v": [_cnn_grading_encode(v, depth + 1) for v in value[:1000]]}
    if type(value) is dict:
        return {"t": "dict", "v": [[_cnn_grading_encode(k, depth + 1), _cnn_grading_encode(v, depth + 1)]
                                   for k, v in list(value.items())[:1000]]}
    return {"t": "opaque", "type": type(value).__name__}


def _cnn_grading_decode(item):
    import numpy
    kind = item["t"]
    if kind == "ndarray":
        data = _cnn_base64.b64decode(item["b64"])
        return numpy.frombuffer(data, dtype=numpy.dtype(item["dtype"])).reshape(item["shape"]).copy()
    if kind == "normal":  # drawn here from the grader's seed: the grader draws the same values
        return numpy.random.default_rng(item["seed"]).standard_normal(item["shape"])
    if kind == "scaled":  # divided here as the grader divided them
        return _cnn_grading_decode(item["raw"]) / float(item["divisor"])
    if kind == "npscalar":
        return numpy.frombuffer(_cnn_base64.b64decode(item["b64"]), dtype=numpy.dtype(item["dtype"]))[0]
    if kind in ("tuple", "list"):
        values = [_cnn_grading_decode(v) for v in item["v"]]
        return tuple(values) if kind == "tuple" else values
    if kind == "dict":
        return {_cnn_grading_decode(k): _cnn_grading_decode(v) for k, v in item["v"]}
    return {"none": lambda: None, "bool": lambda: item["v"], "int": lambda: int(item["v"]),
            "float": lambda: float(item["v"]), "str": lambda: item["v"]}[kind]()


def _cnn_grading_reply(content):
    return _cnn_base64.b64encode(_cnn_json.dumps(content).encode()).decode()


def _cnn_grading_digest(value, depth=0):
    """What a timed call sends back instead of its result: for each array (in tuples and lists), its
    shape, dtype, a weighted sum of its values and the sum of their sizes with the same weights.
    Sending a large result would take longer than computing it fast; the weighted sum cannot be
    made right without the right values. The grader digests its expected values the same way."""
    import numpy
    if isinstance(value, numpy.ndarray) and value.dtype.kind in "biuf" and depth <= 8:
        flat = numpy.ravel(value).astype(float)
        weights = numpy.cos(numpy.arange(flat.size) * 0.7548776662466927)
        return ("digest", list(value.shape), value.dtype.str, float(flat @ weights), float(numpy.abs(flat) @ numpy.abs(weights)))
    if type(value) in (tuple, list) and depth <= 8:
        return [_cnn_grading_digest(v, depth + 1) for v in value[:100]]
    return ("opaque", type(value).__name__)


def _cnn_grading_call(name, request):
    """Call the notebook's function `name` on each of the request's argument lists, in order; the
    replies as base64 JSON. The calls stop at the first that raises, as the hidden tests would: they
    fail there, so the later calls would only spend the student's time. A request that asks for
    digests gets each result's digest, and not the arguments after the call; one that says
    "args_back": false gets the results, and not the arguments after the call."""
    request = _cnn_json.loads(_cnn_base64.b64decode(request))
    function = globals().get(name)
    if function is None:
        return _cnn_grading_reply({"status": "missing"})
    replies = []
    for call in request["calls"]:
        args = [_cnn_grading_decode(a) for a in call["args"]]
        kwargs = {k: _cnn_grading_decode(v) for k, v in call["kwargs"].items()}
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # the student's own error, reported by the grader in one line
            replies.append({"status": "raised", "ename": type(error).__name__, "evalue": str(error)[:1000]})
            break
        if request.get("digest"):
            replies.append({"status": "returned", "result": _cnn_grading_encode(_cnn_grading_digest(result))})
        elif request.get("args_back", True):
            replies.append({"status": "returned", "result": _cnn_grading_encode(result),
                            "args_after": [_cnn_grading_encode(a) for a in args]})
        else:
            replies.append({"status": "returned", "result": _cnn_grading_encode(result)})
    return _cnn_grading_reply({"status": "called", "replies": replies})


def _cnn_grading_descend(name, request):
    """Gradient descent with the notebook's function `name` as the gradient: for each batch (a list of row
    indices), call it on (X[batch], Y[batch], a copy of the parameters), send back the weighed sums of its
    result (_cnn_grading_weighed, with the request's weights), keep the result for _cnn_grading_kept_replies,
    and move each parameter by -rate times the gradient the result holds for it (result[1]["d" + name]). The
    replies as _cnn_grading_call's; they stop at the first call that raises, or whose result cannot make the
    step. The data is sent once, not once per step: a step's own arguments would be most of the request. The
    grader asks for the results only from the first step whose sums are not its own run's (about 4.5 MB a
    training, most of that request's cost)."""
    import numpy
    request = _cnn_json.loads(_cnn_base64.b64decode(request))
    function = globals().get(name)
    if function is None:
        return _cnn_grading_reply({"status": "missing"})
    X, Y = _cnn_grading_decode(request["X"]), _cnn_grading_decode(request["Y"])
    parameters, rate = _cnn_grading_decode(request["parameters"]), float(request["rate"])
    weights = _cnn_grading_decode(request["weights"])
    replies, kept = [], []
    globals()["_cnn_grading_kept"] = kept
    for batch in request["batches"]:
        rows = numpy.array(batch, dtype=numpy.intp)
        try:
            result = function(X[rows], Y[rows], {key: value.copy() for key, value in parameters.items()})
        except Exception as error:
            replies.append({"status": "raised", "ename": type(error).__name__, "evalue": str(error)[:1000]})
            kept.append((replies[-1], None))
            break
        sums = _cnn_grading_weighed(result, weights)
        replies.append({"status": "returned", "result": _cnn_grading_encode(sums)})
        # The result as it is now: a function may return the same dictionary or arrays at every call, filled
        # again (the notebook's own training uses each result at once). Gradients that have sums are copied (a
        # few kB a step), anything else encoded now.
        if sums is None:
            kept.append(({"status": "returned", "result": _cnn_grading_encode(result)}, None))
        else:
            kept.append((None, (type(result).__name__, _cnn_grading_encode(result[0], 1),
                                {key: numpy.array(grad) for key, grad in result[1].items()})))
        try:
            parameters = {key: value - rate * result[1]["d" + key] for key, value in parameters.items()}
        except Exception:
            break
    return _cnn_grading_reply({"status": "called", "replies": replies})


def _cnn_grading_weighed(result, weights):
    """A training step's result as the grader compares it with its own run's: for (loss, grads), each gradient
    that is a real array of its weights' shape as its sum weighted by them; None for any other result (the
    grader then asks for the result itself)."""
    import numpy
    if type(result) not in (tuple, list) or len(result) != 2 or type(result[1]) is not dict:
        return None
    sums = {}
    for key, grad in list(result[1].items())[:100]:
        weight = weights.get(key) if type(key) is str else None
        if (weight is None or not isinstance(grad, numpy.ndarray) or grad.dtype.kind not in "iuf"
                or grad.shape != weight.shape):
            return None
        sums[key] = float(numpy.ravel(grad).astype(float) @ numpy.ravel(weight))
    return sums


def _cnn_grading_kept_replies(name, request):
    """The replies of the last _cnn_grading_descend with weights, as full results, from step request["first"]
    on; then they are dropped."""
    request = _cnn_json.loads(_cnn_base64.b64decode(request))
    kept = globals().pop("_cnn_grading_kept", [])
    replies = []
    for ready, copied in kept[int(request["first"]):]:
        if ready is None:  # encoded as _cnn_grading_encode encodes the (loss, grads) it was
            kind, loss, grads = copied
            ready = {"status": "returned", "result": {"t": kind, "v": [loss, _cnn_grading_encode(grads, 1)]}}
        replies.append(ready)
    return _cnn_grading_reply({"status": "called", "replies": replies})


def _cnn_grading_define(name, source):
    """Put a reference helper, the function `source` defines as `name`, in the notebook's namespace
    until _cnn_grading_restore()."""
    saved = globals().setdefault("_cnn_grading_saved", {})
    if name not in saved:
        saved[name] = (name in globals(), globals().get(name))
    namespace = {}
    exec(source, namespace)
    globals()[name] = namespace[name]
    return _cnn_grading_reply({"status": "defined"})


def _cnn_grading_restore():
    globals().pop("_cnn_grading_kept", None)
    for name, (present, value) in globals().pop("_cnn_grading_saved", {}).items():
        if present:
            globals()[name] = value
        else:
            globals().pop(name, None)
    return _cnn_grading_reply({"status": "restored"})
