"""Finding bubblewrap, and the error that says the sandbox cannot be set up on this machine."""
import shutil


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
