"""A test cell's verdict: its visible part runs in the kernel, its hidden part here, in the grader.

A test cell's source (from the gradebook) is split at nbgrader's hidden-test markers (``split_hidden``).
``TestCells``, a part of ``TrustedExecute``, runs its segments in order: a visible one in the kernel, whose
outputs the cell keeps as plain stdout and one line of each error (``plain``); a hidden one here
(``run_hidden``), with a ``StudentFunction`` proxy for each name it reads and does not define
(``free_names``). A hidden segment that puts reference helpers in the kernel (``ISOLATES``) is deferred,
with the rest of its cell, to the end of the notebook (grading/deferred_cells.py).
"""
import builtins
import functools
import re
import symtable
import time

from grading.cell_outputs import MAX_MESSAGE, GraderOutput, error_output, stdout_output
from grading.kernel_calls import KernelCallFailed, StudentFunction
from grading.text import quoted, type_name

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


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
    return list(_free_names(code))


@functools.lru_cache(maxsize=256)
def _free_names(code):
    # Cached: every student's notebook has the same hidden tests, and the kit's cell is long to analyse.
    table = symtable.symtable(code, "<hidden tests>", "exec")
    return tuple(s.get_name() for s in table.get_symbols()
                 if s.is_referenced() and not (s.is_assigned() or s.is_imported() or s.is_namespace()))


@functools.lru_cache(maxsize=256)
def compiled(code):
    """Hidden code's code object. Cached, as _free_names: every student's notebook runs the same hidden tests, and
    compiling the grading kit's cell took 5 ms of a part 1 submission."""
    return compile(code, "<hidden tests>", "exec")


VISIBLE_MESSAGE = 160  # characters of a kernel-made error a test cell keeps
QUIET_VISIBLE = ("its message is not shown: the grader's reference helpers were in the kernel (your notebook "
                 "shows it when you run the cell)")



class TestCells:
    """A test cell run and judged (a part of ``TrustedExecute``)."""

    references_sent = False  # True from the first reference helper sent into the kernel (GradingKernel)

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
                    # What the notebook's functions return here is recorded under the cell's grade_id, which a
                    # deferred rest keeps (KernelCalls.outcome, grading/returned_values.py).
                    self.returned_cell = cell.metadata.get("nbgrader", {}).get("grade_id")
                    try:
                        failure = self.run_hidden(code)
                    finally:
                        self.returned_cell = None
                else:
                    kernel_outputs = self.run_in_kernel(cell, index, code)
                    errors = [o for o in kernel_outputs if o.output_type == "error"]
                    # The first error decides: a kernel may send any number of them, and a page shows each.
                    outputs += [self.plain(o, quiet=self.references_sent) for o in kernel_outputs
                                if o.output_type == "stream" or (errors and o is errors[0])]
                    if errors:
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

    @staticmethod
    def plain(output, quiet=False):
        """A kernel output as the grader keeps it in a test cell: streams on stdout; an error the grader made
        (a time-out, a death) as it is, one the kernel wrote as a page may quote it. `quiet` once reference
        helpers are in the kernel: then no text of the kernel's."""
        if output.output_type == "stream":
            return stdout_output(output.text)
        if isinstance(output, GraderOutput):
            return output
        # The kernel wrote this error (a visible check, or the student's own code), after the hidden inputs of
        # earlier cells and perhaps the reference helpers went in: its type's name and a line of ASCII (grading/
        # text.py), and once quiet, a known name and the grader's words, so that a verdict carries little of
        # what the kernel recorded. The student's own notebook shows the visible check's whole message.
        ename = type_name(output.get("ename", "Error"), "Error", known_only=quiet)
        return error_output(ename, QUIET_VISIBLE if quiet else quoted(output.get("evalue", ""), VISIBLE_MESSAGE))

    def run_hidden(self, code):
        """Run hidden test code here; None if it passed, else (ename, message)."""
        proxies = {name: StudentFunction(name, self) for name in free_names(code)
                   if name not in self.hidden_namespace and not hasattr(builtins, name)}
        namespace = self.hidden_namespace
        namespace.update(proxies)
        started, in_kernel = time.perf_counter(), self.seconds["kernel"]
        try:
            exec(compiled(code), namespace)
        except KernelCallFailed as failure:
            self.note_disturbance()
            self.spoil_returned()
            return failure.ename, failure.message
        except Exception as error:  # the hidden tests' verdict: one sentence, never a traceback
            if not isinstance(error, AssertionError):  # not a check's verdict on the values
                self.spoil_returned()
            return self.hidden_failure(error)
        finally:
            for name in proxies:
                namespace.pop(name, None)
            self.seconds["hidden tests"] += time.perf_counter() - started - (self.seconds["kernel"] - in_kernel)
        return None

    def hidden_failure(self, error):
        """(ename, message) of a hidden test's exception. An AssertionError (a check's verdict) or a NameError (a
        function the notebook lacks) is the hidden tests' own sentence, the kit having quoted through `shown`
        what it took from the student; any other may quote what the student's code returned, or be its own
        exception (KernelCalls.outcome): a line of ASCII, and once reference helpers are in the kernel, none."""
        quiet = self.references_sent
        if isinstance(error, (AssertionError, NameError)):
            return type(error).__name__, quoted(error, MAX_MESSAGE) or "a hidden test failed"
        ename = type_name(type(error).__name__, known_only=quiet)
        return ename, "" if quiet else quoted(error) or "a hidden test failed"

    def restore_for_next_cell(self):
        self.definitions_to_send = []  # asked for, but no request came after them: never sent
        if self.defined_for_cell:
            self.defined_for_cell.clear()
            try:
                self.kernel_request("_cnn_grading_answer = _cnn_grading_restore()", "restoring the notebook")
            except KernelCallFailed:
                pass  # the kernel was replaced: nothing of the references is left in it
