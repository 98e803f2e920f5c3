"""cgroup v1 groups, as root: one per kernel or template (limits on processes, memory and CPU), and the
cpu group the grader times its own measurements in, beside the kernels'."""
import atexit
import contextlib
import os
import queue
import signal
import threading
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


class Cgroup:
    """A cgroup v1 group per kernel in the pids, memory and cpu hierarchies (root only)."""

    CONTROLLERS = ("pids", "memory", "cpu")

    def __init__(self, name):
        self.paths = [CGROUP_ROOT / controller / "cnn-grading" / name for controller in self.CONTROLLERS]

    @staticmethod
    def available():
        return os.geteuid() == 0 and all(os.access(CGROUP_ROOT / c, os.W_OK) for c in Cgroup.CONTROLLERS)

    def create(self, max_processes, memory_bytes, cpu_cores):
        self.remove_stale()
        for path in self.paths:
            path.mkdir(parents=True, exist_ok=True)
        pids, memory, cpu = self.paths
        (pids / "pids.max").write_text(str(max_processes))
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        (cpu / "cpu.cfs_period_us").write_text("100000")
        (cpu / "cpu.cfs_quota_us").write_text(str(int(100000 * cpu_cores)))

    def remove_stale(self, older_than=3600):
        """Remove empty groups (a kernel's, a template's) left by graders that were killed (an hour old: none is
        still starting)."""
        for path in self.paths:
            for group in [*path.parent.glob("kernel-*"), *path.parent.glob("template-*")]:
                try:
                    if time.time() - group.stat().st_mtime > older_than and not (group / "cgroup.procs").read_text().strip():
                        group.rmdir()
                except OSError:
                    pass

    def join_command(self):
        """Shell words that move the launching shell into the groups, then exec the rest."""
        moves = " && ".join(f"echo $$ > {path}/cgroup.procs" for path in self.paths)
        return ["/bin/sh", "-c", f'{moves} && exec "$@"', "sandbox"]

    def counters(self):
        """(forks or thread starts refused for the pids limit, processes the OOM killer ended for the memory
        limit) so far.

        Not memory.failcnt: it counts the times a charge met the limit and the system reclaimed page cache or
        dentries to make room, which is no failure, and what an earlier kernel left charged to a template's
        group makes the next kernel's first allocations meet it (the cache-charge attack, docs/attacks.md,
        class 1). Past the limit, with nothing left to reclaim, a process is killed: that is the count here."""
        found = []
        for path, read in [(self.paths[0] / "pids.events", lambda text: int(text.split()[1])),
                           (self.paths[1] / "memory.oom_control", oom_kills)]:
            try:
                found.append(read(path.read_text()))
            except (OSError, ValueError, IndexError):
                found.append(0)
        return tuple(found)

    def drop_charges(self):
        """Reclaim what the group's memory holds that can be reclaimed: the page cache and dentries charged to
        it by processes that are gone (memory.force_empty, cgroup v1)."""
        with contextlib.suppress(OSError):
            (self.paths[1] / "memory.force_empty").write_text("0")

    def destroy(self):
        """Kill every process left in the group, then remove it."""
        for _ in range(50):
            pids = set()
            for path in self.paths:
                try:
                    pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
                except OSError:
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if not pids:
                break
            time.sleep(0.02)
        for path in self.paths:
            try:
                path.rmdir()
            except OSError:
                pass


def oom_kills(text):
    """The oom_kill count of a memory.oom_control."""
    return int(next(line.split()[1] for line in text.splitlines() if line.startswith("oom_kill ")))


def timing_group(cpu_cores):
    """This process's cpu cgroup for timing beside kernels of cpu_cores cores, made by its TimingThread (removed
    at exit): one per quota, as each TimingThread stays in its group. Named like a kernel's, so that
    Cgroup.remove_stale removes it after a grader killed before its exit."""
    group = CGROUP_ROOT / "cpu" / "cnn-grading" / f"kernel-timing-{os.getpid()}-{cpu_cores:g}"
    if not group.exists():
        group.mkdir(parents=True)
        atexit.register(remove_group, group)
    (group / "cpu.cfs_period_us").write_text("100000")
    (group / "cpu.cfs_quota_us").write_text(str(int(100000 * cpu_cores)))
    return group


class TimingThread:
    """A thread of this process that stays in its timing group (timing_group) and times there what it is given.
    Moving the grader's own thread in and back took a write of about 5 ms to cgroup v1's tasks file each way,
    twice a kernel (the write waits for an RCU grace period), the grader's core idle meanwhile: 21 ms of a part
    2 submission (cProfile on one worker). This thread starts nothing, so nothing else ever joins the group."""

    def __init__(self, cpu_cores):
        self.requests = queue.SimpleQueue()
        joined = queue.SimpleQueue()
        thread = threading.Thread(target=self.serve, args=(cpu_cores, joined), name="grading-timer", daemon=True)
        thread.start()
        error = joined.get()
        if error is not None:
            raise error

    def serve(self, cpu_cores, joined):
        try:
            group = timing_group(cpu_cores)
            (group / "tasks").write_text(str(threading.get_native_id()))
        except OSError as error:
            joined.put(error)
            return
        # Back in the root group at exit, before remove_group (registered earlier, run later) removes the group.
        atexit.register(leave_group, threading.get_native_id())
        joined.put(None)
        while True:
            function, args, kwargs, answer = self.requests.get()
            try:
                started = time.perf_counter()
                function(*args, **kwargs)
                answer.put((time.perf_counter() - started, None))
            except BaseException as error:  # the caller's to raise
                answer.put((None, error))

    def seconds(self, function, args, kwargs):
        """The seconds function(*args, **kwargs) took in the timing group; what it raised, raised here."""
        answer = queue.SimpleQueue()
        self.requests.put((function, args, kwargs, answer))
        seconds, error = answer.get()
        if error is not None:
            raise error
        return seconds


_timing_threads = {}  # cores of the timing group: its TimingThread
_timing_threads_lock = threading.Lock()


def timing_thread(cpu_cores):
    """This process's TimingThread for a timing group of cpu_cores, started on first use."""
    with _timing_threads_lock:
        if cpu_cores not in _timing_threads:
            _timing_threads[cpu_cores] = TimingThread(cpu_cores)
        return _timing_threads[cpu_cores]


def leave_group(thread):
    with contextlib.suppress(OSError):
        (CGROUP_ROOT / "cpu" / "tasks").write_text(str(thread))


def remove_group(group):
    with contextlib.suppress(OSError):
        group.rmdir()


def own_cpu_group():
    """The folder of the calling thread's cgroup in the cpu hierarchy (cgroup v1)."""
    for line in Path("/proc/thread-self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):
            return CGROUP_ROOT / "cpu" / path.lstrip("/")
    return CGROUP_ROOT / "cpu"
