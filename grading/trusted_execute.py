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

Its parts, each a mixin of ``TrustedExecute`` in a module of its own: a test cell's run and verdict
(``grading.verdict``), the test cells deferred to the end of the notebook (``grading.deferred_cells``),
the kernel's start, replacement and replays (``grading.kernel_lifecycle``), the notebook's clocks
(``grading.notebook_clock``), the output limits (``grading.cell_outputs``) and the calls into the kernel
(``grading.kernel_calls``). This module holds the notebook and its cells' loop.
"""
import hashlib
import json
import time
from datetime import datetime, timezone

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader import utils as nbgrader_utils
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Type, Unicode, default

from grading.cell_outputs import LIMITS, MAX_MESSAGE, BoundedOutputs, error_output, name_the_limit
from grading.deferred_cells import DeferredCells
from grading.kernel_calls import GradingKernel, KernelCallFailed, KernelCalls
from grading.kernel_lifecycle import KernelLifecycle
from grading.limits import SHM_SIZE
from grading.notebook_clock import NotebookClock
from grading.sandbox import SandboxedKernelManager
from grading.verdict import TestCells
# Names the tests import from here, defined now in the modules of TrustedExecute's parts.
from grading.verdict import ISOLATES, VISIBLE_MESSAGE, free_names, split_hidden, visible_code  # noqa: F401

NOT_SANDBOXED = ("**Graded without the sandbox** (`c.SandboxedKernelManager.sandbox = False`): "
                 "the student's code ran with the grader's rights.")


class TrustedExecute(TestCells, DeferredCells, KernelLifecycle, NotebookClock, BoundedOutputs, KernelCalls, Execute):
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
    draw_figures = Bool(False, help=(
        "Whether the kernel draws the notebook's matplotlib figures into the graded notebook, as PNG images. "
        "Off, each figure shows as its text description (<Figure size 800x240 with 16 Axes>): no grade "
        "depends on a figure, the student saw them drawn in their own notebook, and drawing them took "
        "about 0.4 s of a part 2 notebook's 3 s of grading.")).tag(config=True)
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
        self.released_cells = self.load_released_cells(resources)
        # The hidden tests' expected values, kept for the next notebook of the same assignment
        # (the kit's CACHE): computed once per grading process, not once per student.
        assignment = hashlib.sha256(json.dumps(sorted(self.test_sources.items())).encode()).hexdigest()
        # grading_folder: where autograde put the submission and, over it, the assignment's own files
        # (nbgrader copies every non-notebook file of source/ there): the hidden tests read data there.
        self.hidden_namespace = {"__name__": "hidden_tests", "grading_kernel": GradingKernel(self),
                                 "grading_cache": TrustedExecute.expected_values.setdefault(assignment, {}),
                                 "grading_folder": (resources or {}).get("metadata", {}).get("path") or "."}
        self.graded_functions, self.defined_for_cell, self.definitions_to_send = set(), set(), []
        self.references_sent = False  # once a reference helper went into the kernel, verdicts are quiet
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
        self.returned_cell, self.returned_records = None, {}  # see KernelCalls.outcome
        self.seconds = {"kernel start": 0.0, "kernel": 0.0, "hidden tests": 0.0}  # see last_timings
        started = time.perf_counter()
        with self.setup_kernel():  # ready: its client has had the kernel's answer (async_wait_until_ready)
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
        # "returned": {test cell's grade_id: the digest of what the notebook's functions returned on its hidden
        # cases} (grading/returned_values.py), for every test cell whose hidden tests judged values the
        # functions returned, none of them raising.
        self.nb.metadata["trusted_grading"] = {"sandboxed": sandboxed, "limits_reached": sorted(self.limits_reached),
                                               "kernel_restarts": self.restarts,
                                               "returned": {grade_id: record.hexdigest() for grade_id, record
                                                            in sorted(self.returned_records.items()) if record is not None}}
        TrustedExecute.last_timings = dict(self.seconds, total=time.perf_counter() - started)
        return self.nb, self.resources

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

    # ------------------------------------------------------------ plain cells
    def run_in_kernel(self, cell, index, code):
        """Run code as cell `index` in the kernel; its outputs. Timeouts and deaths become error outputs."""
        try:  # the reference helpers a test cell's hidden part asked for, before its visible part runs
            self.send_definitions()
        except KernelCallFailed as failure:  # the cell fails, as its hidden part would have
            self.note_disturbance()
            return [error_output(failure.ename, failure.message)]
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
        if self.timed_out or (raised and not self.cut_short_harmlessly(cell)):
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

    async def _async_handle_timeout(self, timeout, cell=None):
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)
