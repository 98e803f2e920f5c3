"""The autograder's hidden kit: oracles, reference helpers and one check per graded function.

course_tools/author/build_notebook.py pastes this file into the hidden block of the
notebook's "grading kit" test cell, so it never reaches the release. When grading,
the trusted grader (grading/trusted_execute.py) runs it in its own process, never
in the student's kernel: the checks call the student's functions through proxies
that run them in the sandboxed kernel and bring back plain data. In the
instructor's own kernel (running the source notebook) it runs as ordinary code. It must not use anything the student defines: it
imports numpy under its own name and writes its oracles differently from the
reference solution (vectorised over the kernel offsets, not four loops), so that
a shared mistake cannot hide.

Every function below sets ``__tracebackhide__`` so that IPython leaves the kit's
frames out of a failing cell's traceback: a student (and the feedback) sees the
one-sentence message, not the oracle.

No message holds a number computed from an expected value (not the value, not an
error against it, not a count of wrong entries): a function that answers only the
grader's calls wrong would read the hidden cases' answers in its feedback. A message
says which case (its public description), which output, and what is wrong with it
(type, shape, dtype, "not within tolerance"). What the student's code put in its
result or its exception is quoted through ``shown``, cut short: the function ran on
the hidden inputs and may have recorded them.
"""
import warnings as _cnn_warnings

import numpy as _cnn_np

# A correct solution must not lose a test cell to a warning printed on stderr
# (nbgrader scores any stderr output as a failure).
_cnn_warnings.simplefilter("ignore")


class _CnnGradingKit:
    np = _cnn_np
    RTOL = 1e-6
    ATOL = 1e-8
    GRAD_TOL = 1e-5  # largest relative error allowed against central differences
    # The hidden cases are the same for every student, so their expected values are computed
    # once per grading process: the trusted grader hands the kit a cache that outlives the
    # notebook (grading_cache); elsewhere the cache lasts as long as this class.
    CACHE = globals().get("grading_cache", {})

    @classmethod
    def remembered(cls, compute, *key):
        """compute() for a hidden case, from the cache when the same inputs were seen before. The key
        holds the inputs' bytes: an input a student's function changed in place is a new case."""
        import hashlib

        parts = tuple((k.dtype.str, k.shape, hashlib.sha256(cls.np.ascontiguousarray(k).tobytes()).hexdigest())
                      if isinstance(k, cls.np.ndarray) else repr(k) for k in key)
        if parts not in cls.CACHE:
            if len(cls.CACHE) > 10000:  # inputs changed in place by many students: start again
                cls.CACHE.clear()
            cls.CACHE[parts] = compute()
        value = cls.CACHE[parts]
        return tuple(v.copy() for v in value) if isinstance(value, tuple) else value.copy()

    # ------------------------------------------------------------------ oracles
    @staticmethod
    def out_size(n, f, pad, stride):
        return (n + 2 * pad - f) // stride + 1

    @classmethod
    def pad(cls, X, pad):
        m, n_H, n_W, n_C = X.shape
        out = cls.np.zeros((m, n_H + 2 * pad, n_W + 2 * pad, n_C), dtype=X.dtype)
        out[:, pad:pad + n_H, pad:pad + n_W, :] = X
        return out

    @staticmethod
    def offset_view(X, di, dj, f_out_H, f_out_W, stride):
        """The entries that kernel offset (di, dj) meets, one per output position."""
        return X[:, di:di + stride * (f_out_H - 1) + 1:stride,
                 dj:dj + stride * (f_out_W - 1) + 1:stride, :]

    @classmethod
    def conv_forward(cls, A, W, b, stride, pad):
        f, _, _, n_C = W.shape
        n_H = cls.out_size(A.shape[1], f, pad, stride)
        n_W = cls.out_size(A.shape[2], f, pad, stride)
        A_pad = cls.pad(A, pad)
        Z = cls.np.zeros((A.shape[0], n_H, n_W, n_C))
        for di in range(f):
            for dj in range(f):
                Z += cls.offset_view(A_pad, di, dj, n_H, n_W, stride) @ W[di, dj]
        return Z + b.reshape(n_C)

    @classmethod
    def conv_backward(cls, dZ, A, W, stride, pad):
        f, _, _, n_C = W.shape
        _, n_H, n_W, _ = dZ.shape
        A_pad = cls.pad(A, pad)
        dA_pad = cls.np.zeros_like(A_pad)
        dW = cls.np.zeros_like(W)
        for di in range(f):
            for dj in range(f):
                dW[di, dj] = cls.np.einsum("mhwk,mhwc->kc", cls.offset_view(A_pad, di, dj, n_H, n_W, stride), dZ)
                cls.offset_view(dA_pad, di, dj, n_H, n_W, stride)[...] += dZ @ W[di, dj].T
        db = dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)
        dA = dA_pad[:, pad:pad + A.shape[1], pad:pad + A.shape[2], :]
        return dA, dW, db

    @classmethod
    def pool_forward(cls, A, f, stride, mode):
        n_H = cls.out_size(A.shape[1], f, 0, stride)
        n_W = cls.out_size(A.shape[2], f, 0, stride)
        views = cls.np.stack([cls.offset_view(A, di, dj, n_H, n_W, stride)
                              for di in range(f) for dj in range(f)])
        return views.max(axis=0) if mode == "max" else views.mean(axis=0)

    @classmethod
    def pool_backward(cls, dA, A, f, stride, mode):
        dA_prev = cls.np.zeros(A.shape)
        for h in range(dA.shape[1]):
            for w in range(dA.shape[2]):
                rows = slice(h * stride, h * stride + f)
                cols = slice(w * stride, w * stride + f)
                g = dA[:, h, w, :][:, None, None, :]
                if mode == "max":
                    window = A[:, rows, cols, :]
                    dA_prev[:, rows, cols, :] += (window == window.max(axis=(1, 2), keepdims=True)) * g
                else:
                    dA_prev[:, rows, cols, :] += g / (f * f)
        return dA_prev

    @classmethod
    def numerical_gradient(cls, loss, x, eps=1e-5):
        """Central differences of the scalar loss() with respect to every entry of x."""
        grad = cls.np.zeros_like(x)
        for idx in cls.np.ndindex(*x.shape):
            keep = x[idx]
            x[idx] = keep + eps
            up = loss()
            x[idx] = keep - eps
            down = loss()
            x[idx] = keep
            grad[idx] = (up - down) / (2 * eps)
        return grad

    # ------------------------------------------------- helpers swapped in while
    # conv_forward, conv_backward and pool_backward are graded, so that a wrong
    # helper costs only its own points. Kept as source text: the trusted grader
    # sends this text into the sandboxed kernel, where the caller runs.
    REFERENCE_SOURCE = {
        "zero_pad": (
            "def zero_pad(X, pad):\n"
            "    import numpy\n"
            "    return numpy.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode='constant')\n"),
        "conv_single_step": (
            "def conv_single_step(a_slice_prev, W, b):\n"
            "    import numpy\n"
            "    return float(numpy.sum(a_slice_prev * W) + numpy.asarray(b).reshape(-1)[0])\n"),
        "create_mask_from_window": (
            "def create_mask_from_window(x):\n"
            "    import numpy\n"
            "    return x == numpy.max(x)\n"),
        "distribute_value": (
            "def distribute_value(dz, shape):\n"
            "    import numpy\n"
            "    return numpy.full(shape, dz / (shape[0] * shape[1]))\n"),
    }

    @classmethod
    def reference(cls, name):
        namespace = {}
        exec(cls.REFERENCE_SOURCE[name], namespace)
        return namespace[name]

    @classmethod
    def reference_helpers(cls):
        """{helper name: reference version} for every graded function that others call."""
        return {name: cls.reference(name) for name in cls.REFERENCE_SOURCE}

    @classmethod
    def isolate(cls, namespace, *names):
        """Put the reference versions of the named helpers in the notebook's namespace until this cell ends.

        Run by the trusted grader, the namespace holds ``grading_kernel``: the notebook
        is in the sandboxed kernel, and the grader sends the references there (only
        once each helper's own hidden tests have called the student's version).
        Run in a notebook's own kernel (the instructor's), restoring from IPython's
        post_run_cell event runs even when the cell fails, so the student's own
        helpers are back for every later cell.
        """
        __tracebackhide__ = True
        kernel = namespace.get("grading_kernel")
        if kernel is not None:
            sent = [kernel.define_for_this_cell(name, cls.REFERENCE_SOURCE[name]) for name in names]
            # The kernel holds a reference's source from now on: whatever the student's code puts in a result or
            # an exception may quote it, so no message quotes any of it again (`shown`).
            cls.QUIET = cls.QUIET or any(sent)
            return
        saved = {name: namespace[name] for name in names if name in namespace}
        namespace.update({name: cls.reference(name) for name in names})
        shell = get_ipython()  # noqa: F821 (defined in the kernel)

        def restore(*_):
            for name in names:
                namespace.pop(name, None)
            namespace.update(saved)
            shell.events.unregister("post_run_cell", restore)

        shell.events.register("post_run_cell", restore)

    # ----------------------------------------------------------------- plumbing
    @staticmethod
    def fail(message):
        __tracebackhide__ = True
        raise AssertionError(message)

    SHOWN = 120  # characters of a student's own text a message may quote
    NAME = 40  # characters of a type's name
    QUIET = False  # set once a reference helper is in the student's kernel (isolate): nothing is quoted then

    @classmethod
    def shown(cls, value):
        """The student's own text (an exception's message, a type name, keys, a shape), as a message may
        quote it: its first line, printable ASCII only (any other character one "?"), at most SHOWN
        characters, as grading/text.py's ``quoted``. Enough to say what went wrong; too little to carry
        much of the hidden inputs the function saw out to the page. Nothing once the kernel holds a
        reference helper's source (QUIET)."""
        if cls.QUIET:
            return "[not shown]"
        line = "".join(c if " " <= c <= "~" else "?" for c in str(value).strip().split("\n")[0])
        return line if len(line) <= cls.SHOWN else line[:cls.SHOWN - 3] + "..."

    @classmethod
    def raised(cls, error):
        """A student's exception for a message: its type's name (ASCII letters, digits, "_" and ".", at most
        NAME of them) and the start of its first line (none once QUIET)."""
        name = "".join(c if c.isascii() and (c.isalnum() or c in "_.") else "_"
                       for c in type(error).__name__)[:cls.NAME] or "Exception"
        text = "" if cls.QUIET else cls.shown(error)
        return f"{name}: {text}" if text else name

    @staticmethod
    def how_many(wrong):
        """Words for the share of entries that are wrong: a count would be an oracle on each entry."""
        share = float(wrong.mean()) if wrong.size else 0.0
        return "all" if share == 1 else "most" if share >= 0.5 else "some" if share >= 0.1 else "a few"

    @classmethod
    def call(cls, label, function, *args, **kwargs):
        """Call the student's function on copies, and fail if it changed them or raised."""
        __tracebackhide__ = True
        return next(cls.call_each(function, [(label, args, kwargs)]))

    @classmethod
    def call_each(cls, function, cases):
        """call() on every (label, args, kwargs) of `cases`, in order: a generator of the results, each
        checked as it comes (outcomes() asks the kernel for them all at once), so that the first wrong
        case is the one reported."""
        __tracebackhide__ = True
        copied = [(label, args, [cls.fresh_copy(a) for a in args], cls.fresh_copy(kwargs)) for label, args, kwargs in cases]
        outcomes = cls.outcomes(function, [(copies, kwargs) for _, _, copies, kwargs in copied])
        for (label, originals, copies, kwargs), (result, error) in zip(copied, outcomes):
            if error is not None:
                cls.fail(f"{label}: {function.__name__} raised {cls.raised(error)}")
            for position, (before, after) in enumerate(zip(originals, copies)):
                part = cls.changed_part(before, after)
                if part is not None:
                    where = f" ({cls.shown(part)})" if part else ""
                    cls.fail(f"{label}: {function.__name__} modified its input argument number {position + 1}"
                             f"{where}; work on new arrays instead.")
            yield result

    @classmethod
    def outcomes(cls, function, cases, args_back=True):
        """The function's (result, error) on each (args, kwargs) of `cases`, in order, up to the first that
        raised: a generator. The trusted grader's stand-in for a student's function has ``call_many``:
        every case then goes to the sandboxed kernel in one request (each request costs a round trip of a
        few milliseconds), which stops at the first case that raises, as this loop does, and brings back
        what the function did to the arguments into the ones given (the results only, without args_back).
        Here the function runs on the arguments given, one case at a time as the generator gets to it."""
        many = getattr(function, "call_many", None)
        if many:
            yield from many(list(cases), args_back=args_back)
            return
        for args, kwargs in cases:
            result, error = cls.outcome(function, args, kwargs)
            yield result, error
            if error is not None:
                return

    @classmethod
    def results(cls, function, cases):
        """outcomes() without looking at what the function did to its arguments: for a check whose verdict
        does not depend on that. The kernel sends back the results only; here each case runs on copies, so
        that the caller's arrays stay as they are."""
        if getattr(function, "call_many", None) is None:
            cases = (([cls.fresh_copy(a) for a in args], cls.fresh_copy(kwargs)) for args, kwargs in cases)
        return cls.outcomes(function, cases, args_back=False)

    @classmethod
    def fresh_copy(cls, value):
        """A deep copy of an argument, for the student's function to work on. The trusted grader writes what the
        kernel did to an argument back into the objects it sent; the kit's own stay as drawn, so that every
        expected value is computed from inputs no call has touched. An array drawn from a seed keeps it, so
        that it still travels to the kernel as its seed."""
        np = cls.np
        if isinstance(value, np.ndarray):
            copy = value.copy()
            if getattr(value, "seed", None) is not None:
                copy.seed = value.seed
            return copy
        if isinstance(value, dict):
            return {key: cls.fresh_copy(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(cls.fresh_copy(item) for item in value)
        if isinstance(value, str) and len(value) > 1:
            # A string object of its own, as the kernel gets each string decoded from the request: there a
            # function comparing `mode is "max"` sees a string that is not the literal, and so it must here.
            return "".join(list(value))
        return value  # numbers, None: nothing a call can change

    @classmethod
    def changed_part(cls, before, after, where=""):
        """None if the call left `after` (the copy it was given) equal to `before`; else where it changed it:
        "" for the argument itself, "['W1']" for an array in a dictionary, "[0]" in a tuple."""
        np = cls.np
        if isinstance(before, np.ndarray):
            same = (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(before, after, equal_nan=np.issubdtype(before.dtype, np.inexact)))
            return None if same else where
        if isinstance(before, dict):
            if not isinstance(after, dict) or set(after) != set(before):
                return where
            parts = (cls.changed_part(item, after[key], f"{where}[{key!r}]") for key, item in before.items())
        elif isinstance(before, (list, tuple)):
            if not isinstance(after, (list, tuple)) or len(after) != len(before):
                return where
            parts = (cls.changed_part(item, got, f"{where}[{index}]")
                     for index, (item, got) in enumerate(zip(before, after)))
        else:
            return None
        return next((part for part in parts if part is not None), None)

    @classmethod
    def outcome(cls, function, args, kwargs):
        """(result, None), or (None, the exception) if the function raised."""
        try:
            with cls.np.errstate(all="ignore"):
                return function(*args, **kwargs), None
        except Exception as error:  # the student's own error, reported in one line
            return None, error

    @classmethod
    def unpack(cls, label, result, names):
        __tracebackhide__ = True
        if not isinstance(result, (tuple, list)) or len(result) != len(names):
            length = f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""
            cls.fail(f"{label}: expected {len(names)} return values ({', '.join(names)}), "
                     f"got {cls.shown(type(result).__name__)}{length}.")
        return result

    @classmethod
    def check_array(cls, label, name, got, want, exact=False):
        """`got` is an array like `want`. Its shape and dtype may be named: they follow from the case's public
        description (input shapes, hyperparameters) and the assignment's text."""
        __tracebackhide__ = True
        np = cls.np
        if not isinstance(got, np.ndarray):
            cls.fail(f"{label}: {name} should be a numpy array, got {cls.shown(type(got).__name__)}.")
        if got.shape != want.shape:
            cls.fail(f"{label}: {name} has shape {cls.shown(got.shape)} but should have shape {want.shape}.")
        if exact:
            if got.dtype != want.dtype:
                cls.fail(f"{label}: {name} has dtype {cls.shown(got.dtype)} but should have dtype {want.dtype}.")
            if not np.array_equal(got, want):
                cls.fail(f"{label}: {name} is True in the wrong places ({cls.how_many(got != want)} of its entries are "
                         "wrong).")
            return
        if not np.issubdtype(got.dtype, np.number) or np.issubdtype(got.dtype, np.complexfloating):
            cls.fail(f"{label}: {name} has dtype {cls.shown(got.dtype)}; it should hold real numbers.")
        if not np.allclose(got, want, rtol=cls.RTOL, atol=cls.ATOL):
            wrong = ~np.isclose(got, want, rtol=cls.RTOL, atol=cls.ATOL)
            cls.fail(f"{label}: {name} has the right shape but {cls.how_many(wrong)} of its values are off by more "
                     "than the tolerance.")

    @classmethod
    def check_gradient(cls, label, name, got, numeric):
        __tracebackhide__ = True
        np = cls.np
        if (not isinstance(got, np.ndarray) or got.shape != numeric.shape or not np.issubdtype(got.dtype, np.number)
                or np.issubdtype(got.dtype, np.complexfloating)):
            cls.check_array(label, name, got, numeric)  # reports the wrong type, shape or dtype
        error = np.max(np.abs(got - numeric) / np.maximum(1e-8, np.abs(got) + np.abs(numeric)))
        if not error < cls.GRAD_TOL:
            cls.fail(f"{label}, gradient check: {name} differs from central differences by more than the relative "
                     f"tolerance ({cls.GRAD_TOL:.0e}).")

    @staticmethod
    def describe(A_shape, **hyper):
        m, n_H, n_W, n_C = A_shape
        extra = ", ".join(f"{k} {v}" for k, v in hyper.items())
        return f"m={m}, input {n_H}x{n_W} with {n_C} channel{'s' if n_C != 1 else ''}, {extra}"

    # ------------------------------------------------------------------- cases
    # Drawn from one fixed seed so every submission sees the same numbers.
    # (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, pad, stride)
    CONV_CASES = [
        (2, 5, 7, 3, 3, 4, 0, 1),   # pad 0, non-square, n_C != n_C_prev
        (3, 6, 6, 2, 2, 3, 1, 2),   # stride 2 with padding
        (1, 7, 5, 1, 3, 2, 2, 3),   # m = 1, stride 3 does not divide evenly
        (2, 4, 4, 3, 1, 2, 0, 1),   # f = 1
        (2, 5, 4, 2, 4, 3, 0, 2),   # f larger than stride, a row left over
        (2, 3, 3, 2, 3, 5, 0, 1),   # f equals the input size: one output pixel
        (1, 4, 6, 3, 3, 1, 1, 1),   # "same" convolution, a single filter
        (2, 4, 3, 2, 2, 3, 2, 1),   # pad larger than f, as in the worked example (f 2, pad 2)
    ]
    # (m, n_H_prev, n_W_prev, n_C, f, stride)
    POOL_CASES = [
        (2, 5, 7, 3, 3, 1),   # overlapping windows (stride < f), non-square
        (1, 6, 4, 2, 2, 2),   # m = 1, windows tile the input
        (3, 8, 5, 1, 3, 2),   # overlap, stride 2 leaves a row over
        (2, 4, 4, 3, 1, 1),   # f = 1
        (2, 5, 6, 2, 5, 1),   # window as tall as the input
        (2, 8, 6, 2, 2, 3),   # stride > f: some inputs in no window, a column left over
    ]

    @classmethod
    def rng(cls):
        return cls.np.random.default_rng(20240917)

    # ------------------------------------------------------------------ checks
    # Each check draws all its cases first (in the same order as ever, so the numbers do
    # not change), calls the student's function on them through call_each, then checks
    # the results in order.
    @classmethod
    def check_zero_pad(cls, zero_pad):
        __tracebackhide__ = True
        rng = cls.rng()
        cases = []
        for number, (shape, pad) in enumerate([((2, 3, 5, 2), 1), ((1, 4, 2, 3), 3),
                                               ((3, 2, 2, 1), 0), ((2, 4, 3, 2), 2)], 1):
            cases.append((f"zero_pad case {number} ({cls.describe(shape, pad=pad)})",
                          (rng.standard_normal(shape), pad), {}))
        X = rng.integers(-9, 9, size=(2, 3, 3, 2)).astype(cls.np.float32)
        cases.append(("zero_pad case 5 (float32 input)", (X, 1), {}))
        results = cls.call_each(zero_pad, cases)
        for label, (X, pad), _ in cases:
            got, want = next(results), cls.pad(X, pad)
            cls.check_array(label, "X_pad", got, want)
            # Padding copies X: its values come back exactly (in any float dtype as wide as X's). A float32
            # buffer rounds float64 values by about 1e-8, inside the tolerance the computed results get.
            if not cls.np.array_equal(got, want):
                cls.fail(f"{label}: X_pad should hold X's values exactly, and zeros around them; {cls.how_many(got != want)} "
                         "of its values differ (a buffer of a narrower dtype than X's rounds them).")

    @classmethod
    def check_conv_single_step(cls, conv_single_step):
        __tracebackhide__ = True
        np = cls.np
        rng = cls.rng()
        cases = []
        for number, (f, n_C_prev) in enumerate([(3, 2), (1, 4), (5, 1), (2, 3)], 1):
            a = rng.standard_normal((f, f, n_C_prev))
            W = rng.standard_normal((f, f, n_C_prev))
            b = rng.standard_normal((1, 1, 1)) * 10
            cases.append((f"conv_single_step case {number} (window {f}x{f}x{n_C_prev})", (a, W, b), {}))
        results = cls.call_each(conv_single_step, cases)
        for label, (a, W, b), _ in cases:
            got = next(results)
            if isinstance(got, np.ndarray) and got.ndim > 0:
                cls.fail(f"{label}: Z should be a single number, got an array of shape {cls.shown(got.shape)}.")
            if not isinstance(got, (int, float, np.integer, np.floating, np.ndarray)):
                cls.fail(f"{label}: Z should be a number, got {cls.shown(type(got).__name__)}.")
            want = np.einsum("ijk,ijk->", a, W) + b[0, 0, 0]
            if not np.isclose(float(got), want, rtol=cls.RTOL, atol=cls.ATOL):
                # No "off by": with one number per case, two submissions would give the expected value.
                cls.fail(f"{label}: Z is wrong.")

    @staticmethod
    def hyperparameters(number, **values):
        """Case `number`'s hyperparameters: a dictionary with its keys in the order given for an odd case, reversed
        for an even one. A function reads them by name, so either order must do (the brief writes
        {"stride": s, "pad": p}, the notebook's examples often the other way round)."""
        items = list(values.items())
        return dict(items if number % 2 else items[::-1])

    @classmethod
    def conv_cases(cls, function_name, rng):
        """Yield (label, A, W, b, pad, stride, hparameters) for every convolution case."""
        for number, (m, n_H, n_W, n_C_prev, f, n_C, pad, stride) in enumerate(cls.CONV_CASES, 1):
            A = rng.standard_normal((m, n_H, n_W, n_C_prev))
            W = rng.standard_normal((f, f, n_C_prev, n_C))
            b = rng.standard_normal((1, 1, 1, n_C))
            label = f"{function_name} case {number} ({cls.describe(A.shape, f=f, n_C=n_C, pad=pad, stride=stride)})"
            yield label, A, W, b, pad, stride, cls.hyperparameters(number, pad=pad, stride=stride)

    @staticmethod
    def by_keyword(label, names, args):
        """A call of case `label` with its arguments passed by name: the signature's names are the contract. The
        last case of each convolution check is called so."""
        return label + ", every argument passed by name", (), dict(zip(names, args))

    @classmethod
    def check_conv_forward(cls, conv_forward, name="conv_forward"):
        __tracebackhide__ = True
        cases = list(cls.conv_cases(name, cls.rng()))
        calls = [(label, (A, W, b, hp), {}) for label, A, W, b, pad, stride, hp in cases]
        calls[-1] = cls.by_keyword(calls[-1][0], ("A_prev", "W", "b", "hparameters"), calls[-1][1])
        results = cls.call_each(conv_forward, calls)
        for (label, _, _), (_, A, W, b, pad, stride, hp) in zip(calls, cases):
            Z, cache = cls.unpack(label, next(results), ("Z", "cache"))
            cls.check_array(label, "Z", Z, cls.remembered(lambda: cls.conv_forward(A, W, b, stride, pad),
                                                          "conv_forward", A, W, b, stride, pad))
            cls.check_cache(label, cache, (A, W, b, hp), ("A_prev", "W", "b", "hparameters"))

    @classmethod
    def check_cache(cls, label, cache, want, names):
        __tracebackhide__ = True
        np = cls.np
        if not isinstance(cache, (tuple, list)) or len(cache) != len(want):
            cls.fail(f"{label}: cache should be the tuple ({', '.join(names)}).")
        for name, got, expected in zip(names, cache, want):
            same = (got == expected) if isinstance(expected, dict) else (
                isinstance(got, np.ndarray) and got.shape == expected.shape and np.array_equal(got, expected))
            if not same:
                cls.fail(f"{label}: cache should hold {name} as it was passed in, in the order ({', '.join(names)}).")

    @classmethod
    def pool_cases(cls, function_name, rng):
        """Yield (label, A_prev, f, stride, mode, hparameters) for every pooling case, in both modes."""
        for number, (m, n_H, n_W, n_C, f, stride) in enumerate(cls.POOL_CASES, 1):
            A = rng.standard_normal((m, n_H, n_W, n_C))
            for mode in ("max", "average"):
                yield (f"{function_name} case {number}, mode '{mode}' ({cls.describe(A.shape, f=f, stride=stride)})",
                       A, f, stride, mode, cls.hyperparameters(number, f=f, stride=stride))

    @staticmethod
    def mode_passed(args, mode):
        """(args, kwargs) of a pooling call: mode by name for max pooling, by position for average pooling (the
        signature allows both)."""
        return ((*args, mode), {}) if mode == "average" else (args, {"mode": mode})

    @classmethod
    def check_pool_forward(cls, pool_forward):
        __tracebackhide__ = True
        rng = cls.rng()
        cases = list(cls.pool_cases("pool_forward", rng))
        calls = [(label, *cls.mode_passed((A, hp), mode)) for label, A, f, stride, mode, hp in cases]
        A_default = rng.standard_normal((2, 4, 4, 2))
        default_label = "pool_forward called without mode (the default must be 'max')"
        results = cls.call_each(pool_forward, calls + [(default_label, (A_default, {"f": 2, "stride": 2}), {})])
        for label, A, f, stride, mode, hp in cases:
            out, cache = cls.unpack(label, next(results), ("A", "cache"))
            cls.check_array(label, "A", out, cls.remembered(lambda: cls.pool_forward(A, f, stride, mode),
                                                            "pool_forward", A, f, stride, mode))
            cls.check_cache(label, cache, (A, hp), ("A_prev", "hparameters"))
        out, _ = cls.unpack(default_label, next(results), ("A", "cache"))
        cls.check_array(default_label, "A", out, cls.pool_forward(A_default, 2, 2, "max"))

    @classmethod
    def check_conv_backward(cls, conv_backward, name="conv_backward"):
        __tracebackhide__ = True
        rng = cls.rng()
        cases, inputs = [], []
        for label, A, W, b, pad, stride, hp in cls.conv_cases(name, rng):
            dZ = rng.standard_normal(cls.conv_forward(A, W, b, stride, pad).shape)
            cases.append((label, (dZ, (A.copy(), W.copy(), b.copy(), hp)), {}))
            inputs.append((dZ, A, W, b, pad, stride))
        cases[-1] = cls.by_keyword(cases[-1][0], ("dZ", "cache"), cases[-1][1])
        gradient_case, gradient_inputs = cls.conv_gradient_case(rng, name)
        results = cls.call_each(conv_backward, cases + [gradient_case])
        for (label, _, _), (dZ, A, W, b, pad, stride) in zip(cases, inputs):
            dA, dW, db = cls.unpack(label, next(results), ("dA_prev", "dW", "db"))
            want = cls.remembered(lambda: cls.conv_backward(dZ, A, W, stride, pad), "conv_backward", dZ, A, W,
                                  stride, pad)
            for name, got, expected in zip(("dA_prev", "dW", "db"), (dA, dW, db), want):
                cls.check_array(label, name, got, expected)
        cls.check_conv_gradients(gradient_case[0], gradient_inputs, next(results))

    @classmethod
    def conv_gradient_case(cls, rng, name="conv_backward"):
        """A gradient check of conv_backward on loss = sum(G * Z): its (label, args, kwargs) and its inputs."""
        A = rng.standard_normal((2, 5, 4, 2))
        W = rng.standard_normal((3, 3, 2, 3))
        b = rng.standard_normal((1, 1, 1, 3))
        stride, pad = 2, 1
        G = rng.standard_normal(cls.conv_forward(A, W, b, stride, pad).shape)
        label = f"{name} on loss = sum(G * Z) ({cls.describe(A.shape, f=3, n_C=3, pad=pad, stride=stride)})"
        case = (label, (G, (A.copy(), W.copy(), b.copy(), {"pad": pad, "stride": stride})), {})
        return case, (G, A, W, b, pad, stride)

    @classmethod
    def check_conv_gradients(cls, label, inputs, result):
        __tracebackhide__ = True
        G, A, W, b, pad, stride = inputs
        dA, dW, db = cls.unpack(label, result, ("dA_prev", "dW", "db"))

        def loss():
            return float(cls.np.sum(G * cls.conv_forward(A, W, b, stride, pad)))

        for name, got, x in (("dA_prev", dA, A), ("dW", dW, W), ("db", db, b)):
            numeric = cls.remembered(lambda: cls.numerical_gradient(loss, x), "conv gradient", name, G, A, W, b,
                                     stride, pad)
            cls.check_gradient(label, name, got, numeric)

    @classmethod
    def check_create_mask_from_window(cls, create_mask_from_window):
        __tracebackhide__ = True
        np = cls.np
        rng = cls.rng()
        cases = []
        for number, shape in enumerate([(2, 3), (3, 3), (1, 1), (4, 2), (2, 5)], 1):
            x = rng.standard_normal(shape) - 3.0  # all negative in most entries: a max of 0 is wrong
            cases.append((f"create_mask_from_window case {number} (window {shape[0]}x{shape[1]})", (x,), {}))
        # Entries near 1 and a billionth apart: the maximum is still one entry. A mask from np.isclose marks
        # them all, with its absolute tolerance (1e-8) or its relative one (1e-5) alone, and so does a comparison
        # in float32; the cases above, their entries far apart, do not show it.
        cases.append(("create_mask_from_window case 6 (window 3x3, entries within about 1e-9 of 1)",
                      (1.0 + rng.standard_normal((3, 3)) * 1e-9,), {}))
        # A maximum of exactly 0, the others negative (a mask from x / max(x) == 1 marks nothing), and a maximum
        # whose runner-up is the next float below it (a mask with any tolerance marks both).
        x = -0.5 - rng.random((3, 3))
        x[1, 2] = 0.0
        cases.append(("create_mask_from_window case 7 (window 3x3, its maximum exactly 0)", (x,), {}))
        x = rng.standard_normal((2, 3))
        x.flat[np.argsort(x, axis=None)[-2]] = np.nextafter(x.max(), -np.inf)
        cases.append(("create_mask_from_window case 8 (window 2x3, its two largest entries adjacent floats)", (x,), {}))
        results = cls.call_each(create_mask_from_window, cases)
        for label, (x,), _ in cases:
            got = next(results)
            want = x == x.max()
            if isinstance(got, np.ndarray) and got.shape == want.shape and got.dtype != bool:
                cls.fail(f"{label}: the mask has dtype {cls.shown(got.dtype)}; it should be boolean (True at the "
                         "maximum).")
            cls.check_array(label, "mask", got, want, exact=True)

    @classmethod
    def check_distribute_value(cls, distribute_value):
        __tracebackhide__ = True
        np = cls.np
        cases = [(f"distribute_value case {number} (dz = {float(dz):g}, shape {shape})", (dz, shape), {})
                 for number, (dz, shape) in enumerate([(3, (2, 2)), (-1.5, (3, 1)), (2.0, (1, 1)),
                                                       (7, (2, 5)), (np.float64(0.3), (3, 3))], 1)]
        results = cls.call_each(distribute_value, cases)
        for label, (dz, shape), _ in cases:
            cls.check_array(label, "a", next(results), np.full(shape, float(dz) / (shape[0] * shape[1])))

    @classmethod
    def check_pool_backward(cls, pool_backward):
        __tracebackhide__ = True
        rng = cls.rng()
        cases, inputs = [], []
        for label, A, f, stride, mode, hp in cls.pool_cases("pool_backward", rng):
            dA = rng.standard_normal(cls.pool_forward(A, f, stride, mode).shape)
            cases.append((label, *cls.mode_passed((dA, (A.copy(), hp)), mode)))
            inputs.append((dA, A, f, stride, mode))
        A = rng.standard_normal((1, 5, 4, 2))
        f, stride = 3, 1
        G = rng.standard_normal(cls.pool_forward(A, f, stride, "max").shape)
        gradient_cases = [
            (f"pool_backward, mode '{mode}', on loss = sum(G * A) ({cls.describe(A.shape, f=f, stride=stride)})",
             (G, (A.copy(), {"f": f, "stride": stride})), {"mode": mode}) for mode in ("max", "average")]
        def max_of_2x2(label, A_prev, kwargs):
            """A case of max pooling over 2x2 windows with stride 2, on A_prev, its dA drawn after it."""
            return label, (rng.standard_normal((len(A_prev), 2, 2, 2)), (A_prev, {"f": 2, "stride": 2})), kwargs

        where = cls.describe((1, 4, 4, 2), f=2, stride=2)
        # Without mode, as pool_forward's check calls pool_forward: the signature's default must be max pooling.
        max_cases = [max_of_2x2("pool_backward called without mode (the default must be 'max')",
                                rng.standard_normal((2, 4, 4, 2)), {})]
        # Entries near 1 and a billionth apart: the gradient still goes to one entry of each window.
        max_cases.append(max_of_2x2(f"pool_backward, mode 'max', entries within about 1e-9 of 1 ({where})",
                                    1.0 + rng.standard_normal((1, 4, 4, 2)) * 1e-9, {"mode": "max"}))
        # Windows whose maximum is exactly 0 (one entry each, the others negative), as after a ReLU: the maximum
        # still gets the gradient (a mask from x / max(x) == 1 finds none there).
        A_zero = -0.5 - rng.random((1, 4, 4, 2))
        A_zero[:, 0::2, 1::2, :] = 0.0
        max_cases.append(max_of_2x2(f"pool_backward, mode 'max', each window's maximum exactly 0 ({where})", A_zero,
                                    {"mode": "max"}))
        results = cls.call_each(pool_backward, cases + gradient_cases + max_cases)
        for (label, _, _), (dA, A_prev, f_case, stride_case, mode) in zip(cases, inputs):
            got = next(results)
            cls.check_array(label, "dA_prev", got, cls.remembered(
                lambda: cls.pool_backward(dA, A_prev, f_case, stride_case, mode), "pool_backward", dA, A_prev,
                f_case, stride_case, mode))
        for label, _, kwargs in gradient_cases:
            mode = kwargs["mode"]
            got = next(results)

            def loss():
                return float(cls.np.sum(G * cls.pool_forward(A, f, stride, mode)))

            numeric = cls.remembered(lambda: cls.numerical_gradient(loss, A), "pool gradient", G, A, f, stride, mode)
            cls.check_gradient(label, "dA_prev", got, numeric)
        for label, (dA, (A_prev, _)), _ in max_cases:  # call_each gave the function copies: these are as drawn
            cls.check_array(label, "dA_prev", next(results), cls.pool_backward(dA, A_prev, 2, 2, "max"))
