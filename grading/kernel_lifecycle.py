"""The grading kernel's life: started and set up for grading calls, shut down, replaced after it died.

``KernelLifecycle``, a part of ``TrustedExecute``, starts a kernel's client (no heartbeat or stdin
channel), defines the kernel side's functions (grading/kernel_side.py) in a new kernel before any cell,
and, when a kernel dies or ignores an interrupt, starts a new one and runs the notebook's earlier
non-test cells in it again (``_async_replay``), on the notebook's clock.
"""
import time

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbgrader import utils as nbgrader_utils

from grading.kernel_calls import KernelCallFailed
from grading.kernel_template import COMPILED_KERNEL_SIDE, KERNEL_SIDE_SOURCE

SET_UP_SECONDS = 10  # for the kernel side's definitions in a new kernel (about 10 ms)


class KernelLifecycle:
    """Kernels started, replaced and replayed (a part of ``TrustedExecute``)."""

    async def async_set_up_kernel_side(self):
        """Define the kernel side's functions (grading/kernel_side.py) in a new kernel, before any cell."""
        try:
            # Not on the cell's clock: a kernel replaced after a timeout comes when the cell's time is up,
            # and without these functions every later call in the notebook would fail. No student code
            # has run in a new kernel yet.
            # Without draw_figures, matplotlib's inline backend gets no image format (IPython's own setting, read
            # when a cell asks for %matplotlib inline): a figure displays as its text, and is never drawn.
            figures = "" if self.draw_figures else "\nget_ipython().config.InlineBackend.figure_formats = set()"
            # A kernel forked from the template holds the kernel side compiled; any other is sent its text.
            forked = getattr(self.km, "forked", None) is not None
            definitions = (f"exec(__import__('sys').{COMPILED_KERNEL_SIDE}, globals())" if forked
                           else KERNEL_SIDE_SOURCE)
            await self._async_kernel_request(f"{definitions}{figures}\n_cnn_grading_answer = "
                                             "_cnn_grading_reply({'status': 'ok'})", "setting up the grading calls",
                                             timeout=SET_UP_SECONDS)
        except KernelCallFailed:
            pass  # a kernel that cannot even do this fails every later call, each in its own cell

    set_up_kernel_side = run_sync(async_set_up_kernel_side)

    async def _async_cleanup_kernel(self):
        if self.km is not None:  # None once the kernel died too often and was not replaced
            # The limits this kernel ran into, before it goes: a kernel replaced after a timeout or a death has
            # its own, and the notebook's report names every kernel's (its /tmp is seen only while it runs).
            if getattr(self, "limits_reached", None) is not None:
                self.limits_reached.update(self.km.limits_hit())
            # Channels first (nbclient stops them after the kernel): releasing a forked kernel closes
            # the directory fd they reconnect through, and the next file opened may get its number.
            if getattr(self, "kc", None) is not None:
                await ensure_async(self.kc.stop_channels())
            await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

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
            self.forget_definitions()
            await self._async_cleanup_kernel()
            return
        await self.async_new_kernel()
        if await self._async_replay(index) == "again":
            return await self.async_replace_kernel(index)

    async def async_new_kernel(self):
        """The kernel shut down and a new one started, set up for grading calls, having run nothing."""
        self.forget_definitions()
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
