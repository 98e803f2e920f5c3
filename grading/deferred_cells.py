"""The test cells deferred to the end of the notebook, run there as in their place.

``TestCells.run_segments`` (grading/verdict.py) defers the rest of a test cell whose hidden part puts
reference helpers in the kernel. ``DeferredCells``, a part of ``TrustedExecute``, runs them after every
other cell: in the kernel as it is when nothing disturbed it since, no later cell rebinds a name they read
(grading/cell_names.py) and its output still works; else in a new kernel that has run the notebook's
earlier non-test cells again.
"""
import functools
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbgrader import utils as nbgrader_utils

from grading import cell_names
from grading.kernel_calls import KernelCallFailed
from grading.verdict import free_names, visible_code


@functools.lru_cache(maxsize=16)
def released_cells_of(path, modified, size):
    """load_released_cells' texts from the release notebook at `path`, read once while it is unchanged."""
    try:
        released = nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError):
        return frozenset()
    return frozenset(cell.source for cell in released.cells if cell.cell_type == "code"
                     and not nbgrader_utils.is_grade(cell) and not nbgrader_utils.is_solution(cell)
                     and cell_names.nothing_to_undo(cell.source))


class DeferredCells:
    """The deferred test cells, run at the end of the notebook (a part of ``TrustedExecute``)."""

    released_cells = frozenset()  # see load_released_cells

    def note_disturbance(self):
        """Something may have left the kernel otherwise than its cells would (see run_deferred_tests)."""
        if self.deferred:
            self.disturbed_since_deferral = True

    def cut_short_harmlessly(self, cell):
        """Whether a cell that raised skipped nothing of the cell's own code that it would have put back: a
        test cell's visible check, or a cell of the release kept as released whose code has nothing to undo (a
        worked example calling the student's function, which raised). The code cut short is then the
        instructor's. The student's function that raised was cut short too, and may have skipped an undoing of
        its own (an np.seterr put back without try/finally): that reaches the deferred cells, as it does after
        a failed visible check, and as anything a function of theirs leaves behind when it returns does."""
        return self.is_test_cell(cell) or cell.source in self.released_cells

    def load_released_cells(self, resources):
        """The texts of the cells that cut_short_harmlessly takes as the release's: the notebook's free code
        cells (neither solution nor test) as nbgrader's release folder holds them, each with nothing to undo
        when cut short (cell_names.nothing_to_undo). Empty where the course has no release of the notebook."""
        from nbgrader.coursedir import CourseDirectory

        info = (resources or {}).get("nbgrader", {})
        if not info.get("assignment") or not info.get("notebook"):
            return frozenset()
        course = CourseDirectory(config=self.config)
        path = Path(course.format_path(course.release_directory, ".", info["assignment"])) / f"{info['notebook']}.ipynb"
        try:
            found = path.stat()
        except OSError:
            return frozenset()
        return released_cells_of(path, found.st_mtime_ns, found.st_size)

    def later_cells_rebind(self):
        """Whether a cell after a deferred one binds a name that its deferred part reads (its visible code
        before binding it, or a function its hidden tests call): there the deferred part, run at the end,
        would see another value than in its place. A name that every cell binding it binds by one import, and a
        cell before the deferred one did, is the same object at the end (names_always_imported): students import
        numpy again in their own cells (half of the benchmark's class, each sent to a new kernel and a replay
        for it). Code that does not parse, and a star import, count as binding anything."""
        binds = {}  # cell index -> the names the cell's visible code binds (None: it does not parse)
        same_import = self.names_always_imported()
        if same_import is None:
            return True
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
                if binds[later] is None or cell_names.ANY_NAME in binds[later]:
                    return True
                if any(same_import.get(name, index) >= index for name in binds[later] & reads):
                    return True
        return False

    def names_always_imported(self):
        """{name: the index of the first cell binding it} of the names that every code cell binding them binds
        by the same import (`import numpy as np` in the first cell and again in a student's later one): the same
        module object wherever it runs, so a later cell's import changes nothing that a deferred cell after the
        first one reads. None if a cell does not parse or holds a star import."""
        origins, first = {}, {}
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            try:
                bound = cell_names.bindings(visible_code(cell.source))
            except SyntaxError:
                return None
            if cell_names.ANY_NAME in bound:  # a star import may rebind any name, unseen
                return None
            for name, origin in bound.items():
                origins.setdefault(name, set()).add(origin)
                first.setdefault(name, index)
        return {name: first[name] for name, found in origins.items() if len(found) == 1 and None not in found}

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
        # check raised is no disturbance, nor a worked example of the release kept as released: the code cut
        # short is the instructor's, which sets nothing up to undo (cut_short_harmlessly; a failed visible
        # check sent every wrong notebook to a new kernel, and a worked example every untouched one). Any
        # other cell that raised is one: it may have skipped its own undoing (np.seterr put back, a patch
        # removed).
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
