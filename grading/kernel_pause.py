"""Stopping every process of a kernel while the grader times something of its own, and continuing them.

A sandboxed kernel is a pid namespace of its own, stopped process by process through pidfds
(``NamespacePause``); a kernel without the sandbox, its process group (``ProcessGroupPause``).
``SandboxedKernelManager.paused`` chooses between them.
"""
import contextlib
import os
import signal
import time
from pathlib import Path

PAUSE_SECONDS = 2.0  # the longest a kernel's processes may take to stop


class PauseFailed(RuntimeError):
    """A kernel's processes could not all be stopped; the message says why."""


def pid_namespace(pid):
    """(st_dev, st_ino) of the pid namespace process `pid` is in. The grader may read it for every process
    of a kernel: their user namespace descends from the grader's user, who holds every capability there
    (a kernel that makes itself undumpable does not hide it)."""
    link = os.stat(f"/proc/{pid}/ns/pid")
    return link.st_dev, link.st_ino


def parent_pid(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def exited(pidfd):
    """Whether the process a pidfd holds has ended (a zombie counts: it runs no more)."""
    import select

    return bool(select.select([pidfd], [], [], 0)[0])


def state(pid, task=None):
    """A process's (or one of its threads') state letter: R running, S sleeping, T stopped, Z zombie, ..."""
    stat = Path(f"/proc/{pid}/task/{task}/stat" if task else f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2]


def running(pid):
    """Whether a thread of process `pid` is running or waiting for a CPU (state R): a stopped process's
    threads all leave R within a scheduler tick of the SIGSTOP."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        with contextlib.suppress(OSError):
            if state(pid, tid) == "R":
                return True
    return False


def wait_until_stopped(pids, deadline, what):
    while any(running(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise PauseFailed(f"{what} did not stop within {PAUSE_SECONDS:g} s")
        time.sleep(0.001)


class NamespacePause:
    """Stops every process of a pid namespace, each through a pidfd: a pid reused by a process of the
    host while the grader looks is never signalled."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.held = {}  # pid: pidfd of each process stopped

    def members(self):
        """Pids of the namespace's live processes, as /proc lists them now (the host's view: every
        namespace's). Not zombies: they run no more, and a pidfd says they have ended."""
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if pid_namespace(entry) == self.namespace and state(entry) != "Z":
                        found.append(int(entry))
                except OSError:  # ended, or someone else's process
                    continue
        return found

    def stop_all(self):
        """Stop the namespace's processes, looking again until a look finds none not stopped: a process may
        fork while the others are being stopped. A stopped process forks no more."""
        deadline = time.monotonic() + PAUSE_SECONDS
        while True:
            found = self.members()
            # A pid held whose process has ended, listed alive again, is a newcomer's.
            new = [pid for pid in found if pid not in self.held or exited(self.held[pid])]
            for pid in new:
                self.stop(pid)
            if not new:
                wait_until_stopped(found, deadline, "the kernel's processes")
                return
            if time.monotonic() > deadline:
                raise PauseFailed(f"the kernel's processes kept forking for {PAUSE_SECONDS:g} s")

    def stop(self, pid):
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            return
        try:
            # Read after the pidfd was opened, and its process still there after the read: the pidfd holds
            # the process that was read, not a newcomer with its pid.
            ours = pid_namespace(pid) == self.namespace and not exited(pidfd)
        except OSError:
            ours = False
        if not ours:
            os.close(pidfd)
            return
        old = self.held.pop(pid, None)
        if old is not None:
            os.close(old)
        self.held[pid] = pidfd
        signal.pidfd_send_signal(pidfd, signal.SIGSTOP)

    def continue_all(self):
        for pidfd in self.held.values():
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGCONT)
            except ProcessLookupError:
                pass
            os.close(pidfd)
        self.held.clear()


class ProcessGroupPause:
    """Stops a process group: without the sandbox, the kernel's (its own session)."""

    def __init__(self, pgid):
        self.pgid = pgid
        self.stopped = False

    def stop_all(self):
        os.killpg(self.pgid, signal.SIGSTOP)
        self.stopped = True
        wait_until_stopped([self.pgid], time.monotonic() + PAUSE_SECONDS, "the kernel")

    def continue_all(self):
        if self.stopped:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGCONT)
