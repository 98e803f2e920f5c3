"""Start the grading kernel inside a bubblewrap sandbox, with limits on what it may use.

``SandboxedKernelManager`` is a jupyter_client kernel manager: nbgrader's Execute
preprocessor (and nbclient under it) starts kernels through it when
``nbgrader_config.py`` names it. The kernel it starts

* sees only the Python install, the student's own folder (read-only), a private
  /tmp of limited size and an empty read-only root: no gradebook, no source/, no
  other student, no home folder, no /etc beyond what the loader needs;
* has no network (its own empty network namespace) and its own pid namespace, so it
  can neither see nor signal the grader or any other process;
* is limited in memory (RLIMIT_AS), file size (RLIMIT_FSIZE), processes and threads
  (a cgroup when the grader runs as root, which RLIMIT_NPROC does not limit;
  RLIMIT_NPROC otherwise) and CPU (one core, by cgroup, when root: grading/cgroups.py);
* talks to the grader over unix sockets, so no folder of the host is writable from inside.
  A kernel forked from a template (the class pipeline's) listens on sockets made before its
  code runs, in a folder it cannot write, which the grader holds by a directory fd: no
  reconnect can be sent elsewhere. A booted kernel's sockets are in its own /tmp, reached
  through /proc/<pid>/root: a kernel can replace them by links (docs/attacks.md, class 2).

Everything of a kernel dies with it: ``--die-with-parent`` and the pid namespace end
every process it started, and when a cgroup is used the grader kills whatever is
left in it before removing it.

While the grader measures something of its own that a busy kernel could slow down (the
loop version a speed check compares with), it stops every process of the kernel
(``SandboxedKernelManager.paused``, by grading/kernel_pause.py).
"""
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import zmq
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, Unicode, default

from grading.bwrap import CONNECTION_FILE, IPC_PREFIX, BwrapArguments, SandboxUnavailable, bwrap_path
from grading.cgroups import Cgroup, timing_thread
from grading.kernel_messages import BoundedKernelClient, bound_session
from grading.kernel_pause import NamespacePause, PauseFailed, ProcessGroupPause, exited, parent_pid, pid_namespace
from grading.kernel_template import TEMPLATE_SOURCE
from grading.limits import MAX_MESSAGE_BYTES, RECEIVE_QUEUE, SHM_SIZE, GiB, MiB


def sandbox_in_use(config):
    """Whether kernels will be sandboxed under this nbgrader config; raises if they should be and cannot."""
    manager = SandboxedKernelManager(config=config)
    if manager.sandbox:
        bwrap_path(manager.bwrap)
        if os.geteuid() == 0 and not Cgroup.available():
            raise SandboxUnavailable(ROOT_NEEDS_CGROUPS)
    return manager.sandbox


ROOT_NEEDS_CGROUPS = ("grading as root needs the cgroup v1 pids, memory and cpu controllers under /sys/fs/cgroup "
                      "(root is not limited by RLIMIT_NPROC); grade as an ordinary user instead.")


def bound_sockets(context):
    """Set, on a zmq context, the bounds of every socket made from it afterwards."""
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
    # A client that connects before the kernel has bound its sockets tries again after this many
    # ms (zmq's default, 100 ms, is a fifth of a forked kernel's whole start).
    context.setsockopt(zmq.RECONNECT_IVL, 10)
    return context


_client_context = None


def client_context():
    """The zmq context of this process's kernel clients, made once, with the bounds set."""
    global _client_context
    if _client_context is None:
        import zmq.asyncio

        _client_context = bound_sockets(zmq.asyncio.Context())
    return _client_context


# ipykernel sleeps 0.5 ms after running each request, before it replies ("on rare occasions, the flush doesn't
# seem to make it to the clients": a mitigation). The grader reads a request's output up to the kernel's idle
# status, which ipykernel publishes after that output, on the same socket: the sleep only left the worker's
# CPU idle, about 45 times for each part 1 notebook.
KERNEL_OPTIONS = ["--IPythonKernel._execute_sleep=0"]


class SandboxedKernelManager(BwrapArguments, AsyncKernelManager):
    """A kernel manager whose kernels run in bubblewrap, with resource limits."""

    sandbox = Bool(True, help=(
        "Run the kernel in the bubblewrap sandbox. Set to False only on a machine where every "
        "submission is trusted: the grading products then say the grading was not sandboxed.")).tag(config=True)
    memory_limit = Integer(2 * GiB, help="Bytes of address space the kernel may use (RLIMIT_AS), "
                                         "and of memory its processes may use together (cgroup, as root).").tag(config=True)
    process_limit = Integer(64, help="Processes and threads the kernel may have at once.").tag(config=True)
    file_size_limit = Integer(64 * MiB, help="Largest file the kernel may write (RLIMIT_FSIZE).").tag(config=True)
    tmp_size = Integer(128 * MiB, help="Size of the kernel's private /tmp, the only place it may write.").tag(config=True)
    cpu_cores = Integer(1, help="CPU cores the kernel may keep busy (cgroup cpu quota, as root).").tag(config=True)
    cpu_seconds = Integer(900, help="CPU seconds the kernel may use in all (RLIMIT_CPU), a backstop to the "
                                    "cell timeouts.").tag(config=True)
    bwrap = Unicode("", help="Path of the bwrap executable; found on PATH when empty.").tag(config=True)
    from_template = Bool(True, help=(
        "Fork each kernel from a warm template sandbox (grading/kernel_template.py) instead of booting it. "
        "On by default, for plain `nbgrader autograde` and Formgrader too: a forked kernel has its own user "
        "namespace, an empty session keyring, the seccomp filter and read-only sockets, which a booted one "
        "lacks, and starts in a fork instead of a Python start (about 0.7 s of CPU a notebook). The template "
        "lives as long as the grading process (a Formgrader server: as long as the server).")).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # What the kernel can make the grader hold in memory is bounded: every socket to it
        # refuses a message larger than MAX_MESSAGE_BYTES and queues at most RECEIVE_QUEUE
        # (set on the context, these apply to every socket made from it).
        bound_sockets(self.context)
        # ... and no frame it sends is parsed before it is counted (a client gets a clone of this session).
        bound_session(self.session)
        self.transport = "ipc"
        self.cgroup = None
        self.sandbox_pid = None
        self.work_folder = None  # with from_template: the folder of files made for this kernel
        self.template = self.forked = None  # with from_template: the template, and the kernel forked from it
        self.counters_at_start = (0, 0)

    @default("client_factory")
    def _client_factory_default(self):
        return BoundedKernelClient

    def client(self, **kwargs):
        """A client whose sockets carry the same bounds: jupyter_client would give it a context of its own,
        without them, and the client's sockets are the ones that read what the kernel sends."""
        kwargs.setdefault("context", client_context())
        return super().client(**kwargs)

    # ------------------------------------------------------------------ launch
    async def _async_pre_start_kernel(self, **kw):
        # The connection file the kernel reads must name the sockets as they are seen
        # from inside; _async_launch_kernel points this manager at them from outside.
        self.ip = IPC_PREFIX if self.sandbox else self._host_ipc_prefix()
        return await super()._async_pre_start_kernel(**kw)

    def _host_ipc_prefix(self):
        # In the temp folder of the moment: a worker points it into its course, removed even after a SIGKILL.
        return str(Path(tempfile.mkdtemp(prefix="cnn-kernel-")) / "ipc")

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments) + KERNEL_OPTIONS
        if not self.sandbox or self.from_template:  # a template's kernel gets only ipykernel's arguments
            return cmd
        host_connection_file = os.path.realpath(self.connection_file)
        inner = [CONNECTION_FILE if arg == host_connection_file else arg for arg in cmd]
        limits = [f"--as={self.memory_limit}", f"--fsize={self.file_size_limit}", f"--cpu={self.cpu_seconds}",
                  "--core=0"]
        if os.geteuid() != 0:
            limits.append(f"--nproc={self.process_limit}")
        wrapped = [bwrap_path(self.bwrap), *self.bwrap_arguments(host_connection_file),
                   "--", shutil.which("prlimit") or "/usr/bin/prlimit", *limits, "--",
                   # The forked kernels' empty session keyring and seccomp filter, then the kernel itself.
                   inner[0], "-c", TEMPLATE_SOURCE, "--boot", *inner]
        if os.geteuid() == 0:
            if not Cgroup.available():
                raise SandboxUnavailable(ROOT_NEEDS_CGROUPS)
            self.cgroup = Cgroup(f"kernel-{uuid.uuid4().hex[:12]}")
            self.cgroup.create(self.process_limit, self.memory_limit + 256 * MiB, self.cpu_cores)
            wrapped = self.cgroup.join_command() + wrapped
        return wrapped

    def kernel_limits(self):
        """The limits a kernel forked from a template sets on itself (grading/template_inside.py)."""
        return {"memory": self.memory_limit, "file_size": self.file_size_limit, "cpu_seconds": self.cpu_seconds,
                "processes": self.process_limit if os.geteuid() != 0 else 0, "tmp": self.tmp_size, "shm": SHM_SIZE}

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.sandbox and self.from_template:
            return self._fork_from_template(kernel_cmd, kw.get("cwd"))
        if self.sandbox:
            # Nothing of the grader's is handed in: not its stdin, stdout and stderr (a
            # terminal, or the grading log), not its environment (bwrap's own process
            # inside the sandbox would show it in /proc/1/environ). Inside, the
            # environment is only what bwrap_arguments sets: no JPY_PARENT_PID, which
            # would make ipykernel exit at once in a pid namespace.
            kw.update(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={})
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.sandbox:
            try:
                self.sandbox_pid = self._find_sandbox_pid(self.provisioner.process.pid)
            except SandboxUnavailable:
                self.provisioner.process.kill()
                self._release_sandbox()
                raise
            self.ip = f"/proc/{self.sandbox_pid}/root{IPC_PREFIX}"

    def _fork_from_template(self, kernel_cmd, cwd):
        from grading import kernel_template

        self.template = kernel_template.template_for(self)
        self.cgroup = None  # the template's cgroup holds this kernel: see limits_hit
        if self.template.cgroup is not None:
            self.counters_at_start = self.template.cgroup.counters()
        connection = json.loads(Path(self.connection_file).read_text())
        host_connection_file = os.path.realpath(self.connection_file)
        arguments = kernel_cmd[kernel_cmd.index(host_connection_file) + 1:] if host_connection_file in kernel_cmd else []
        self.forked, self.work_folder = self.template.spawn(connection, cwd, arguments)
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = self.forked, self.forked.pid, None
        self._reconcile_connection_info(self.provisioner.connection_info)
        self.sandbox_pid = self.forked.pid
        self.ip = self.forked.sockets_prefix()

    @staticmethod
    def _find_sandbox_pid(bwrap_pid, seconds=10.0):
        """The pid of bwrap's child, the first process inside the sandbox's namespaces."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                children = Path(f"/proc/{bwrap_pid}/task/{bwrap_pid}/children").read_text().split()
            except OSError:
                children = []
            if children:
                return int(children[0])
            time.sleep(0.005)
        raise SandboxUnavailable("the sandbox did not start (bwrap made no child process within 10 s)")

    # ------------------------------------------------------------------- pause
    @contextlib.contextmanager
    def paused(self):
        """Every process of the kernel stopped (SIGSTOP) while the block runs, and continued (SIGCONT)
        after; PauseFailed if they cannot all be stopped (none is left stopped then).

        A sandboxed kernel is its own pid namespace, from which its processes cannot leave (making a
        namespace is refused them): all of them are stopped, threads, forks and daemons alike. Without
        the sandbox the kernel's process group is stopped, and a process that left the group (setsid)
        keeps running: such grading is for trusted submissions only."""
        if self.sandbox:
            pause = NamespacePause(self._kernel_pid_namespace())
        else:
            pause = ProcessGroupPause(self._kernel_group())
        try:
            pause.stop_all()
            yield
        finally:
            pause.continue_all()

    def seconds_beside_kernels(self, function, args, kwargs):
        """Seconds function(*args, **kwargs) takes here, on the terms the kernel's calls got the CPU: as root, in a
        cpu cgroup beside the kernels' with the same share and quota (grading.cgroups.TimingThread), so that a
        machine busy with other work slows both alike. (Measured: in the root group, beside two busy loops, part
        1's loops looked up to 1.8 times slower than in the kernel.) Not the kernel's own group: the kernel could
        spend that group's quota for the period just before it is paused, and the timing would wait."""
        if (self.template.cgroup if self.template is not None else self.cgroup) is not None:
            return timing_thread(self.cpu_cores).seconds(function, args, kwargs)
        started = time.perf_counter()
        function(*args, **kwargs)
        return time.perf_counter() - started

    def _kernel_pid_namespace(self):
        """(st_dev, st_ino) of the kernel's pid namespace, read from its first process while it is known to
        be that process: the pid may have been reused by a process of someone else's once it ended."""
        if self.sandbox_pid is None:
            raise PauseFailed("the kernel is not running")
        try:
            pidfd = os.pidfd_open(self.sandbox_pid)
        except ProcessLookupError:
            raise PauseFailed("the kernel is not running") from None
        try:
            namespace = pid_namespace(self.sandbox_pid)
            # The pidfd's process lived after the read: the read was of it. A booted kernel's first process is
            # bwrap's child; a forked kernel's is the kernel itself, held by its own pidfd since it started.
            ours = (self.forked.poll() is None and self.forked.pid == self.sandbox_pid if self.forked is not None
                    else parent_pid(self.sandbox_pid) == self.provisioner.process.pid)
            if not ours or exited(pidfd):
                raise PauseFailed("the kernel is not running")
            return namespace
        except OSError as error:
            raise PauseFailed(f"the kernel's processes cannot be found ({error})") from None
        finally:
            os.close(pidfd)

    def _kernel_group(self):
        pgid = getattr(self.provisioner, "pgid", None)
        if not pgid or pgid == os.getpgrp() or self.provisioner.process.poll() is not None:
            raise PauseFailed("the kernel is not running in a process group of its own")
        return pgid

    # --------------------------------------------------------------- interrupt
    async def _async_interrupt_kernel(self):
        """Interrupt by message: a signal to bwrap would not reach the kernel."""
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel

    # ------------------------------------------------------------------- stop
    async def _async_kill_kernel(self, restart=False):
        try:
            if self.forked is not None and self.has_kernel:
                # Its pidfd says at once when it is gone (jupyter_client would poll every 0.1 s).
                self.forked.kill()
                self.forked.wait(5)
                self.provisioner.process = None
            else:
                await super()._async_kill_kernel(restart=restart)
        finally:
            self._release_sandbox()

    async def _async_cleanup_resources(self, restart=False):
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            self._release_sandbox()

    def cleanup_ipc_files(self):
        """Nothing to remove: the sockets live in the sandbox's own /tmp, gone with it. (Removing
        them through /proc/<pid>/root would follow links the kernel may have put there.)"""
        if not self.sandbox:
            super().cleanup_ipc_files()

    def _release_sandbox(self):
        if self.forked is not None:
            self.forked.kill()
            # Its socket reconnects through the fd, whose number is free once closed.
            self._close_control_socket()
            self.forked.close_sockets()
            self.template.release(self.forked)
        if self.cgroup is not None:
            self.cgroup.destroy()
        if not self.sandbox and self.ip.startswith("/tmp/cnn-kernel-"):
            shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)
        if self.work_folder:
            shutil.rmtree(self.work_folder, ignore_errors=True)

    def limits_hit(self):
        """The limits the kernel has run into since it started, seen from outside: its cgroup's counters of
        refused forks and OOM kills (as root), and its full /tmp or /dev/shm while it runs. (A process that
        runs into RLIMIT_AS gets a MemoryError, which the grader reads in the outputs.)"""
        hit = []
        cgroup = self.template.cgroup if self.template is not None else self.cgroup
        if cgroup is not None:
            refused, memory = (now - then for now, then in zip(cgroup.counters(), self.counters_at_start))
            hit += ["memory limit"] * (memory > 0) + ["process limit"] * (refused > 0)
        if self.sandbox_pid is not None:
            for folder in ("tmp", "dev/shm"):
                try:
                    space = os.statvfs(f"/proc/{self.sandbox_pid}/root/{folder}")
                except OSError:
                    continue
                if space.f_bavail * space.f_frsize < MiB:
                    hit.append("disk limit")
        return sorted(set(hit))
