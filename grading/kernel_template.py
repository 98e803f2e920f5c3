"""Kernels forked from a warm template: a fresh sandbox per notebook without paying a kernel's boot each time.

A kernel's boot (Python, ipykernel, numpy, matplotlib) costs about 0.7 s of CPU, a
third of what grading a notebook costs. A grading process that grades notebook after
notebook (the class pipeline's workers) starts one ``KernelTemplate``: a bubblewrap
sandbox, isolated like a kernel's, holding a Python that has imported all that
(grading/template_inside.py). Each kernel is forked from it and, before any student
code runs, puts itself in namespaces of its own (a user namespace owning its mounts,
pids, ipc and network, so that no keyring or ipc object is the template's), mounts
its own /proc, /tmp and /dev/shm and its notebook's folder, drops every capability
and sets its limits. As root, the template's cgroup bounds the processes and memory
of the kernel it holds (one at a time); what a kernel left charged there is dropped
when it ends (``KernelTemplate.release``).

``ForkedKernel`` stands for such a kernel in jupyter_client's provisioner, where a
Popen would be: a kernel is not the grader's child, so it is watched and signalled
through a pidfd.
"""
import atexit
import importlib.resources
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from grading import owned_folders, submission_files
from grading.bwrap import bwrap_path
from grading.cgroups import Cgroup
from grading.limits import MiB

EXCHANGE_PREFIX = "cnn-grading-exchange-"  # the template's folder of the notebooks' folders, in the temp folder
SOCKETS = "/run/kernel"  # where a forked kernel's sockets listen, on a mount it cannot write (template_inside.py)

TEMPLATE_SOURCE = importlib.resources.files("grading").joinpath("template_inside.py").read_text()
# Read through the package, so that it works when the package comes as a zip (Dask workers).
KERNEL_SIDE_SOURCE = importlib.resources.files("grading").joinpath("kernel_side.py").read_text()
# The template compiles the kernel side once and keeps it as this attribute of sys, for every kernel it forks
# to run (grading/kernel_lifecycle.py): IPython took 18 ms of each kernel's CPU to read it as a cell.
COMPILED_KERNEL_SIDE = "cnn_grading_calls"
# What a kernel imports while it starts and runs this course's notebook (measured: the kernel's
# sys.modules against the template's), so that a forked kernel imports next to nothing.
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "debugpy",
           "IPython.core.debugger", "IPython.extensions", "pdb", "sqlite3", "pygments.formatters",
           "pygments.styles", "tornado.queues", "http.server", "xmlrpc.server", "email.parser", "mimetypes",
           "faulthandler", "code", "pydoc", "numpy", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
           "matplotlib_inline.backend_inline", "h5py"]


class ForkedKernel:
    """A kernel forked from the template, as jupyter_client's provisioner sees a process."""

    stdin = stdout = stderr = None

    def __init__(self, pid):
        self.pid = pid
        self.pidfd = os.pidfd_open(pid)
        self.returncode = None
        self.sockets = None  # a directory fd on the kernel's read-only socket folder

    def open_sockets(self):
        """Hold the kernel's socket folder by a directory fd, for the grader to connect through.

        /proc/<pid> names a pid, and pids are reused: the folder is opened once, now, and the pidfd
        then says the kernel was alive after the open, so the fd is this kernel's. Nothing after the
        fd can change: the folder is read-only and the kernel cannot mount, so a reconnect through
        /proc/self/fd/<fd>/ipc-N reaches this kernel's socket or nothing."""
        fd = os.open(f"/proc/{self.pid}/root{SOCKETS}", os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
        if self.poll() is not None or not os.fstatvfs(fd).f_flag & os.ST_RDONLY:
            os.close(fd)
            raise RuntimeError("the forked kernel's socket folder is not the read-only one it made")
        self.sockets = fd

    def sockets_prefix(self):
        return f"/proc/self/fd/{self.sockets}/ipc"

    def close_sockets(self):
        if self.sockets is not None:
            os.close(self.sockets)
            self.sockets = None

    def poll(self):
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = 0
        return self.returncode

    def wait(self, timeout=None):
        select.select([self.pidfd], [], [], timeout)
        return self.poll()

    def send_signal(self, signum):
        if self.poll() is None:
            signal.pidfd_send_signal(self.pidfd, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)  # pid 1 of its namespace: every process it started dies with it

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def close(self):
        self.kill()
        self.close_sockets()
        os.close(self.pidfd)


class KernelTemplate:
    """A warm Python in a sandbox, forking one sandboxed kernel per request."""

    def __init__(self, settings):
        # Owned (grading/owned_folders.py): a grading process killed outright leaves it, and the next
        # template made on this machine removes it.
        owned_folders.remove_abandoned(EXCHANGE_PREFIX)
        self.exchange = owned_folders.make(EXCHANGE_PREFIX)
        self.settings = settings
        self.asking = threading.Lock()
        self.running = set()  # the ForkedKernels not released yet (see release)
        command = [bwrap_path(settings.bwrap), *settings.isolation_arguments(nested_userns=True),
                   # Kept in the sandbox's own user namespace, so that each kernel can make its
                   # namespaces (a user namespace first) and mounts; every kernel drops them all
                   # before running any code.
                   "--cap-add", "ALL",
                   "--ro-bind", str(self.exchange), "/submissions", "--dir", "/home/student", "--dir", SOCKETS,
                   "--remount-ro", "/dev", "--remount-ro", "/", *settings.environment_arguments(),
                   "--", sys.executable, "-c", TEMPLATE_SOURCE, json.dumps(PRELOAD),
                   COMPILED_KERNEL_SIDE, KERNEL_SIDE_SOURCE]
        self.cgroup = None
        if os.geteuid() == 0:
            self.cgroup = Cgroup(f"template-{uuid.uuid4().hex[:12]}")
            # The template's own processes and memory besides the kernel's.
            self.cgroup.create(settings.process_limit + 8, settings.memory_limit + 512 * MiB, settings.cpu_cores)
            command = self.cgroup.join_command() + command
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env={})
        line = self.read_line(120)
        if line != "ready":
            self.close()
            raise RuntimeError(f"the kernel template did not start ({line or 'no answer'})")

    def read_line(self, seconds):
        if not select.select([self.process.stdout], [], [], seconds)[0]:
            return ""
        return self.process.stdout.readline().decode().strip()

    def spawn(self, connection, folder, arguments):
        """A ForkedKernel for one notebook: its connection info, the folder whose files it sees, and
        ipykernel's arguments. Also returns the folder made for it, removed with the kernel."""
        exchange = self.exchange / uuid.uuid4().hex
        exchange.mkdir()
        if folder:
            submission_files.copy_submission(folder, exchange, skip=("*.ipynb",))
        keep = sorted(p for p in {sys.prefix, sys.base_prefix} if Path(p).is_relative_to("/tmp"))
        request = {"connection": connection, "folder": exchange.name, "arguments": arguments, "keep_under_tmp": keep,
                   "limits": self.settings.kernel_limits(), "environment": self.settings.kernel_environment()}
        with self.asking:  # one question and its answer at a time, whichever thread asks
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
            answer = self.read_line(30)
        if not answer.startswith("kernel "):
            shutil.rmtree(exchange, ignore_errors=True)
            raise RuntimeError(f"the kernel template could not fork a kernel ({answer or 'no answer'})")
        kernel = self.kernel(int(answer.split()[1]))
        self.running.add(kernel)
        return kernel, exchange

    def release(self, kernel):
        """A kernel of this template was killed. Once it has ended, if no other kernel of the template runs, the
        memory it left charged to the template's cgroup (page cache, dentries: they outlive the processes that
        made them) is dropped, so that the next kernel starts in the cgroup as the template left it and not at
        a limit an earlier student filled."""
        if kernel not in self.running:
            return
        self.running.discard(kernel)
        if self.cgroup is not None and kernel.wait(5) is not None and all(k.poll() is not None for k in self.running):
            self.cgroup.drop_charges()

    def kernel(self, template_pid):
        kernel = ForkedKernel(self.host_pid(template_pid))
        try:
            if not self.descends_from_template(kernel.pid):  # the pid was reused before the pidfd was opened
                raise RuntimeError("the forked kernel ended before the grader could hold it")
            kernel.open_sockets()
        except BaseException:
            kernel.close()
            raise
        return kernel

    def host_pid(self, template_pid, seconds=10.0):
        """The host's pid of the kernel that the template knows as template_pid (pid 1 of its own namespace)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    status = Path(f"/proc/{entry}/status").read_text()
                except OSError:
                    continue
                fields = next((line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:")), [])
                if fields[1:] == [str(template_pid), "1"] and self.descends_from_template(int(entry)):
                    return int(entry)
            time.sleep(0.005)
        raise RuntimeError("the forked kernel was not found")

    def children(self):
        """Pidfds of the template's bwrap's children (waited for, never signalled: a pid may be reused)."""
        pid, pidfds = self.process.pid, []
        try:
            found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return pidfds
        for child in found:
            try:
                pidfds.append(os.pidfd_open(int(child)))
            except OSError:  # ended already
                pass
        return pidfds

    def descends_from_template(self, pid):
        for _ in range(4):
            try:
                pid = int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                               if line.startswith("PPid:")))
            except (OSError, StopIteration, ValueError):
                return False
            if pid == self.process.pid:
                return True
        return False

    def close(self):
        # Killing bwrap ends the sandbox's pid 1 (its child, told by the kernel once bwrap has died), and with it
        # every process in the sandbox: wait for that child too, so that no kernel of the template runs once
        # close returns (a grading stopped with Ctrl-C ends at once).
        inside = self.children()
        self.process.kill()
        self.process.wait()
        for pidfd in inside:
            select.select([pidfd], [], [], 10)
            os.close(pidfd)
        if self.cgroup is not None:
            self.cgroup.destroy()
        owned_folders.remove(self.exchange)


_templates = {}


def template_for(settings):
    """This process's template for these sandbox settings, started on first use."""
    key = json.dumps([settings.kernel_limits(), settings.bwrap, settings.cpu_cores])
    template = _templates.get(key)
    if template is None or template.process.poll() is not None:
        template = _templates[key] = KernelTemplate(settings)
    return template


@atexit.register
def close_all():
    for template in _templates.values():
        template.close()
    _templates.clear()
