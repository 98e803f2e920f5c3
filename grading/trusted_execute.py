"""nbgrader's Execute step, made trustworthy: hidden tests run in the grader, student code in a sandbox.

``TrustedExecute`` replaces nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
For every cell of a submission it runs the student's code in a sandboxed kernel
(``grading.sandbox``). For a test cell it takes the cell's source from the
gradebook (never from the submission), sends the visible part to the kernel, and
runs the hidden part here, in the grader: names the hidden code uses but does not
define (the student's functions) are ``StudentFunction`` proxies, whose calls run
in the kernel with their arguments sent as plain data and their results sent back
as plain data (``grading.kernel_side``, ``grading.plain_data``). A check sends all
its cases of a function in one request (``StudentFunction.call_many``). The proxies, and the requests
that carry them, are in ``grading.kernel_calls``.

A test cell's outputs are rebuilt here: the kernel's streams as plain stdout, the
kernel's errors from the visible part, and one error if the hidden tests failed.
So nbgrader's scoring (an error output means zero) sees the grader's verdict only:
no output the kernel forges, no stderr, no execute_result can earn a point.

Faults cost the cells they break, nothing else: a cell that times out is stopped
(the kernel is killed if it ignores the interrupt) and every later kernel call
gets a short timeout from a small budget; a kernel that dies is replaced, the
notebook's earlier cells are run again, and grading goes on after the cell that
killed it.
"""
import builtins
import hashlib
import importlib.resources
import json
import re
import symtable
import time
from datetime import datetime, timezone

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader import utils as nbgrader_utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Type, Unicode, default

from grading import cell_names
from grading.kernel_calls import GradingKernel, KernelCallFailed, KernelCalls, StudentFunction
from grading.limits import SHM_SIZE
from grading.sandbox import SandboxedKernelManager
from grading.text import first_line

# Read through the package, so that it works when the package comes as a zip (Dask workers).
KERNEL_SIDE_SOURCE = importlib.resources.files("grading").joinpath("kernel_side.py").read_text()
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MAX_MESSAGE = 500
SET_UP_SECONDS = 10  # for the kernel side's definitions in a new kernel (about 10 ms)
NOT_SANDBOXED = ("**Graded without the sandbox** (`c.SandboxedKernelManager.sandbox = False`): "
                 "the student's code ran with the grader's rights.")


# A hidden segment that puts the kit's reference helpers in the kernel (run_segments defers it).
ISOLATES = re.compile(r"\.isolate\(")


def split_hidden(source):
    """[(hidden?, code)] in order, split at nbgrader's hidden-test markers."""
    segments, lines, hidden = [], [], False
    for line in source.split("\n"):
        marker = line.strip()
        if marker in (BEGIN_HIDDEN, END_HIDDEN):
            if lines:
                segments.append((hidden, "\n".join(lines)))
            lines, hidden = [], marker == BEGIN_HIDDEN
        else:
            lines.append(line)
    if lines:
        segments.append((hidden, "\n".join(lines)))
    return [(h, code) for h, code in segments if code.strip()]


def visible_code(source):
    """What of a test cell's source runs in the kernel: its hidden segments run in the grader."""
    return "\n".join(code for hidden, code in split_hidden(source) if not hidden)


def free_names(code):
    """Names the code's top level reads but never binds: the notebook's functions, for hidden tests."""
    table = symtable.symtable(code, "<hidden tests>", "exec")
    return [s.get_name() for s in table.get_symbols()
            if s.is_referenced() and not (s.is_assigned() or s.is_imported() or s.is_namespace())]


VISIBLE_MESSAGE = 300  # characters of a kernel-made error a test cell keeps (course.plain_message shows as many)


def error_output(ename, evalue):
    evalue = evalue[:MAX_MESSAGE]
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def stdout_output(text):
    return new_output("stream", name="stdout", text=text)


LIMITS = [  # (what an error says when a limit stops it, the limit's name)
    (re.compile(r"MemoryError|Cannot allocate memory|\[Errno 12\]"), "memory limit"),
    (re.compile(r"Resource temporarily unavailable|\[Errno 11\]|can't start new thread"), "process limit"),
    (re.compile(r"File too large|\[Errno 27\]"), "file size limit"),
    (re.compile(r"No space left on device|\[Errno 28\]"), "disk limit"),
]


def name_the_limit(output, limits):
    """Say in an error's message which of the sandbox's limits caused it; the limit's name, or None."""
    for pattern, name in LIMITS:
        if pattern.search(f"{output.get('ename', '')}: {output.get('evalue', '')}"):
            note = f" (the grader's {name}: {limits[name]})"
            output["evalue"] = output.get("evalue", "")[:MAX_MESSAGE] + note
            output["traceback"] = list(output.get("traceback", []))[-20:] + [f"grader: {name} reached"]
            return name
    return None


class TrustedExecute(KernelCalls, Execute):
    """Execute for autograding: sandboxed kernel, hidden tests in the grader, bounded time and output."""

    kernel_manager_class = Type(SandboxedKernelManager, klass=SandboxedKernelManager, config=True,
                                help="The kernel manager: the sandboxed one or a subclass of it.")
    timeout_after_timeout = Integer(2, help=(
        "Once a cell has timed out, the timeout of every later cell and hidden-test call, in seconds.")).tag(config=True)
    budget_after_timeout = Integer(6, help=(
        "Once a cell has timed out, the seconds all later cells may use together; cells after that "
        "are not run.")).tag(config=True)
    cell_output_limit = Integer(1024 * 1024, help="Bytes of output kept per cell.").tag(config=True)
    notebook_output_limit = Integer(8 * 1024 * 1024, help="Bytes of output kept per notebook.").tag(config=True)
    max_kernel_restarts = Integer(8, help=(
        "Kernels started again after one died, per notebook (a helper that kills the kernel kills it "
        "in every cell that calls it).")).tag(config=True)
    notebook_time_limit = Integer(120, help=(
        "Seconds a whole notebook may keep its kernel busy, cells, hidden-test calls and reruns after "
        "a kernel death together; cells after that are not run.")).tag(config=True)
    shutdown_kernel = Unicode("immediate")
    # One stdout output per cell, however the kernel happened to split its prints into messages:
    # grading the same submission twice writes the same notebook.
    coalesce_streams = Bool(True)
    iopub_timeout = Integer(2, help="Seconds to wait for a cell's last output once it has replied, or for a "
                                    "kernel to answer an interrupt.").tag(config=True)
    # Where the last notebook's time went, in seconds (for the benchmark): waiting for the
    # kernel, the kernel running cells and calls, the hidden tests' own work here.
    last_timings = {}
    expected_values = {}  # {assignment's test sources' digest: the grading kit's cache}, for this process

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)  # nbgrader's Execute would set its own
        super().__init__(*args, **kwargs)

    @default("kernel_name")
    def _kernel_name_default(self):
        return "python3"

    # ---------------------------------------------------------------- notebook
    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.test_sources = self.load_test_sources(resources)
        # The hidden tests' expected values, kept for the next notebook of the same assignment
        # (the kit's CACHE): computed once per grading process, not once per student.
        assignment = hashlib.sha256(json.dumps(sorted(self.test_sources.items())).encode()).hexdigest()
        # grading_folder: where autograde put the submission and, over it, the assignment's own files
        # (nbgrader copies every non-notebook file of source/ there): the hidden tests read data there.
        self.hidden_namespace = {"__name__": "hidden_tests", "grading_kernel": GradingKernel(self),
                                 "grading_cache": TrustedExecute.expected_values.setdefault(assignment, {}),
                                 "grading_folder": (resources or {}).get("metadata", {}).get("path") or "."}
        self.graded_functions, self.defined_for_cell = set(), set()
        self.budget_left = None  # seconds left once a cell has timed out
        self.restarts, self.dont_replay = 0, set()
        self.notebook_output_bytes = 0
        self.limits_reached = set()
        self.cell_timeout, self.current_index = self.timeout, 0
        # The configured sandbox (settings only: no kernel is started by making it).
        self.sandbox_settings = self.kernel_manager_class(config=self.config)
        self.limits = self.describe_limits(self.sandbox_settings)
        self.cell_deadline = self.notebook_deadline = float("inf")
        self.deferred, self.disturbed_since_deferral = [], False  # see run_segments and run_deferred_tests
        self.seconds = {"kernel start": 0.0, "kernel": 0.0, "hidden tests": 0.0}  # see last_timings
        started = time.perf_counter()
        with self.setup_kernel():
            self.wait_for_reply(self.kc.kernel_info())
            self.seconds["kernel start"] = time.perf_counter() - started
            self.notebook_deadline = time.monotonic() + self.notebook_time_limit
            self.set_up_kernel_side()
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type == "code" and cell.source.strip():
                    self.run_cell(cell, index)
            self.run_deferred_tests()
            if self.km is not None:
                self.limits_reached.update(self.km.limits_hit())
        sandboxed = self.sandbox_settings.sandbox
        if not sandboxed:
            self.nb.cells.insert(0, new_markdown_cell(NOT_SANDBOXED))
        # For the class pipeline's report; nbgrader leaves notebook metadata alone.
        self.nb.metadata["trusted_grading"] = {"sandboxed": sandboxed, "limits_reached": sorted(self.limits_reached),
                                               "kernel_restarts": self.restarts}
        TrustedExecute.last_timings = dict(self.seconds, total=time.perf_counter() - started)
        return self.nb, self.resources

    async def async_set_up_kernel_side(self):
        """Define the kernel side's functions (grading/kernel_side.py) in a new kernel, before any cell."""
        try:
            # Not on the cell's clock: a kernel replaced after a timeout comes when the cell's time is up,
            # and without these functions every later call in the notebook would fail. No student code
            # has run in a new kernel yet.
            await self._async_kernel_request(f"{KERNEL_SIDE_SOURCE}\n_cnn_grading_answer = _cnn_grading_reply({{}})",
                                             "setting up the grading calls", timeout=SET_UP_SECONDS)
        except KernelCallFailed:
            pass  # a kernel that cannot even do this fails every later call, each in its own cell

    set_up_kernel_side = run_sync(async_set_up_kernel_side)

    def load_test_sources(self, resources):
        """{grade_id: source} of the assignment's test cells, as the instructor wrote them."""
        info = (resources or {}).get("nbgrader", {})
        if "db_url" not in info:
            # Without the gradebook there is no telling test cells from the student's own:
            # refuse rather than send hidden tests into the kernel.
            raise RuntimeError("TrustedExecute grades only under nbgrader autograde (it reads the test cells "
                               "from the gradebook)")
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            tests = {cell.name for cell in notebook.grade_cells if cell.cell_type == "code"}
            solutions = {cell.name for cell in notebook.solution_cells}
            return {cell.name: cell.source for cell in notebook.source_cells
                    if cell.name in tests and cell.name not in solutions}

    def run_cell(self, cell, index):
        self.current_index = index
        self.cell_deadline = time.monotonic() + self.cell_timeout
        not_run = self.not_run()
        if not_run:
            cell.outputs = not_run
            return
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        test_source = self.test_sources.get(grade_id) if nbgrader_utils.is_grade(cell) else None
        started = datetime.now(timezone.utc)
        if test_source is None:
            cell.outputs = self.run_in_kernel(cell, index, cell.source)
        else:
            cell.source = test_source
            cell.outputs = self.run_test_cell(cell, index, test_source)
        self.record_ran(cell, started)

    def not_run(self):
        """The outputs of a cell that may not run now (out of time, or the kernel died too often), else []."""
        out_of_time = self.out_of_time()
        if out_of_time:
            return [error_output("CellTimeoutError", f"not run: {out_of_time}")]
        if self.restarts > self.max_kernel_restarts:
            return [error_output("DeadKernelError", "not run: the kernel died too many times")]
        return []

    def record_ran(self, cell, started):
        """The cell's wall time, hidden tests included, where nbclient would record it; the limits its
        outputs name."""
        cell.metadata["execution"] = {"iopub.execute_input": started.isoformat()[:-6] + "Z",
                                      "shell.execute_reply": datetime.now(timezone.utc).isoformat()[:-6] + "Z"}
        for output in cell.outputs:
            if output.output_type == "error":
                words = name_the_limit(output, self.limits)
                if words:
                    self.limits_reached.add(words)
            elif output.output_type == "stream":  # an error the student caught and printed
                self.limits_reached.update(name for pattern, name in LIMITS if pattern.search(output.text))

    @staticmethod
    def describe_limits(km):
        """{limit's name: its size, in words}, for messages."""
        return {"memory limit": f"{km.memory_limit / 2 ** 30:g} GiB", "process limit": f"{km.process_limit} "
                "processes and threads", "file size limit": f"{km.file_size_limit / 2 ** 20:g} MiB per file",
                "disk limit": f"{km.tmp_size / 2 ** 20:g} MiB in /tmp and {SHM_SIZE / 2 ** 20:g} MiB in /dev/shm, "
                              "the only writable folders"}

    # --------------------------------------------------------------- test cell
    def run_test_cell(self, cell, index, source):
        return self.run_segments(cell, index, split_hidden(source), [], may_defer=True)

    def run_segments(self, cell, index, segments, outputs, may_defer):
        """Run a test cell's segments in order (visible ones in the kernel, hidden ones here); its outputs.

        A hidden segment that puts reference helpers in the kernel (the kits' ``isolate``) waits, with
        the rest of its cell, until every other cell has run (run_deferred_tests): a reference is then
        in the kernel only when no other cell is left to grade, so that nothing graded later can use
        it, whatever the kernel does with it or says about removing it.
        """
        failure, graded = None, segments
        try:
            for position, (hidden, code) in enumerate(segments):
                if hidden and may_defer and ISOLATES.search(code):
                    graded = segments[:position]  # the rest is graded when it runs
                    self.deferred.append((cell, index, segments[position:], outputs,
                                          self.cell_deadline - time.monotonic(), self.budget_left))
                    return outputs
                if hidden:
                    failure = self.run_hidden(code)
                else:
                    kernel_outputs = self.run_in_kernel(cell, index, code)
                    outputs += [self.plain(o) for o in kernel_outputs if o.output_type in ("stream", "error")]
                    if any(o.output_type == "error" for o in kernel_outputs):
                        failure = "visible"
                if failure:
                    break
        finally:
            self.restore_for_next_cell()
            # Whatever the verdict, the functions this cell tests are graded now: from here
            # on their reference versions may enter the kernel for the cells that call them.
            self.graded_functions.update(name for hidden, code in graded if hidden
                                         for name in free_names(code) if name not in self.hidden_namespace)
        if failure and failure != "visible":
            outputs.append(error_output(*failure))
        return outputs

    def note_disturbance(self):
        """Something may have left the kernel otherwise than its cells would (see run_deferred_tests)."""
        if self.deferred:
            self.disturbed_since_deferral = True

    def later_cells_rebind(self):
        """Whether a cell after a deferred one binds a name that its deferred part reads (its visible code
        before binding it, or a function its hidden tests call): there the deferred part, run at the end,
        would see another value than in its place. Code that does not parse counts as binding anything."""
        binds = {}  # cell index -> the names the cell's visible code binds (None: it does not parse)
        for _, index, segments, _, _, _ in self.deferred:
            reads = set()
            for hidden, code in segments:
                try:
                    reads |= set(free_names(code)) if hidden else cell_names.reads_and_binds(code)[0]
                except SyntaxError:
                    return True
            for later, cell in enumerate(self.nb.cells[index + 1:], index + 1):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                if later not in binds:
                    try:
                        binds[later] = cell_names.reads_and_binds(visible_code(cell.source))[1]
                    except SyntaxError:
                        binds[later] = None
                if binds[later] is None or binds[later] & reads:
                    return True
        return False

    def output_works(self):
        """Whether the kernel's stdout and stderr are still open (a cell may have closed them). The kernel's
        word: a kernel that lies keeps its broken output for its own deferred cells."""
        probe = ("import os as _cnn_os, sys as _cnn_sys\n"
                 "_cnn_grading_answer = _cnn_grading_reply({'status': 'ok' if not (_cnn_sys.stdout.closed or "
                 "_cnn_sys.stderr.closed) and all(_cnn_os.isatty(fd) or _cnn_os.fstat(fd) for fd in (1, 2)) "
                 "else 'closed'})")
        self.cell_deadline = time.monotonic() + 5  # the grader's own request, on no cell's clock
        try:
            return self.kernel_request(probe, "checking the kernel's output").get("status") == "ok"
        except (KernelCallFailed, OSError):
            return False

    def run_deferred_tests(self):
        """The rest of each test cell that run_segments deferred, in the notebook's order, as in its place:
        with the time its cell had left and the time budget as it stood then, and, if anything disturbed
        the kernel since the first deferral, in a new kernel that has run the notebook's earlier non-test
        cells (as a replaced kernel does). So a later cell that closed the kernel's output, left it hung or
        used up the budget after a timeout reaches no deferred cell; what later cells do to the kernel's
        state without binding a name (patching a module, say) reaches them in a kept kernel, as a student's
        own later cells reach their own functions."""
        if not self.deferred:
            return
        # The kernel is kept, which saves a new kernel and its replays (about a second for part 2), when
        # it would show the deferred cells what their place would: nothing disturbed it since the first
        # deferral (a timeout, failed call or restart), no later cell binds a name they read (a student's
        # scratch cell redefining conv_forward, say), and its output still works. A test cell whose visible
        # check raised is no disturbance: the code cut short is the instructor's check, which sets nothing up
        # to undo (a failed visible check sent every wrong notebook to a new kernel). Any other cell that
        # raised is one: it may have skipped its own undoing (np.seterr put back, a patch removed).
        fresh = self.disturbed_since_deferral or self.later_cells_rebind() or not self.output_works()
        if fresh:
            run_sync(self.async_new_kernel)()
        replayed = 0
        for cell, index, segments, outputs, seconds_left, budget_left in self.deferred:
            started = datetime.now(timezone.utc)
            self.budget_left = budget_left
            # A kernel replaced from here on replays up to this cell (a new one), or every cell (the one kept).
            self.current_index = index if fresh else len(self.nb.cells)
            if fresh and self.kc is not None and run_sync(self._async_replay)(index, replayed) == "again":
                self.replace_kernel(index)
            replayed = index
            self.cell_deadline = time.monotonic() + max(seconds_left, 0)
            not_run = self.not_run()
            cell.outputs = outputs + not_run if not_run else self.run_segments(cell, index, segments, outputs,
                                                                               may_defer=False)
            self.record_ran(cell, started)

    @staticmethod
    def plain(output):
        """A kernel output as the grader keeps it in a test cell: streams on stdout, errors as they are."""
        if output.output_type == "stream":
            return stdout_output(output.text)
        if output.get("ename") == "CellTimeoutError":  # the grader's own
            return output
        # The kernel wrote this error (a visible check, or the student's own code): one line of it, as the
        # pages quote it, so that a test cell's verdict cannot carry pages of what the kernel recorded.
        return error_output(str(output.get("ename", "Error"))[:100],
                            first_line(output.get("evalue", ""))[:VISIBLE_MESSAGE])

    def run_hidden(self, code):
        """Run hidden test code here; None if it passed, else (ename, message)."""
        proxies = {name: StudentFunction(name, self) for name in free_names(code)
                   if name not in self.hidden_namespace and not hasattr(builtins, name)}
        namespace = self.hidden_namespace
        namespace.update(proxies)
        started, in_kernel = time.perf_counter(), self.seconds["kernel"]
        try:
            exec(compile(code, "<hidden tests>", "exec"), namespace)
        except KernelCallFailed as failure:
            self.note_disturbance()
            return failure.ename, failure.message
        except Exception as error:  # the hidden tests' verdict: one sentence, never a traceback
            message = first_line(error) or "a hidden test failed"
            return type(error).__name__, message
        finally:
            for name in proxies:
                namespace.pop(name, None)
            self.seconds["hidden tests"] += time.perf_counter() - started - (self.seconds["kernel"] - in_kernel)
        return None

    def restore_for_next_cell(self):
        if self.defined_for_cell:
            self.defined_for_cell.clear()
            try:
                self.kernel_request("_cnn_grading_answer = _cnn_grading_restore()", "restoring the notebook")
            except KernelCallFailed:
                pass  # the kernel was replaced: nothing of the references is left in it

    # ------------------------------------------------------------ plain cells
    def run_in_kernel(self, cell, index, code):
        """Run code as cell `index` in the kernel; its outputs. Timeouts and deaths become error outputs."""
        if self.kc is None:
            return [error_output("DeadKernelError", "not run: the kernel died too many times")]
        run = NotebookNode(cell_type="code", source=code, metadata=NotebookNode(), outputs=[], execution_count=None)
        self.cell_output_bytes = 0
        self.timed_out = False
        self.call_timeout = self.current_timeout()
        started, budget_was_running = time.monotonic(), self.budget_left is not None
        self.nb.cells[index] = run  # where nbclient looks for the running cell's outputs
        try:
            self.execute_cell(run, index, store_history=True)
        except CellTimeoutError:  # the kernel ignored the interrupt
            self.timed_out = True
            self.dont_replay.add(index)
            self.replace_kernel(index)
        except DeadKernelError:
            self.dont_replay.add(index)
            cause = self.death_cause()
            self.replace_kernel(index)
            run.outputs.append(error_output("DeadKernelError", f"the kernel died while running this cell ({cause})"))
        finally:  # the student's time: up to the timeout, not the interrupt and a new kernel
            self.spend(min(time.monotonic() - started, self.call_timeout), budget_was_running)
            self.seconds["kernel"] += time.monotonic() - started
            self.nb.cells[index] = cell  # nbclient stores the cell it ran; keep the notebook's own
        raised = any(output.output_type == "error" for output in run.outputs)
        if self.timed_out or (raised and not self.is_test_cell(cell)):
            self.note_disturbance()
        if self.timed_out:
            self.start_budget()
            self.dont_replay.add(index)
            outputs = [o for o in run.outputs if o.output_type == "stream"]
            outputs.append(error_output("CellTimeoutError", f"the cell ran longer than the time limit "
                                                            f"({self.call_timeout:.3g} s) and was stopped"))
            return outputs
        for output in run.outputs:
            if output.output_type == "error":  # the kernel's own words: bounded like any other output
                output["ename"] = str(output.get("ename", ""))[:100]
                output["evalue"] = str(output.get("evalue", ""))[:4 * MAX_MESSAGE]
                output["traceback"] = [str(line)[:2000] for line in output.get("traceback", [])[-20:]]
        return run.outputs

    async def _async_cleanup_kernel(self):
        if self.km is not None:  # None once the kernel died too often and was not replaced
            # Channels first (nbclient stops them after the kernel): releasing a forked kernel closes
            # the directory fd they reconnect through, and the next file opened may get its number.
            if getattr(self, "kc", None) is not None:
                await ensure_async(self.kc.stop_channels())
            await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _get_timeout(self, cell=None):
        """The timeout nbclient gives the cell it runs: what current_timeout() allowed it (seconds, float)."""
        return getattr(self, "call_timeout", None) or self.timeout

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's output up to the per-cell and per-notebook byte limits, then say so once."""
        if msg["msg_type"] == "error":  # kept whatever the output so far: it decides a test cell
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.cell_output_bytes += size
        self.notebook_output_bytes += size
        if self.cell_output_bytes > self.cell_output_limit or self.notebook_output_bytes > self.notebook_output_limit:
            if not getattr(self, "_output_cut_noted", None) == cell_index:
                self._output_cut_noted = cell_index
                self.limits_reached.add("output limit")
                outs.append(stdout_output(f"\n[grader: output limit reached ({self.cell_output_limit // 1024} KiB "
                                          f"per cell, {self.notebook_output_limit // 2 ** 20} MiB per notebook); "
                                          "the rest of this cell's output was dropped]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        """Update an earlier display within the output limits, and never one in a test cell."""
        cells = self._display_id_map.get(display_id, {})
        if any(nbgrader_utils.is_grade(self.nb.cells[i]) for i in cells if i < len(self.nb.cells)):
            return
        self.notebook_output_bytes += len(json.dumps(msg.get("content", {}), default=str))
        if self.notebook_output_bytes > self.notebook_output_limit:
            return
        try:
            super()._update_display_id(display_id, msg)
        except (IndexError, KeyError):
            pass  # a display the grader did not keep

    def handle_comm_msg(self, outs, msg, cell_index):
        """Widgets and other comms mean nothing to grading: their messages are not kept."""

    async def async_start_new_kernel_client(self):
        """nbclient's, without the heartbeat and stdin channels: the manager watches the kernel's
        process, and a channel that is never opened cannot be made to reconnect elsewhere."""
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels(stdin=False, hb=False))
        await self.async_wait_until_ready()
        self.kc.allow_stdin = False
        return self.kc

    # nbclient's setup_kernel calls the synchronous name, bound to nbclient's own coroutine: bind it to ours.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def async_wait_until_ready(self):
        """The kernel answers on its shell channel and its iopub channel reaches us. jupyter_client's
        wait_for_ready then waits 0.2 s more for silence on iopub, every time: a fifth of a forked
        kernel's start. Messages left on iopub belong to no cell and are never read as a cell's."""
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if await self._async_reply_to(self.kc.kernel_info(), 1.0) is not None:
                try:  # the kernel publishes its status for every request: here within milliseconds
                    await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.05))
                    return
                except Exception:  # queue.Empty: the iopub subscription was not ready yet; ask again
                    pass
            if time.monotonic() > deadline:
                raise DeadKernelError(f"the kernel did not answer within {self.startup_timeout} s")

    # ---------------------------------------------------------------- time
    def current_timeout(self, floor=0.5):
        """Seconds the next kernel call may take: the cell's and the notebook's time left, and once a
        cell has timed out, a short timeout from what is left of the budget."""
        now = time.monotonic()
        seconds = min(self.cell_deadline - now, self.notebook_deadline - now)
        if self.budget_left is not None:
            seconds = min(seconds, self.timeout_after_timeout, self.budget_left)
        return max(floor, seconds)

    def notebook_time_left(self):
        return self.notebook_deadline - time.monotonic()

    def replay_timeout(self):
        """A replayed cell's timeout: as a call's, but its floor never reaches past the notebook's deadline
        (the cell that killed the kernel has usually used up its own time)."""
        return self.current_timeout(floor=min(0.5, self.notebook_time_left()))

    def out_of_time(self):
        """Why nothing more may run in the kernel now (a sentence naming the time limit), or None."""
        now = time.monotonic()
        if now >= self.notebook_deadline:
            return f"the notebook used up its time limit ({self.notebook_time_limit} s for all its cells)"
        if self.budget_left is not None and self.budget_left <= 0:
            return "an earlier cell timed out and the time the notebook had left was used up (time limit)"
        if now >= self.cell_deadline:
            return f"the cell used up its time limit ({self.cell_timeout:g} s)"
        return None

    def start_budget(self):
        if self.budget_left is None:
            self.budget_left = float(self.budget_after_timeout)

    def spend(self, seconds, budget_was_running):
        if budget_was_running:
            self.budget_left -= seconds

    # -------------------------------------------------------------- restarts
    def death_cause(self):
        if self.km is None:
            return "os._exit, a crash, or the memory limit"
        if "memory limit" in self.km.limits_hit():
            return f"the grader's memory limit: {self.limits['memory limit']}"
        return "os._exit, a crash, or the memory limit"


    def replace_kernel(self, index):
        run_sync(self.async_replace_kernel)(index)

    async def async_replace_kernel(self, index=None):
        """Start a new kernel and run the notebook's earlier non-test cells in it again."""
        index = self.current_index if index is None else index
        self.restarts += 1
        self.note_disturbance()
        if self.restarts > self.max_kernel_restarts:
            self.defined_for_cell.clear()
            await self._async_cleanup_kernel()
            return
        await self.async_new_kernel()
        if await self._async_replay(index) == "again":
            return await self.async_replace_kernel(index)

    async def async_new_kernel(self):
        """The kernel shut down and a new one started, set up for grading calls, having run nothing."""
        self.defined_for_cell.clear()
        await self._async_cleanup_kernel()
        self.km = self.create_kernel_manager()
        if not self.km.has_kernel:
            await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()
        await self.async_set_up_kernel_side()

    def cells_to_replay(self, index, start=0):
        """Indexes of the cells from `start` to before `index` that a new kernel runs again: code, not a
        test cell, not one that killed or hung a kernel."""
        for earlier in range(start, index):
            cell = self.nb.cells[earlier]
            if (cell.cell_type == "code" and earlier not in self.dont_replay and cell.source.strip()
                    and not self.is_test_cell(cell)):
                yield earlier

    def is_test_cell(self, cell):
        """Whether the cell is one of the source's test cells (its code the instructor's, not the notebook's)."""
        return (nbgrader_utils.is_grade(cell)
                and cell.metadata.get("nbgrader", {}).get("grade_id") in self.test_sources)

    async def _async_replay(self, index, start=0):
        """Run the cells from `start` to before `index` again, on the notebook's clock; "again" when the
        kernel must be replaced once more (a replayed cell killed it, or ignored its interrupt)."""
        for earlier in self.cells_to_replay(index, start):
            # Replays are the student's time: past the notebook's deadline the cells after this one
            # are not run at all, so a replay would only hold the worker.
            if self.notebook_time_left() <= 0:
                return "out of time"
            msg_id = self.kc.execute(self.nb.cells[earlier].source, store_history=False, allow_stdin=False,
                                     stop_on_error=False)
            try:
                if await self._async_reply_to(msg_id, self.replay_timeout()) is None:
                    self.dont_replay.add(earlier)
                    await ensure_async(self.km.interrupt_kernel())
                    # A kernel that does not answer its interrupt is busy for good: every later cell
                    # would queue behind it and wait its whole timeout.
                    if await self._async_reply_to(msg_id, self.iopub_timeout) is None:
                        return "again"
            except DeadKernelError:
                self.dont_replay.add(earlier)
                return "again"
        return "done"
