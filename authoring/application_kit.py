class _CnnApplicationKit(_CnnGradingKit):  # noqa: F821 (grading_kit.py comes first in the same cell)
    """Part 2's hidden checks, on top of part 1's kit (its plumbing and its convolution oracles).

    Like part 1's kit, it runs in the trusted grader when grading and calls the student's
    functions through proxies; in the instructor's own kernel it runs as ordinary code.
    Two checks need more than calls:

    * The speed checks time the student's function in the student's kernel, as the grader
      sees it (wall time of each call), against the loop version of part 1 (``cnn_layers.py``
      as the instructor released it), which never runs in the kernel: the grader times it in
      its own process, on the first LOOP_SAMPLE images of each timed batch (the loops cost the
      same for every image), scaled to the batch. The kernel is paused meanwhile (every process
      of it stopped), so that it cannot make the loop version look slower by keeping the CPU
      busy, and the grader times with a kernel's share of the CPU (a cgroup like the
      kernel's, as root); each loop timing comes right after a timed call, so that a busy
      machine slows both alike.
    * The training check has the kernel run gradient descent with the student's
      model_forward_backward for each batch's gradients, replays it here with the gradients
      that came back, checking each against the loss's own, and measures the trained
      network's accuracy with its own forward pass, on its own copy of the data.

    Its messages follow part 1's rule (no number computed from an expected value): the times
    and the accuracy they quote measure the student's own code, not a hidden answer.
    """
    SPEEDUP_NEEDED = 10
    LOOP_SAMPLE = 2  # images of a timed batch the loop version is timed on
    EPOCHS, BATCH_SIZE, LEARNING_RATE, SEED = 5, 32, 0.1, 1
    ACCURACY_NEEDED = 0.90
    ALIGNMENT_NEEDED = 0.9  # cosine between the student's gradient and the true one, at every step

    # Reference versions of part 2's helpers, swapped in while model_forward_backward is graded.
    REFERENCE_SOURCE = {
        "conv_forward_fast": (
            "def conv_forward_fast(A_prev, W, b, hparameters):\n"
            "    import numpy\n"
            "    s, p, f = hparameters['stride'], hparameters['pad'], W.shape[0]\n"
            "    A = numpy.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))\n"
            "    windows = numpy.lib.stride_tricks.sliding_window_view(A, (f, f), axis=(1, 2))[:, ::s, ::s]\n"
            "    return numpy.einsum('mhwkij,ijkc->mhwc', windows, W) + b.reshape(-1), (A_prev, W, b, hparameters)\n"),
        "conv_backward_fast": (
            "def conv_backward_fast(dZ, cache):\n"
            "    import numpy\n"
            "    A_prev, W, b, hparameters = cache\n"
            "    s, p, f = hparameters['stride'], hparameters['pad'], W.shape[0]\n"
            "    A = numpy.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))\n"
            "    n_H, n_W = dZ.shape[1:3]\n"
            "    windows = numpy.lib.stride_tricks.sliding_window_view(A, (f, f), axis=(1, 2))[:, ::s, ::s][:, :n_H, :n_W]\n"
            "    dA = numpy.zeros(A.shape)\n"
            "    for i in range(f):\n"
            "        for j in range(f):\n"
            "            dA[:, i:i + s * n_H:s, j:j + s * n_W:s] += dZ @ W[i, j].T\n"
            "    h, w = A_prev.shape[1:3]\n"
            "    return (dA[:, p:p + h, p:p + w], numpy.einsum('mhwkij,mhwc->ijkc', windows, dZ),\n"
            "            dZ.sum(axis=(0, 1, 2)).reshape(b.shape))\n"),
        "relu_forward": (
            "def relu_forward(Z):\n"
            "    return Z * (Z > 0), Z\n"),
        "relu_backward": (
            "def relu_backward(dA, cache):\n"
            "    return dA * (cache > 0)\n"),
        "fc_forward": (
            "def fc_forward(A_prev, W, b):\n"
            "    return A_prev.reshape(len(A_prev), -1) @ W + b, (A_prev, W, b)\n"),
        "fc_backward": (
            "def fc_backward(dZ, cache):\n"
            "    A_prev, W, b = cache\n"
            "    return (dZ @ W.T).reshape(A_prev.shape), A_prev.reshape(len(A_prev), -1).T @ dZ, "
            "dZ.sum(axis=0, keepdims=True)\n"),
        "softmax_cross_entropy": (
            "def softmax_cross_entropy(Z, Y):\n"
            "    import numpy\n"
            "    shifted = Z - Z.max(axis=1, keepdims=True)\n"
            "    log_p = shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))\n"
            "    return float(-(Y * log_p).sum() / len(Z)), (numpy.exp(log_p) - Y) / len(Z)\n"),
    }

    @classmethod
    def rng(cls):
        return cls.np.random.default_rng(20250302)

    # ------------------------------------------------------------------ oracles
    @classmethod
    def softmax_cross_entropy(cls, Z, Y):
        np = cls.np
        top = Z.max(axis=1, keepdims=True)
        log_p = Z - top - np.log(np.exp(Z - top).sum(axis=1, keepdims=True))
        return -(Y * log_p).sum() / len(Z), (np.exp(log_p) - Y) / len(Z)

    @classmethod
    def max_pool_backward(cls, dA, A, f, stride):
        """Max pooling's gradient, to the first maximum of each window only (as cnn_layers.py's)."""
        np = cls.np
        n_H, n_W = dA.shape[1:3]
        dA_prev = np.zeros(A.shape)
        top = cls.pool_forward(A, f, stride, "max")
        unclaimed = np.ones(dA.shape, dtype=bool)
        for di in range(f):
            for dj in range(f):
                first = unclaimed & (cls.offset_view(A, di, dj, n_H, n_W, stride) == top)
                cls.offset_view(dA_prev, di, dj, n_H, n_W, stride)[...] += first * dA
                unclaimed &= ~first
        return dA_prev

    @classmethod
    def model(cls, X, Y, parameters):
        """The network's loss and gradients, written with the kit's own oracles."""
        np = cls.np
        Z1 = cls.conv_forward(X, parameters["W1"], parameters["b1"], 1, 1)
        A1 = np.maximum(Z1, 0)
        P1 = cls.pool_forward(A1, 2, 2, "max")
        flat = P1.reshape(len(X), -1)
        loss, dZ2 = cls.softmax_cross_entropy(flat @ parameters["W2"] + parameters["b2"], Y)
        dP1 = (dZ2 @ parameters["W2"].T).reshape(P1.shape)
        dZ1 = cls.max_pool_backward(dP1, A1, 2, 2) * (Z1 > 0)
        _, dW1, db1 = cls.conv_backward(dZ1, X, parameters["W1"], 1, 1)
        return loss, {"dW1": dW1, "db1": db1, "dW2": flat.T @ dZ2, "db2": dZ2.sum(axis=0, keepdims=True)}

    @classmethod
    def predict(cls, X, parameters):
        Z1 = cls.conv_forward(X, parameters["W1"], parameters["b1"], 1, 1)
        P1 = cls.pool_forward(cls.np.maximum(Z1, 0), 2, 2, "max")
        return (P1.reshape(len(X), -1) @ parameters["W2"] + parameters["b2"]).argmax(axis=1)

    @classmethod
    def initial_parameters(cls, rng):
        np = cls.np
        return {"W1": rng.standard_normal((3, 3, 1, 8)) * np.sqrt(2 / 9), "b1": np.zeros((1, 1, 1, 8)),
                "W2": rng.standard_normal((128, 10)) * np.sqrt(2 / 128), "b2": np.zeros((1, 10))}

    # ----------------------------------------------------------------- plumbing
    @classmethod
    def check_number(cls, label, name, got, want):
        __tracebackhide__ = True
        np = cls.np
        if isinstance(got, np.ndarray) and got.ndim > 0:
            cls.fail(f"{label}: {name} should be a single number, got an array of shape {cls.shown(got.shape)}.")
        if not isinstance(got, (int, float, np.integer, np.floating, np.ndarray)) or isinstance(got, bool):
            cls.fail(f"{label}: {name} should be a number, got {cls.shown(type(got).__name__)}.")
        if not np.isclose(float(got), want, rtol=cls.RTOL, atol=cls.ATOL):
            # Neither number: "is 2.31 but should be 2.30" gave away the answer, and so would the difference.
            cls.fail(f"{label}: {name} is not within tolerance of the expected value.")

    @classmethod
    def check_parameters(cls, label, name, got, want):
        """A dictionary of arrays, with the same names as `want` and equal arrays."""
        __tracebackhide__ = True
        if not isinstance(got, dict):
            cls.fail(f"{label}: {name} should be a dictionary, got {cls.shown(type(got).__name__)}.")
        if sorted(map(str, got)) != sorted(want):
            cls.fail(f"{label}: {name} should have the keys {sorted(want)}, not {cls.shown(sorted(map(str, got)))}.")
        for key in sorted(want):
            cls.check_array(label, f"{name}['{key}']", got[key], want[key])

    @classmethod
    def given_layers(cls, folder):
        """The source of cnn_layers.py, as the instructor released it, and its functions."""
        import os

        with open(os.path.join(folder, "cnn_layers.py")) as file:
            source = file.read()
        namespace = {"__name__": "cnn_layers_for_the_grader"}
        exec(compile(source, "cnn_layers.py", "exec"), namespace)
        return source, namespace

    @classmethod
    def timed_call(cls, function, case):
        """(result, wall time in seconds) of one call. Through the trusted grader the result is its digest
        (see grading/kernel_side.py): bringing a large result back would take longer than a fast call."""
        __tracebackhide__ = True
        import time

        label, args, kwargs = case
        remote = getattr(function, "call_for_digest", None)
        started = time.perf_counter()
        if remote is not None:
            result, error = remote(list(args), kwargs)
        else:  # plain copies: the grader's seeded arrays are an ndarray subclass, slower to slice
            result, error = cls.outcome(function, [cls.plain_copy(a) for a in args], kwargs)
        seconds = time.perf_counter() - started
        if error is not None:
            cls.fail(f"{label}: {function.__name__} raised {cls.raised(error)}")
        return result, seconds

    @classmethod
    def plain_copy(cls, value):
        if isinstance(value, cls.np.ndarray):
            return cls.np.array(value, subok=False)
        return tuple(map(cls.plain_copy, value)) if isinstance(value, tuple) else value

    @classmethod
    def check_timed_result(cls, label, function, result, names, want):
        """The first len(names) values the call returned are `want`, from the values or their digests."""
        __tracebackhide__ = True
        if not isinstance(result, (tuple, list)) or len(result) < len(names):
            cls.fail(f"{label}: {function.__name__} should return ({', '.join(names)}, ...).")
        digest = getattr(function, "digest", None)
        for name, got, expected in zip(names, result, want):
            if digest is None:
                cls.check_array(label, name, got, expected)
                continue
            wanted = digest(expected)
            if not (isinstance(got, tuple) and len(got) == 5 and got[0] == "digest"):
                cls.fail(f"{label}: {name} should be a numpy array of real numbers.")
            if list(got[1]) != list(wanted[1]):
                cls.fail(f"{label}: {name} has shape {cls.shown(tuple(got[1]))} but should have shape "
                         f"{tuple(wanted[1])}.")
            if not abs(got[3] - wanted[3]) <= 1e-8 * wanted[4] + 1e-12:
                cls.fail(f"{label}: {name} has the right shape but wrong values.")

    @classmethod
    def check_speed(cls, function, names, loop_name, cases, expected, namespace, first_images):
        """Time `function` on `cases` (every timed result must be right) against cnn_layers' `loop_name`, timed
        here after each call on that case's first images (`first_images(args, k)`: the arguments for its
        first k images) and scaled to the batch, with the student's kernel paused, so that nothing the
        kernel runs can slow it. The shortest time of each counts."""
        __tracebackhide__ = True
        loop_version = cls.given_layers(namespace.get("grading_folder", "."))[1][loop_name]
        kernel = namespace.get("grading_kernel")
        fast = loop = float("inf")
        for case, want in zip(cases, expected):
            result, seconds = cls.timed_call(function, case)
            cls.check_timed_result(case[0] + ", which must be right to count", function, result, names, want)
            fast = min(fast, seconds)
            loop = min(loop, cls.loop_time(loop_version, case, first_images, kernel))
        speedup = loop / fast
        if not speedup >= cls.SPEEDUP_NEEDED:
            cls.fail(f"{function.__name__} took {1000 * fast:.1f} ms on {cases[0][0]}, the loop version "
                     f"{1000 * loop:.0f} ms: {speedup:.1f} times faster, and the points for speed need at least "
                     f"{cls.SPEEDUP_NEEDED} times.")

    @classmethod
    def loop_time(cls, loop_version, case, first_images, kernel):
        """Seconds the loop version would take on the case's batch: its time here on LOOP_SAMPLE images, times
        the batch's size over that. Through the grader the kernel is paused meanwhile; in the instructor's
        own kernel there is nothing to pause."""
        import time

        _, args, kwargs = case
        size = len(args[0])
        sample = cls.plain_copy(first_images(args, min(cls.LOOP_SAMPLE, size)))
        if kernel is not None:
            seconds = kernel.seconds_paused(loop_version, *sample, **kwargs)
        else:
            started = time.perf_counter()
            loop_version(*sample, **kwargs)
            seconds = time.perf_counter() - started
        return seconds * size / min(cls.LOOP_SAMPLE, size)

    # ------------------------------------------------------------------ checks
    @classmethod
    def check_one_hot(cls, one_hot):
        __tracebackhide__ = True
        np = cls.np
        rng = cls.rng()
        cases = [("one_hot case 1 (12 labels, C = 10)", (rng.integers(0, 10, 12), 10), {}),
                 ("one_hot case 2 (C larger than every label)", (np.array([0, 2, 1, 2]), 6), {}),
                 ("one_hot case 3 (a single label)", (np.array([4]), 5), {}),
                 ("one_hot case 4 (labels as int32, C = 3)", (rng.integers(0, 3, 9).astype(np.int32), 3), {}),
                 # uint8 labels, as images' labels often come, and more classes than the digits' ten: arithmetic
                 # in the labels' dtype overflows (40 rows of 200 columns), a narrower cast wraps them.
                 ("one_hot case 5 (40 labels as uint8, C = 200)", (rng.integers(0, 200, 40).astype(np.uint8), 200), {})]
        results = cls.call_each(one_hot, cases)
        for label, (Y, C), _ in cases:
            got = next(results)
            if isinstance(got, np.ndarray) and got.shape == (len(Y), C) and not np.issubdtype(got.dtype, np.floating):
                cls.fail(f"{label}: Y_oh has dtype {cls.shown(got.dtype)}; it should be float, zeros and ones "
                         "(0. and 1.).")
            cls.check_array(label, "Y_oh", got, np.eye(C)[Y])

    @classmethod
    def check_conv_forward_fast(cls, conv_forward_fast):
        __tracebackhide__ = True
        cls.check_conv_forward(conv_forward_fast, "conv_forward_fast")

    @classmethod
    def check_conv_backward_fast(cls, conv_backward_fast):
        __tracebackhide__ = True
        cls.check_conv_backward(conv_backward_fast, "conv_backward_fast")

    @classmethod
    def seeded_normal(cls, namespace, seed, shape):
        """Standard normal values from `seed`. Through the trusted grader they reach the kernel as the
        seed (the kernel draws the same values), so that timing a call does not time sending them."""
        kernel = namespace.get("grading_kernel")
        if kernel is not None:
            return kernel.seeded_normal(seed, shape)
        return cls.np.random.default_rng(seed).standard_normal(shape)

    @staticmethod
    def fresh_seed():
        """A new seed at every grading. The timed inputs reach the kernel, and a function can record them
        and print them in a later cell, into its feedback: with fixed inputs, the next submission could
        answer from a table of results computed beforehand, as fast as any vectorised code."""
        import secrets

        return secrets.randbits(31)

    @classmethod
    def speed_inputs(cls, namespace, m):
        """Three batches of m 16x16 images with 3 channels, each with 8 filters of 3x3 of its own (pad 1,
        stride 1), all new at every grading. The filters too, and per call: the digest is a fixed weighting
        of the result, so with filters it has seen before, a kernel could answer a call with one dot
        product precomputed during an earlier (slow) call."""
        rng = cls.np.random.default_rng(cls.fresh_seed())
        return [(cls.seeded_normal(namespace, cls.fresh_seed(), (m, 16, 16, 3)), rng.standard_normal((3, 3, 3, 8)),
                 rng.standard_normal((1, 1, 1, 8)), {"pad": 1, "stride": 1}) for _ in range(3)]

    @classmethod
    def check_conv_forward_speed(cls, conv_forward_fast, namespace):
        __tracebackhide__ = True
        inputs = cls.speed_inputs(namespace, 32)
        cases = [(f"timed case {number} ({cls.describe(A.shape, f=3, n_C=8, pad=1, stride=1)})", (A, W, b, hp), {})
                 for number, (A, W, b, hp) in enumerate(inputs, 1)]
        expected = [(cls.conv_forward(A, W, b, 1, 1),) for A, W, b, _ in inputs]
        cls.check_speed(conv_forward_fast, ("Z",), "conv_forward", cases, expected, namespace,
                        lambda args, k: (args[0][:k], *args[1:]))

    @classmethod
    def check_conv_backward_speed(cls, conv_backward_fast, namespace):
        __tracebackhide__ = True
        cases, expected = [], []
        for number, (A, W, b, hp) in enumerate(cls.speed_inputs(namespace, 16), 1):
            dZ = cls.seeded_normal(namespace, cls.fresh_seed(), (16, 16, 16, 8))
            cases.append((f"timed case {number} ({cls.describe(A.shape, f=3, n_C=8, pad=1, stride=1)})",
                          (dZ, (A, W, b, hp)), {}))
            expected.append(cls.conv_backward(dZ, A, W, 1, 1))
        cls.check_speed(conv_backward_fast, ("dA_prev", "dW", "db"), "conv_backward", cases, expected, namespace,
                        lambda args, k: (args[0][:k], (args[1][0][:k], *args[1][1:])))

    @classmethod
    def check_relu(cls, relu_forward, relu_backward):
        __tracebackhide__ = True
        np = cls.np
        rng = cls.rng()
        inputs = []
        for shape in [(2, 4, 4, 3), (5, 7), (1, 3, 2, 1)]:
            Z = rng.standard_normal(shape)
            Z.flat[::4] = 0.0  # exact zeros: the derivative there is 0
            inputs.append((Z, rng.standard_normal(shape)))
        # Scores of size 1e-7: positive is positive, however small (a threshold like Z > 1e-6 blocks them).
        Z = rng.standard_normal((3, 5)) * 1e-7
        Z.flat[::4] = 0.0
        inputs.append((Z, rng.standard_normal(Z.shape)))
        forward = cls.call_each(relu_forward, [(f"relu_forward case {n} (Z of shape {Z.shape})", (Z,), {})
                                               for n, (Z, _) in enumerate(inputs, 1)])
        for n, (Z, _) in enumerate(inputs, 1):
            label = f"relu_forward case {n} (Z of shape {Z.shape})"
            A, cache = cls.unpack(label, next(forward), ("A", "cache"))
            cls.check_array(label, "A", A, np.maximum(Z, 0))
            # relu_backward reads from the cache where Z > 0 (the kit's own call hands it Z). A cache that says
            # it of its own (Z, or A: positive at the same places) serves; one that does not breaks the model.
            if not (isinstance(cache, np.ndarray) and cache.shape == Z.shape
                    and np.array_equal(np.asarray(cache > 0), Z > 0)):
                cls.fail(f"{label}: cache should be Z, from which relu_backward reads where Z > 0.")
        backward = cls.call_each(relu_backward, [(f"relu_backward case {n} (Z of shape {Z.shape}, some entries 0)",
                                                  (dA, Z), {}) for n, (Z, dA) in enumerate(inputs, 1)])
        for n, (Z, dA) in enumerate(inputs, 1):
            cls.check_array(f"relu_backward case {n} (Z of shape {Z.shape}, some entries 0)", "dZ", next(backward),
                            dA * (Z > 0))

    @classmethod
    def check_fc(cls, fc_forward, fc_backward):
        __tracebackhide__ = True
        rng = cls.rng()
        inputs = []
        for A_shape, C in [((3, 4, 4, 8), 10), ((5, 6), 3), ((1, 2, 3, 2), 4)]:
            n = int(cls.np.prod(A_shape[1:]))
            inputs.append((rng.standard_normal(A_shape), rng.standard_normal((n, C)), rng.standard_normal((1, C)),
                           rng.standard_normal((A_shape[0], C))))
        label = "{} case {} (A_prev of shape {}, W of shape {})".format
        forward = cls.call_each(fc_forward, [(label("fc_forward", n, A.shape, W.shape), (A, W, b), {})
                                             for n, (A, W, b, _) in enumerate(inputs, 1)])
        for n, (A, W, b, _) in enumerate(inputs, 1):
            where = label("fc_forward", n, A.shape, W.shape)
            Z, cache = cls.unpack(where, next(forward), ("Z", "cache"))
            cls.check_array(where, "Z", Z, A.reshape(len(A), -1) @ W + b)
            cls.check_cache(where, cache, (A, W, b), ("A_prev", "W", "b"))
        backward = cls.call_each(fc_backward, [(label("fc_backward", n, A.shape, W.shape),
                                                (dZ, (A.copy(), W.copy(), b.copy())), {})
                                               for n, (A, W, b, dZ) in enumerate(inputs, 1)])
        for n, (A, W, b, dZ) in enumerate(inputs, 1):
            where = label("fc_backward", n, A.shape, W.shape)
            got = cls.unpack(where, next(backward), ("dA_prev", "dW", "db"))
            want = ((dZ @ W.T).reshape(A.shape), A.reshape(len(A), -1).T @ dZ, dZ.sum(axis=0, keepdims=True))
            for name, x, y in zip(("dA_prev", "dW", "db"), got, want):
                cls.check_array(where, name, x, y)

    @classmethod
    def check_softmax_cross_entropy(cls, softmax_cross_entropy):
        __tracebackhide__ = True
        np = cls.np
        rng = cls.rng()
        cases = []
        for number, (m, C, scale, shift) in enumerate([(6, 10, 3.0, 0.0), (1, 4, 1.0, 0.0), (5, 2, 2.0, 0.0),
                                                       (4, 5, 30.0, 1000.0), (3, 3, 1.0, -800.0)], 1):
            Z = rng.standard_normal((m, C)) * scale + shift
            Y = np.eye(C)[rng.integers(0, C, m)]
            what = f"{m} example{'s' if m > 1 else ''}, {C} classes" + (f", scores near {shift:g}" if shift else "")
            cases.append((f"softmax_cross_entropy case {number} ({what})", (Z, Y), {}))
        # A confident wrong answer: in each row one score, never the label's, 1000 above the others. The
        # label's probability underflows to 0, and the loss (about 1000) must still be finite and right. The
        # top score is about 830 above its row's mean: a shift by the row's mean, not its largest score,
        # overflows (exp of more than 709).
        m, C = 4, 6
        labels = rng.integers(0, C, m)
        Z = rng.standard_normal((m, C))
        Z[np.arange(m), (labels + rng.integers(1, C, m)) % C] += 1000.0
        cases.append((f"softmax_cross_entropy case {len(cases) + 1} ({m} examples, {C} classes, one score per row "
                      "1000 above the others, never the label's)", (Z, np.eye(C)[labels]), {}))
        # Rows of very different size in one batch: shifted by the batch's largest score instead of each row's,
        # a row 1600 below it has every exponential underflow to 0, and its loss is inf or nan. Each row alone,
        # or a batch of rows alike (the cases above), does not show it.
        m, C = 4, 5
        Z = rng.standard_normal((m, C)) + np.array([[0.0], [900.0], [-700.0], [30.0]])
        cases.append((f"softmax_cross_entropy case {len(cases) + 1} ({m} examples, {C} classes, rows of very "
                      "different size: scores near 0, 900, -700 and 30)", (Z, np.eye(C)[rng.integers(0, C, m)]), {}))
        results = cls.call_each(softmax_cross_entropy, cases)
        for label, (Z, Y), _ in cases:
            loss, dZ = cls.unpack(label, next(results), ("loss", "dZ"))
            want_loss, want_dZ = cls.softmax_cross_entropy(Z, Y)
            cls.check_number(label, "loss", loss, want_loss)
            cls.check_array(label, "dZ", dZ, want_dZ)

    @classmethod
    def check_update_parameters(cls, update_parameters):
        __tracebackhide__ = True
        rng = cls.rng()
        cases = []
        for number, (names, rate) in enumerate([(("W1", "b1", "W2", "b2"), 0.05), (("W1", "b1", "W2", "b2", "W3"), 1.5),
                                                (("W1", "b1", "gamma1", "beta1"), 0.3),
                                                (("W_embed", "dense_b", "W2", "b2"), 0.2)], 1):
            parameters = {name: rng.standard_normal((3, 2) if name.startswith("W") else (1, 2)) for name in names}
            grads = {"d" + name: rng.standard_normal(value.shape) for name, value in parameters.items()}
            if number == 4:  # names with a "d" inside, and the gradients in another order than the parameters
                grads = dict(reversed(list(grads.items())))
            cases.append((f"update_parameters case {number} ({', '.join(names)}, learning rate {rate:g})",
                          (parameters, grads, rate), {}))
        results = cls.call_each(update_parameters, cases)
        for label, (parameters, grads, rate), _ in cases:
            # call_each gave the function copies: an update in place, or gradients zeroed in place, changes
            # neither these arrays nor the expected result, and is reported as a change to an input.
            cls.check_parameters(label, "new_parameters", next(results),
                                 {name: value - rate * grads["d" + name] for name, value in parameters.items()})

    @classmethod
    def model_case(cls, rng, m):
        X = rng.random((m, 8, 8, 1))
        Y = cls.np.eye(10)[rng.integers(0, 10, m)]
        parameters = cls.initial_parameters(rng)
        parameters["b1"] = rng.standard_normal((1, 1, 1, 8)) * 0.1
        parameters["b2"] = rng.standard_normal((1, 10)) * 0.1
        return X, Y, parameters

    @classmethod
    def check_model_forward_backward(cls, model_forward_backward):
        __tracebackhide__ = True
        np = cls.np
        rng = cls.rng()
        cases = [(f"model_forward_backward case {number} ({m} image{'s' if m > 1 else ''})", cls.model_case(rng, m), {})
                 for number, m in enumerate((5, 1, 12), 1)]
        # The parameters are read by name: case 3 gives them in another order.
        X, Y, parameters = cases[2][1]
        cases[2] = (cases[2][0] + ", the parameters in the order b2, W2, b1, W1",
                    (X, Y, dict(reversed(list(parameters.items())))), {})
        # Scores in the thousands, as a diverging training can make them: a model that computes the softmax
        # itself, without shifting each row by its largest score, overflows here (exp of more than 710).
        X, Y, parameters = cls.model_case(rng, 4)
        parameters["W2"] = parameters["W2"] * 1000.0
        cases.append(("model_forward_backward case 4 (4 images, W2 a thousand times larger: scores in the "
                      "thousands)", (X, Y, parameters), {}))
        # Images with blank rows, as the digits have: wherever a 3x3 window is blank (the top three rows of Z1
        # here), Z1 is exactly b1. With b1 = 0 the ReLU's derivative there must be 0 (a mask Z1 >= 0 lets the
        # gradient through); with b1 > 0 every entry of a blank 2x2 pooling window is tied, and the gradient goes
        # to the first only, as cnn_layers.pool_backward sends it (a mask A1 == max marks all four). Random
        # images have neither. b1 = 1e-7: positive, however small (a ReLU threshold like Z1 > 1e-6 blocks it).
        for number, bias in ((5, 0.0), (6, 1e-7)):
            X, Y, parameters = cls.model_case(rng, 4)
            X[:, :4] = 0.0
            parameters["b1"] = np.full((1, 1, 1, 8), bias)
            cases.append((f"model_forward_backward case {number} (4 images whose top half is blank, b1 = {bias:g})",
                          (X, Y, parameters), {}))
        wanted = [cls.model(*args) for _, args, _ in cases]
        results = cls.call_each(model_forward_backward, [(label, (X, Y, parameters), kwargs)
                                                         for label, (X, Y, parameters), kwargs in cases])
        for (label, _, _), (want_loss, want_grads) in zip(cases, wanted):
            loss, grads = cls.unpack(label, next(results), ("loss", "grads"))
            cls.check_number(label, "loss", loss, want_loss)
            cls.check_parameters(label, "grads", grads, want_grads)

    @classmethod
    def load_digits(cls, folder, kernel=None):
        """{"train": (X, labels), "test": ...}, the pixels over 255. Through the grader the images are its
        kernel's scaled arrays: sent to the kernel as the 8-bit pixels and 255, not as the floats."""
        import os

        import h5py

        data = {}
        for part in ("train", "test"):
            with h5py.File(os.path.join(folder, "datasets", f"{part}_digits.h5"), "r") as file:
                pixels = file[f"{part}_set_x"][:]
                data[part] = (kernel.scaled(pixels, 255.0) if kernel is not None else pixels / 255.0,
                              file[f"{part}_set_y"][:])
        return data

    @classmethod
    def check_training(cls, model_forward_backward, namespace):
        """Train the notebook's network with the gradients the student's function gives, and test it here.

        The training runs in the student's kernel, in one request with the data sent once (about 225 steps:
        a request per step cost a round trip of a few milliseconds each, and sending each step's batch and
        parameters cost more), and each step's result comes back. The kit replays that training here with
        the gradients that came back, and checks each step's gradients against the loss's own gradient at its
        own copy of the parameters: while they are the kit's own run's (its true training, computed once per
        grading process), to 1e-8 of their size, the run's verdict stands for them; from the first step where
        they are not, they must point where the true gradient at this training's parameters does (see
        check_alignment), and the network trained with them is tested with the kit's own forward pass. What
        the kernel computed for its parameters is never read: a kernel that steps elsewhere answers for
        points the kit's replay does not go through, and is judged at the replay's. Each step gets arrays of
        its own, so the check does not ask what the function did to them (the kernel sends back the results
        only); a function that changes its input loses model_forward_backward's own points for it.
        """
        __tracebackhide__ = True
        np = cls.np
        data = cls.load_digits(namespace.get("grading_folder", "."), namespace.get("grading_kernel"))
        run = cls.true_training(data)
        parameters, step, followed = cls.train(model_forward_backward, data, run)
        if followed:
            accuracy = run["accuracy"]
        else:
            X_test, test_labels = data["test"]
            accuracy = float(np.mean(cls.predict(X_test, parameters) == test_labels))
        if not accuracy >= cls.ACCURACY_NEEDED:
            cls.fail(f"Trained with your model_forward_backward ({cls.EPOCHS} epochs, {step} steps), the network "
                     f"gets {accuracy:.3f} of the test digits right; the points need at least {cls.ACCURACY_NEEDED:.2f}.")

    @classmethod
    def training_batches(cls, count):
        """(label, indices) of every step of the training, in order: EPOCHS shuffles of `count` examples."""
        shuffle = cls.np.random.default_rng(cls.SEED + 1)
        for epoch in range(cls.EPOCHS):
            order = shuffle.permutation(count)
            for start in range(0, count, cls.BATCH_SIZE):
                yield (f"training, epoch {epoch + 1}, batch {start // cls.BATCH_SIZE + 1}",
                       order[start:start + cls.BATCH_SIZE])

    @classmethod
    def train(cls, function, data, run):
        """(parameters, steps, whether every step's gradients were the true run's) of gradient descent with the
        student's gradients, checked at every step (see check_training)."""
        __tracebackhide__ = True
        np = cls.np
        X, labels = data["train"]
        Y = np.eye(10)[labels]
        parameters = cls.initial_parameters(np.random.default_rng(cls.SEED))
        batches = list(cls.training_batches(len(X)))
        start = cls.steps_on_the_run(function, X, Y, parameters, [batch for _, batch in batches], run)
        if start == len(batches):
            return None, len(batches), True
        if start:
            parameters = run["steps"][start][3]
        outcomes = iter(cls.descent_outcomes(function, X, Y, parameters, [batch for _, batch in batches], start))
        followed = True
        for (label, batch), (_, _, _, _, run_grads) in zip(batches[start:], run["steps"][start:]):
            outcome = next(outcomes, None)
            if outcome is None:  # the kernel answered for fewer steps than it was asked
                cls.fail(f"{label}: the training gave no result for this step, so it cannot be judged.")
            result, error = outcome
            if error is not None:
                cls.fail(f"{label}: {function.__name__} raised {cls.raised(error)}")
            _, grads = cls.unpack(label, result, ("loss", "grads"))
            followed = followed and cls.same_gradients(result, run_grads)
            if not followed:
                _, true_grads = cls.model(X[batch], Y[batch], parameters)
                cls.check_alignment(label, grads, true_grads)
            parameters = cls.descend(parameters, grads)
        return parameters, len(batches), followed

    @classmethod
    def steps_on_the_run(cls, function, X, Y, parameters, batches, run):
        """How many of the training's first steps gave the true run's gradients, as the kernel's weighed sums
        of them say (through the trusted grader; 0 elsewhere): the kernel runs the whole training in one request
        and sends, per step, each gradient's sum weighted by weights drawn for this grading only, and keeps the
        results, which descent_outcomes then asks for from the first step whose sums are not the run's. While
        they are, the step is the run's: the weights are new at every grading and sent with the request, so
        sums made right without the right gradient would need them (about 4.5 MB a training not sent back)."""
        descend = getattr(function, "descend", None)
        if descend is None:
            return 0
        np = cls.np
        rng = np.random.default_rng(cls.fresh_seed())
        weights = {name: rng.standard_normal(grad.shape) for name, grad in sorted(run["steps"][0][4].items())}
        start = 0
        for (sums, error), step in zip(descend(X, Y, parameters, batches, cls.LEARNING_RATE, weights), run["steps"]):
            if error is not None or not cls.same_sums(sums, step[4], weights):
                break
            start += 1
        return start

    @classmethod
    def same_sums(cls, sums, true_grads, weights):
        """`sums` (the kernel's _cnn_grading_weighed of a step's result) are those of true_grads with `weights`, to
        1e-8 of the sums of their sizes with the weights' (as a timed result's digest)."""
        np = cls.np
        if (not isinstance(sums, dict) or not all(isinstance(name, str) for name in sums)
                or sorted(sums) != sorted(true_grads)):
            return False
        for name, want in true_grads.items():
            got, weight = sums[name], weights[name]
            if not isinstance(got, float) or not np.isfinite(got):
                return False
            size = float(np.abs(want).ravel() @ np.abs(weight).ravel())
            if not abs(got - float(want.ravel() @ weight.ravel())) <= 1e-8 * size:
                return False
        return True

    @classmethod
    def descend(cls, parameters, grads):
        """One step of gradient descent: the training's update, the same for the student's run and the kit's."""
        return {name: value - cls.LEARNING_RATE * grads["d" + name] for name, value in parameters.items()}

    @classmethod
    def true_training(cls, data):
        """The training with the loss's own gradients: each step's (label, X, Y, parameters, gradients), and
        the test accuracy it ends with. Once per grading process and data set."""
        import hashlib

        np = cls.np
        digest = hashlib.sha256()
        for part in ("train", "test"):
            for array in data[part]:
                digest.update(np.ascontiguousarray(array).tobytes())
        key = ("true training", digest.hexdigest())
        if key not in cls.CACHE:
            X, labels = data["train"]
            Y = np.eye(10)[labels]
            parameters = cls.initial_parameters(np.random.default_rng(cls.SEED))
            steps = []
            for label, batch in cls.training_batches(len(X)):
                _, grads = cls.model(X[batch], Y[batch], parameters)
                steps.append((label, X[batch], Y[batch], parameters, grads))
                parameters = cls.descend(parameters, grads)
            X_test, test_labels = data["test"]
            cls.CACHE[key] = {"steps": steps,
                              "accuracy": float(np.mean(cls.predict(X_test, parameters) == test_labels))}
        return cls.CACHE[key]

    @classmethod
    def descent_outcomes(cls, function, X, Y, parameters, batches, start=0):
        """(result, error) of the function at each step of gradient descent with its own gradients from step
        `start` (at `parameters`), up to the first that raised or could not make its step. The trusted grader's
        stand-in for the student's function ran them all in the kernel (steps_on_the_run), which kept the
        results; here they run on copies, one step at a time as the caller asks for them."""
        if getattr(function, "kept_results", None) is not None:
            yield from function.kept_results(start, len(batches) - start)
            return
        for batch in batches[start:]:
            result, error = cls.outcome(function, [X[batch], Y[batch], cls.fresh_copy(parameters)], {})
            yield result, error
            try:
                parameters = cls.descend(parameters, result[1])
            except Exception:  # it raised, or its result holds no gradients to step with
                return

    @classmethod
    def same_gradients(cls, result, true_grads):
        """`result` is (loss, grads) with grads the true gradients, to 1e-8 of each one's largest entry."""
        np = cls.np
        if not isinstance(result, (tuple, list)) or len(result) != 2 or not isinstance(result[1], dict):
            return False
        grads = result[1]
        if sorted(map(str, grads)) != sorted(true_grads):
            return False
        for name, want in true_grads.items():
            got = grads[name]
            if not (isinstance(got, np.ndarray) and got.shape == want.shape and np.issubdtype(got.dtype, np.number)
                    and np.all(np.isfinite(got))):
                return False
            if not np.abs(got - want).max() <= 1e-8 * np.abs(want).max():
                return False
        return True

    @classmethod
    def check_alignment(cls, label, grads, true_grads):
        """The student's gradients, of the right names and shapes, finite, and pointing where the true ones do."""
        __tracebackhide__ = True
        np = cls.np
        if not isinstance(grads, dict) or sorted(map(str, grads)) != sorted(true_grads):
            cls.fail(f"{label}: grads should be a dictionary with the keys {sorted(true_grads)}.")
        for name, want in true_grads.items():
            got = grads[name]
            if not isinstance(got, np.ndarray) or got.shape != want.shape or not np.issubdtype(got.dtype, np.number):
                cls.fail(f"{label}: grads['{name}'] should be a numpy array of shape {want.shape}.")
            if not np.all(np.isfinite(got)):
                cls.fail(f"{label}: grads['{name}'] holds inf or nan.")
        got = np.concatenate([grads[name].ravel() for name in sorted(true_grads)])
        want = np.concatenate([true_grads[name].ravel() for name in sorted(true_grads)])
        cosine = float(got @ want / max(np.linalg.norm(got) * np.linalg.norm(want), 1e-300))
        if not cosine >= cls.ALIGNMENT_NEEDED:
            # Not the cosine itself: it is the student's gradient projected on the true one, an oracle.
            cls.fail(f"{label}: your gradients do not point where the loss's gradient does (their cosine with it "
                     f"is below {cls.ALIGNMENT_NEEDED}), so gradient descent would not train this network.")
