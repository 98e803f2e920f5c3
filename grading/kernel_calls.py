"""The hidden tests' calls into the kernel, and what carries them.

The hidden tests hold proxies: ``StudentFunction`` for each function of the notebook they call,
``GradingKernel`` (as ``grading_kernel``) for reference helpers, seeded arrays and pausing the kernel.
``KernelCalls``, a part of ``TrustedExecute``, turns each into one request to the kernel: the
arguments sent as plain data (``encode_argument``), the reply decoded strictly (``grading.plain_data``),
on the notebook's clocks; ``KernelCallFailed`` when no usable answer comes.
"""
import base64
import contextlib
import json
import time

import numpy as np
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError

from grading import plain_data, returned_values
from grading.kernel_pause import PauseFailed
from grading.kernel_side import _cnn_grading_digest as digest_of
from grading.kernel_side import _cnn_grading_encode as encode
from grading.text import quoted, type_name


class KernelCallFailed(BaseException):
    """A call into the kernel got no usable answer. Not an Exception: hidden tests must not catch it
    as if the student's function had raised."""

    def __init__(self, ename, message):
        super().__init__(message)
        self.ename, self.message = ename, message


class StudentFunction:
    """Stands for a function of the notebook in the hidden tests: calling it calls it in the kernel."""

    def __init__(self, name, engine):
        self.__name__ = name
        self._engine = engine

    def __call__(self, *args, **kwargs):
        (result, error), = self._engine.call_in_kernel(self.__name__, [(args, kwargs)])
        if error is not None:
            raise error
        return result

    def call_many(self, calls, args_back=True):
        """The function on each (args, kwargs) of `calls`, in one kernel request: a (result, error) pair per
        call, in order, up to the first call that raised (error is then the exception, else None). With
        args_back false the kernel does not send the arguments back, and the grader's copies stay as sent."""
        return self._engine.call_in_kernel(self.__name__, list(calls), args_back=args_back)

    def call_for_digest(self, args, kwargs):
        """The function on args and kwargs, in one kernel request that brings back the result's digest
        (grading.kernel_side._cnn_grading_digest), not the result: for timing a call, where sending a
        large result back would take longer than a fast function. (digest, error) as call_many's."""
        self._engine.send_definitions()
        (result, error), = self._engine.call_in_kernel(self.__name__, [(args, kwargs)], digest=True)
        return result, error

    def descend(self, X, Y, parameters, batches, rate, weights):
        """Gradient descent with the function as the gradient, in one kernel request: at each batch (row
        indices of X and Y) the function's (sums, error) on (X[batch], Y[batch], parameters), then each
        parameter moved by -rate times result[1]["d" + its name]; up to the first step that raised or could not
        be taken. The sums are the result's weighed by `weights` ({gradient's name: array}; see
        grading.kernel_side._cnn_grading_weighed: {name: float}, or None); kept_results has the results. The
        kernel computes the parameters: whatever it answers is checked like any result."""
        return self._engine.descend_in_kernel(self.__name__, X, Y, parameters, batches, rate, weights)

    def kept_results(self, first, most):
        """After descend: (result, error) of at most `most` of its steps from step `first` on, as
        descend without weights gives them (the kernel kept the results)."""
        return self._engine.kept_in_kernel(self.__name__, first, most)

    @staticmethod
    def digest(value):
        """The digest the kernel would send for `value`, as the grader decodes it."""
        return plain_data.decode(encode(digest_of(value)), plain_data.Budget())

    def __repr__(self):
        return f"<the notebook's {self.__name__}>"


class SeededArray(np.ndarray):
    """An array of standard normal values drawn from a seed, which a call sends to the kernel as the seed
    and the shape: the kernel draws the same values (the same numpy), and a timed call does not spend
    its time on sending them. Arrays computed from it are plain (their seed is None)."""
    seed = None

    def __array_finalize__(self, obj):
        self.seed = None


def seeded_normal(seed, shape):
    array = np.random.default_rng(seed).standard_normal(shape).view(SeededArray)
    array.seed = int(seed)
    return array


class ScaledArray(np.ndarray):
    """An array computed as raw / divisor, which a call sends to the kernel as raw and the divisor: the kernel
    divides the same numbers with the same numpy. Part 2's training data is 8-bit pixels over 255: 0.4 MB sent
    instead of 1.5 MB, 21 of the 28 ms of the grader's and the kernel's CPU spent encoding and decoding it
    (measured). Arrays computed from it are plain (their raw is None)."""
    raw = None
    divisor = None

    def __array_finalize__(self, obj):
        self.raw = self.divisor = None


def scaled(raw, divisor):
    raw = np.asarray(raw)
    array = (raw / divisor).view(ScaledArray)
    array.raw, array.divisor = raw, float(divisor)
    return array


def encode_argument(value):
    """An argument as the kernel side decodes it (grading.kernel_side): a SeededArray as its seed, a
    ScaledArray as its raw numbers and divisor."""
    if isinstance(value, SeededArray) and value.seed is not None:
        return {"t": "normal", "seed": value.seed, "shape": list(value.shape)}
    if isinstance(value, ScaledArray) and value.raw is not None:
        return {"t": "scaled", "raw": encode(value.raw), "divisor": value.divisor}
    if type(value) in (tuple, list):
        return {"t": type(value).__name__, "v": [encode_argument(v) for v in value]}
    return encode(np.asarray(value) if isinstance(value, np.ndarray) else value)


class GradingKernel:
    """What hidden tests may ask of the kernel besides calls: reference helpers for one test cell, arrays
    drawn from a seed, the kernel paused while they time something of their own."""

    seeded_normal = staticmethod(seeded_normal)
    scaled = staticmethod(scaled)

    def __init__(self, engine):
        self._engine = engine

    def define_for_this_cell(self, name, source):
        """Replace the notebook's `name` by `source`'s until this test cell ends.

        Only once the hidden tests have called the student's own `name`: a reference
        never enters the kernel before the student's version has been graded.
        """
        if name not in self._engine.graded_functions:
            return False
        # From here on the kernel may hold the reference's source, and every verdict is quiet (TestCells).
        self._engine.references_sent = True
        # Sent with the next request, before it runs (KernelCalls._async_kernel_request), or on their own before
        # a cell or a timed call (send_definitions): a request of its own cost 3 ms of the kernel's and the
        # grader's CPU, and a check defines up to four.
        self._engine.definitions_to_send.append(f"_cnn_grading_define({name!r}, {source!r})")
        self._engine.defined_for_cell.add(name)
        return True

    @contextlib.contextmanager
    def paused(self):
        """Every process of the kernel stopped while the block runs (grading.sandbox's
        SandboxedKernelManager.paused): for timing something here that a busy kernel could slow down.
        A kernel that cannot be paused fails the check that asked, rather than be timed against."""
        pause = contextlib.ExitStack()
        try:
            if self._engine.km is None:
                raise PauseFailed("the kernel is not running")
            pause.enter_context(self._engine.km.paused())
        except (PauseFailed, OSError) as error:
            raise KernelCallFailed("PauseFailed", f"the grader could not pause the kernel to time its own "
                                                  f"measurement ({error}), so this check cannot be judged") from None
        with pause:
            yield

    def seconds_paused(self, function, *args, **kwargs):
        """Seconds function(*args, **kwargs) takes here while the kernel is paused, timed on the kernel's terms
        for the CPU (SandboxedKernelManager.seconds_beside_kernels)."""
        with self.paused():
            return self._engine.km.seconds_beside_kernels(function, args, kwargs)


class KernelCalls:
    """TrustedExecute's requests to its kernel: calls of the notebook's functions, and code of the grader's.

    A part of TrustedExecute, not a class of its own: it reads the preprocessor's client and manager
    (kc, km), clocks (current_timeout, out_of_time, budget_left, start_budget, spend, iopub_timeout),
    timings (seconds) and kernel replacement (async_replace_kernel, death_cause)."""

    definitions_to_send = ()  # reference helpers asked for and not yet sent (GradingKernel.define_for_this_cell)
    # The grade_id of the test cell whose hidden tests run now (TestCells.run_segments), else None; and
    # {grade_id: its record of what the notebook's functions returned} (grading/returned_values.py), set per notebook.
    returned_cell = returned_records = None

    def forget_definitions(self):
        """The kernel holds none of the reference helpers asked for: it is new, or there is none."""
        self.defined_for_cell.clear()
        self.definitions_to_send = []

    def send_definitions(self):
        """The reference helpers asked for and not yet sent, in a request of their own: before a cell runs, and
        before a timed call (whose time must be the function's alone). KernelCallFailed if they do not go in."""
        if self.definitions_to_send:
            self.kernel_request("_cnn_grading_answer = _cnn_grading_reply({'status': 'defined'})",
                                "setting up the reference helpers")

    def call_in_kernel(self, name, calls, digest=False, args_back=True):
        """Call the notebook's `name` in the kernel on each (args, kwargs) of `calls`, in one request; a
        (result, error) pair per call, decoded as plain data, up to the first call that raised. With
        `digest`, each result is its digest and the arguments are not sent back; without `args_back`, the
        arguments are not sent back."""
        args_back = args_back and not digest
        request = {"calls": [{"args": [encode_argument(a) for a in args],
                              "kwargs": {k: encode_argument(v) for k, v in kwargs.items()}} for args, kwargs in calls],
                   "digest": digest, "args_back": args_back}
        what = f"{name} on {'a hidden case' if len(calls) == 1 else 'the hidden cases'}"
        replies = self.replies_of("_cnn_grading_call", name, request, what, len(calls))
        if len(replies) < len(calls) and replies[-1].get("status") != "raised":
            raise KernelCallFailed("MalformedReply", f"the kernel gave no usable answer for {what}")
        budget = plain_data.Budget()
        return [self.outcome(name, args if args_back else None, one, budget, quiet=self.references_sent,
                             recorded=not digest) for (args, _), one in zip(calls, replies)]

    def descend_in_kernel(self, name, X, Y, parameters, batches, rate, weights):
        """Gradient descent in the kernel with the notebook's `name` as the gradient (grading.kernel_side's
        _cnn_grading_descend), in one request: a (sums, error) pair per step, the result's sums weighed by
        `weights`, up to the first step that raised or could not be taken; the results kept in the kernel
        (kept_in_kernel). The kernel is sent X and Y once and each step's rows of them."""
        request = {"X": encode_argument(X), "Y": encode_argument(Y), "parameters": encode_argument(parameters),
                   "batches": [[int(row) for row in batch] for batch in batches], "rate": float(rate),
                   "weights": encode_argument(weights)}
        replies = self.replies_of("_cnn_grading_descend", name, request, f"{name} along a training", len(batches))
        budget = plain_data.Budget()
        return [self.outcome(name, None, one, budget, quiet=self.references_sent, recorded=False) for one in replies]

    def kept_in_kernel(self, name, first, most):
        """The results _cnn_grading_descend kept, from step `first` on (grading.kernel_side's
        _cnn_grading_kept_replies), at most `most`: (result, error) pairs; none if the kernel kept none."""
        replies = self.replies_of("_cnn_grading_kept_replies", name, {"first": int(first)}, f"{name} along a training",
                                  most, fewest=0)
        budget = plain_data.Budget()
        return [self.outcome(name, None, one, budget, quiet=self.references_sent) for one in replies]

    def replies_of(self, helper, name, request, what, most, fewest=1):
        """The kernel side's `helper` on the notebook's `name` and `request`: its list of `fewest` to `most`
        replies, every one but the last "returned"."""
        encoded = base64.b64encode(json.dumps(request).encode()).decode()
        # An expression, not a cell: IPython's input transformers take about 50 ms on a cell holding
        # 300 kB of arguments (measured), which would swamp the time of a fast function's call.
        reply = self.kernel_request(f"{helper}({name!r}, {encoded!r})", what, expression=True)
        if reply["status"] == "missing":
            raise NameError(f"name '{name}' is not defined in the notebook")
        replies = reply.get("replies") if reply["status"] == "called" else None
        if (not isinstance(replies, list) or not fewest <= len(replies) <= most
                or not all(isinstance(one, dict) for one in replies)
                or any(one.get("status") != "returned" for one in replies[:-1])):
            raise KernelCallFailed("MalformedReply", f"the kernel gave no usable answer for {what}")
        return replies

    def outcome(self, name, args, reply, budget, quiet=False, recorded=True):
        """(result, error) of one call from its reply; the grader's copies of `args` show what it did to them.
        `quiet` once reference helpers are in the kernel: the error then carries no text of the kernel's.
        Folded, as decoded, into the record of the test cell whose hidden tests run (returned_cell), unless not
        `recorded`: a timed call's digest and a training's sums come from inputs the kit draws afresh at each
        grading (the same notebook would never agree with itself), and the fold would count in the timing."""
        result, error = self.decoded_outcome(name, args, reply, budget, quiet)
        if error is not None:
            self.spoil_returned()  # "same wrong values" means values: an error (quiet: its type alone) is not one
        elif recorded and self.returned_cell is not None and self.returned_records is not None:
            record = self.returned_records.setdefault(self.returned_cell, returned_values.new_record())
            if record is not None:
                returned_values.fold_outcome(record, name, result, error)
        return result, error

    def spoil_returned(self):
        """The test cell being graded has no record of what its functions returned: one raised, or the hidden
        tests stopped before they judged the values (see TestCells.run_hidden)."""
        if self.returned_cell is not None and self.returned_records is not None:
            self.returned_records[self.returned_cell] = None

    def decoded_outcome(self, name, args, reply, budget, quiet=False):
        """outcome's (result, error), not recorded."""
        if reply["status"] == "raised":
            # The function raised in the kernel, where it could record the hidden inputs and, once the grader
            # has sent them (quiet), the reference helpers: what it says reaches its verdict. So a type's name,
            # an ASCII identifier, and a line of ASCII of it (grading/text.py); once quiet, a known name only.
            ename = type_name(reply.get("ename"), known_only=quiet)
            evalue = "" if quiet else quoted(reply.get("evalue", ""))
            return None, type(ename, (Exception,), {})(evalue)
        if reply["status"] != "returned":
            raise KernelCallFailed("MalformedReply", f"the kernel gave no usable answer for {name} on a hidden case")
        try:
            result = plain_data.decode(reply.get("result"), budget, known_names_only=quiet)
            if args is None:  # the arguments were not sent back (a digest, or not asked for)
                return result, None
            after = reply.get("args_after", [])
            if not isinstance(after, list) or len(after) != len(args):
                raise plain_data.MalformedReply("the arguments after the call do not match those sent")
            after = [plain_data.decode(a, budget, known_names_only=quiet) for a in after]
        except plain_data.MalformedReply as error:
            raise KernelCallFailed("MalformedReply", f"{name} returned something the grader cannot read: {error}")
        for before, now in zip(args, after):
            self.copy_back(before, now)
        return result, None

    def copy_back(self, sent, returned):
        """Make the grader's copy of an argument show what the student's function did to it."""
        import numpy as np

        if isinstance(sent, np.ndarray):
            if isinstance(returned, np.ndarray) and returned.shape == sent.shape:
                sent[...] = returned
            else:
                sent[...] = np.nan if np.issubdtype(sent.dtype, np.floating) else ~sent  # changed beyond repair
        elif isinstance(sent, (tuple, list)) and isinstance(returned, (tuple, list)):
            for a, b in zip(sent, returned):
                self.copy_back(a, b)
        elif isinstance(sent, dict) and isinstance(returned, dict):
            for key, value in sent.items():
                self.copy_back(value, returned.get(key))

    def kernel_request(self, code, what, expression=False):
        """Run grader code in the kernel; the decoded reply of `_cnn_grading_answer`, or with `expression`,
        the decoded value of the expression `code` (evaluated without running a cell)."""
        started = time.perf_counter()
        try:
            return run_sync(self._async_kernel_request)(code, what, expression)
        finally:
            self.seconds["kernel"] += time.perf_counter() - started

    async def _async_kernel_request(self, code, what, expression=False, timeout=None):
        """As kernel_request; with `timeout`, a request of the grader's own (a new kernel's set-up), run
        whatever the student's clocks say, for at most `timeout` seconds."""
        if self.kc is None:
            raise KernelCallFailed("DeadKernelError", f"not run ({what}): the kernel died too many times")
        out_of_time = self.out_of_time() if timeout is None else None
        if out_of_time:
            raise KernelCallFailed("CellTimeoutError", f"not run ({what}): {out_of_time}")
        timeout = self.current_timeout() if timeout is None else timeout
        started, budget_was_running = time.monotonic(), self.budget_left is not None
        # The reference helpers a hidden test put in since the last request go first, in the same request.
        definitions, self.definitions_to_send = "\n".join(self.definitions_to_send), []
        run = definitions if expression else f"{definitions}\n{code}" if definitions else code
        msg_id = self.kc.execute(run, silent=True, store_history=False, allow_stdin=False, stop_on_error=False,
                                 user_expressions={"answer": code if expression else "_cnn_grading_answer"})
        try:
            reply = await self._async_reply_to(msg_id, timeout)
            if reply is None:  # timed out: interrupt, and give the kernel a moment to come back
                self.start_budget()
                await ensure_async(self.km.interrupt_kernel())
                reply = await self._async_reply_to(msg_id, self.iopub_timeout)
                if reply is None:
                    await self.async_replace_kernel()
                raise KernelCallFailed("CellTimeoutError", f"{what} ran longer than the time limit "
                                                           f"({timeout:.3g} s) and was stopped")
        except DeadKernelError:
            cause = self.death_cause()
            await self.async_replace_kernel()
            raise KernelCallFailed("DeadKernelError", f"the kernel died while running {what} ({cause})") from None
        finally:  # the student's time: up to the timeout, not the interrupt and a new kernel
            self.spend(min(time.monotonic() - started, timeout), budget_was_running)
        await self._async_drain_iopub(msg_id)
        answer = reply["content"].get("user_expressions", {}).get("answer", {})
        text = answer.get("data", {}).get("text/plain", "") if answer.get("status") == "ok" else ""
        if len(text) >= 2 and text[0] == text[-1] == "'":
            text = text[1:-1]
        try:
            return plain_data.decode_reply(text)
        except plain_data.MalformedReply as error:
            raise KernelCallFailed("MalformedReply", f"no usable answer from the kernel for {what}: {error}") from None

    async def _async_reply_to(self, msg_id, timeout):
        """The shell reply to msg_id, or None after `timeout` seconds; DeadKernelError if the kernel died."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=min(remaining, 1.0)))
            except Exception:  # queue.Empty: check the kernel is still there
                if not await ensure_async(self.km.is_alive()):
                    raise DeadKernelError("Kernel died") from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def _async_drain_iopub(self, msg_id):
        """Read (and drop) what the call printed, up to the kernel's idle message for it."""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.5))
            except Exception:
                return
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return
