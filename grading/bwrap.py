"""Finding bubblewrap, the error that says the sandbox cannot be set up on this machine, and bwrap's
arguments: the empty, read-only world a booted or template kernel runs in, and the environment it gets."""
import os
import shutil
import sys
from pathlib import Path

from grading.limits import SHM_SIZE

IPC_PREFIX = "/tmp/.kernel/ipc"  # inside the sandbox
CONNECTION_FILE = "/kernel.json"  # inside the sandbox


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be set up on this machine; the message says what to do."""


def bwrap_path(configured=""):
    path = shutil.which(configured or "bwrap")
    if path is None:
        raise SandboxUnavailable(
            "bubblewrap is not installed, and grading refuses to run student code outside a sandbox. "
            "Install it with `sudo apt-get install bubblewrap` (Debian/Ubuntu), or, on a machine where "
            "every submission is trusted, set c.SandboxedKernelManager.sandbox = False in nbgrader_config.py.")
    return path


class BwrapArguments:
    """bwrap's arguments for a kernel (a part of ``SandboxedKernelManager``: its tmp_size, and the folder
    jupyter_client launches the kernel in)."""

    def isolation_arguments(self, nested_userns=False):
        """bwrap's options for an empty, read-only world: the Python install, a small /tmp and /dev/shm,
        no network, its own pids, no new user namespaces, the grader's environment left out.

        nested_userns: for the kernel template only, whose forked kernels each make a user namespace
        of their own (they share nothing through the template's) and then forbid any more."""
        userns = ["--unshare-user"] if nested_userns else ["--unshare-user", "--disable-userns"]
        args = ["--unshare-all", *userns, "--die-with-parent", "--new-session",
                "--clearenv", "--dev", "/dev", "--proc", "/proc",
                "--size", str(self.tmp_size), "--tmpfs", "/tmp",
                "--size", str(SHM_SIZE), "--tmpfs", "/dev/shm",
                "--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for path in ("/etc/ld.so.cache", "/etc/localtime", "/etc/fonts"):
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        for prefix in dict.fromkeys([sys.base_prefix, sys.prefix]):
            args += ["--ro-bind", prefix, prefix]
        return args

    @staticmethod
    def kernel_environment():
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
            "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/.ipython", "MPLBACKEND": "agg",
            # One thread per library keeps the address-space limit meaningful (OpenBLAS
            # reserves memory per thread) and a kernel on one core.
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
            # A forked kernel may not take file locks (they would be a channel to a concurrent kernel);
            # HDF5 takes one on every file it opens unless told not to.
            "HDF5_USE_FILE_LOCKING": "FALSE",
        }

    def environment_arguments(self):
        return [word for name, value in self.kernel_environment().items() for word in ("--setenv", name, value)]

    def bwrap_arguments(self, host_connection_file):
        cwd = self._launch_args.get("cwd") or os.getcwd()
        args = self.isolation_arguments() + ["--cap-drop", "ALL"]
        args += ["--ro-bind", host_connection_file, CONNECTION_FILE, "--ro-bind", cwd, cwd]
        # nbgrader writes the notebook it is about to run into this folder, with the
        # test cells restored from the gradebook: hidden tests included. Hide it.
        for notebook in sorted(Path(cwd).glob("*.ipynb")):
            args += ["--ro-bind", "/dev/null", str(notebook)]
        args += ["--chdir", cwd,
                 "--dir", os.path.dirname(IPC_PREFIX), "--remount-ro", "/dev", "--remount-ro", "/"]
        return args + self.environment_arguments()
