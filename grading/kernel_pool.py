"""One sandboxed kernel started ahead, so that the next notebook never waits for a kernel to boot.

A kernel takes about half a second to start and import numpy and matplotlib. When a
grading process grades one notebook after another (course_tools.grade_class's
workers), TrustedExecute takes the kernel started during the previous notebook
and starts the next one at once, so the boot runs while the current notebook is
graded.

A kernel started ahead knows nobody: it runs in its own sandbox like any other, in
an empty folder of its own. When a notebook takes it, the notebook's files (never a
notebook file: nbgrader writes the one being graded with its hidden tests) are copied
into that folder, which the kernel sees read-only as its working directory. Every
notebook still gets a fresh kernel in a fresh sandbox: nothing passes from one
student to the next.
"""
import atexit
import shutil
import tempfile

from jupyter_core.utils import run_sync

from grading import submission_files


class KernelPool:
    """Holds at most one started kernel manager, for the next notebook."""

    def __init__(self, make_manager, extra_arguments, preload):
        self.make_manager = make_manager  # () -> a kernel manager with the grader's settings
        # The modules every notebook of this course imports, imported while the kernel boots
        # (IPython's exec_lines run before the kernel answers; they leave no execution count).
        self.extra_arguments = list(extra_arguments) + [f"--IPKernelApp.exec_lines=import {module}"
                                                        for module in preload]
        self.ready = None

    def take(self, notebook_folder):
        """A started kernel manager whose working folder holds notebook_folder's files; starts the next."""
        km, self.ready = self.ready, None
        if km is None:
            km = self.start()
        if notebook_folder:
            submission_files.copy_submission(notebook_folder, km.work_folder, skip=("*.ipynb",))
        self.ready = self.start()
        return km

    def start(self):
        folder = tempfile.mkdtemp(prefix="cnn-grading-work-")
        km = self.make_manager()
        km.work_folder = folder  # removed with the sandbox (SandboxedKernelManager._release_sandbox)
        run_sync(km.start_kernel)(cwd=folder, extra_arguments=self.extra_arguments)
        return km

    def close(self):
        km, self.ready = self.ready, None
        if km is not None:
            run_sync(km.shutdown_kernel)(now=True)
            shutil.rmtree(km.work_folder, ignore_errors=True)


_pools = {}


def pool_for(key, make_manager, extra_arguments, preload):
    """This process's pool for one grading configuration (key), made on first use."""
    if key not in _pools:
        for old in _pools.values():  # another configuration: its kernel is of no use any more
            old.close()
        _pools.clear()
        _pools[key] = KernelPool(make_manager, extra_arguments, preload)
    return _pools[key]


@atexit.register
def close_all():
    for pool in _pools.values():
        pool.close()
    _pools.clear()
