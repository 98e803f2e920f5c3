"""Kernels forked from the warm template (the class pipeline's workers use them): each is as closed as a
kernel booted in its own bubblewrap sandbox, and nothing of one reaches the next."""
import asyncio
import contextlib
import os
from pathlib import Path

import pytest

from grading.cgroups import Cgroup, own_cpu_group
from grading.limits import MiB
from grading.sandbox import SandboxedKernelManager

PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS = 23, 39


async def run(kc, code):
    """Run code in the kernel; the text/plain value of `_answer`, or the error's name."""
    msg_id = kc.execute(code, user_expressions={"answer": "_answer"})
    while True:
        msg = await kc.get_shell_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id:
            break
    content = msg["content"]
    if content["status"] != "ok":
        return content["ename"]
    answer = content["user_expressions"]["answer"]
    return answer["data"]["text/plain"] if answer["status"] == "ok" else answer["ename"]


@contextlib.asynccontextmanager
async def forked_kernel(folder, every_channel=False, from_template=True):
    """A client of a kernel forked from the template, with `folder`'s files (its manager is `kc.parent`);
    shut down on leaving. every_channel: heartbeat and stdin connected too. from_template=False: a kernel
    booted in a bubblewrap sandbox of its own instead."""
    km = SandboxedKernelManager(kernel_name="python3")
    km.from_template = from_template
    await km.start_kernel(cwd=str(folder))
    kc = km.client()
    kc.start_channels(hb=every_channel, stdin=every_channel)
    try:
        await kc.wait_for_ready(timeout=60)
        yield kc
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


async def with_kernel(folder, *codes):
    async with forked_kernel(folder) as kc:
        return [await run(kc, code) for code in codes]


def in_kernel(folder, *codes):
    return asyncio.run(with_kernel(folder, *codes))


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data.txt").write_text("the student's file")
    (tmp_path / "graded.ipynb").write_text("the notebook being graded, hidden tests included")
    return tmp_path


def test_a_forked_kernel_holds_no_capability_and_cannot_gain_one(folder):
    capabilities, no_new_privs, mount, new_user_namespace = in_kernel(folder, f"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
_answer = sum(libc.prctl({PR_CAPBSET_READ}, cap, 0, 0, 0) == 1 for cap in range(64))""",
        f"_answer = ctypes.CDLL(None).prctl({PR_GET_NO_NEW_PRIVS}, 0, 0, 0, 0)",
        "_answer = libc.mount(b'tmpfs', b'/home/student', b'tmpfs', 0, None)",
        "_answer = libc.unshare(0x10000000)")  # CLONE_NEWUSER
    assert capabilities == "0"
    assert no_new_privs == "1"
    assert mount == "-1" and new_user_namespace == "-1"


def test_a_forked_kernel_sees_its_own_files_only(folder):
    cwd, files, proc, exchange, writable = in_kernel(
        folder, "import os\n_answer = os.getcwd()", "_answer = sorted(os.listdir('.'))",
        "_answer = os.listdir('/proc')", "_answer = os.listdir('/submissions')",
        "_answer = os.access('.', os.W_OK)")
    assert cwd == "'/home/student'"
    assert files == "['data.txt']"  # no notebook: nbgrader's copy holds the hidden tests
    assert proc == "[]" and exchange == "[]" and writable == "False"


def command_line(pid):
    """A process's command line; b"" if it ended since /proc was listed (the machine runs other work)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def test_nothing_of_one_kernel_reaches_the_next(folder):
    first = in_kernel(folder, """
import os, subprocess
open('/tmp/left-behind', 'w').write('x')
open('/dev/shm/left-behind', 'w').write('x')
_answer = subprocess.Popen(['sleep', '600'], start_new_session=True).pid""")
    assert first[0].isdigit()  # a daemon of its own, still running when the kernel is shut down
    leftovers = [pid for pid in os.listdir("/proc") if pid.isdigit() and command_line(pid) == b"sleep\x00600\x00"]
    assert leftovers == []
    tmp, shm = in_kernel(folder, "import os\n_answer = os.path.exists('/tmp/left-behind')",
                         "_answer = os.path.exists('/dev/shm/left-behind')")
    assert tmp == "False" and shm == "False"


def test_a_kernel_cannot_signal_the_template_or_another_kernel(folder):
    """Every pid a kernel can name is in its own namespace: signalling them all kills only itself."""
    answers = in_kernel(folder, """
import os
reachable = []
for pid in range(2, 5000):
    try:
        os.close(os.pidfd_open(pid))  # a process, not one of the kernel's own threads (EINVAL)
        reachable.append(pid)
    except OSError:
        pass
_answer = reachable""", "os.kill(-1, 9)\n_answer = 'signalled every process it could'")
    assert answers == ["[]", "ProcessLookupError"]  # kill(-1): no process besides itself to signal
    # The template survived the first kernel's os.kill(-1, 9) above and still forks kernels.
    assert in_kernel(folder, "_answer = 6 * 7") == ["42"]


def test_a_kernel_that_kills_its_process_group_kills_only_itself(folder):
    """os.kill(0, SIGKILL), as the demo's rex does with getppid() == 0: its own group, not the template's."""
    from grading import kernel_template

    in_kernel(folder, "_answer = 1")
    templates = dict(kernel_template._templates)
    # The kernel is pid 1 of its own namespace, so it survives the signal too.
    assert in_kernel(folder, "import os, signal\nos.kill(0, signal.SIGKILL)\n_answer = 'survived'") == ["'survived'"]
    assert all(template.process.poll() is None for template in templates.values())
    assert in_kernel(folder, "_answer = 6 * 7") == ["42"]
    assert kernel_template._templates == templates  # the same template, not a new one


# A kernel that keeps a CPU busy in a thread and in a forked process, beside a child it never waited for
# (a zombie, which runs no more: the pause must not wait for it to stop).
SPINS = """
import os, threading

def _spin():
    while True:
        pass

if os.fork() == 0:
    os._exit(0)
if os.fork() == 0:
    _spin()
threading.Thread(target=_spin, daemon=True).start()
_answer = 'spinning'"""


def descendants(pid):
    """pid and every process descended from it, from /proc/<pid>/task/<tid>/children."""
    found, todo = [], [pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                todo += map(int, open(f"/proc/{pid}/task/{task}/children").read().split())
    return found


def cpu_ticks(pids):
    """CPU time (user and system, in clock ticks) the processes have used so far, threads included."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def states(pids):
    return {open(f"/proc/{pid}/task/{task}/stat").read().rsplit(")", 1)[1].split()[0]
            for pid in pids for task in os.listdir(f"/proc/{pid}/task")}


@pytest.mark.parametrize("from_template", [True, False], ids=["forked", "booted"])
def test_a_paused_kernel_uses_no_cpu_and_runs_again_after(folder, from_template):
    """SandboxedKernelManager.paused stops every process of the kernel, its forks and threads included."""
    async def measure():
        home = own_cpu_group()
        async with forked_kernel(folder, from_template=from_template) as kc:
            assert await run(kc, SPINS) == "'spinning'"
            processes = descendants(kc.parent.sandbox_pid)
            timed_in = []
            with kc.parent.paused():
                stopped, before = states(processes), cpu_ticks(processes)
                seconds = kc.parent.seconds_beside_kernels(lambda: timed_in.append(own_cpu_group()), (), {})
                await asyncio.sleep(0.5)
                paused = cpu_ticks(processes) - before
                assert own_cpu_group() == home  # the grader's own thread never moves
            before = cpu_ticks(processes)
            await asyncio.sleep(0.5)
            result = len(processes), stopped, paused, cpu_ticks(processes) - before, await run(kc, "_answer = 6 * 7")
        # Timed with a kernel's share of the CPU, in a group of the grader's own (as root), by a thread that stays
        # there (grading.cgroups.TimingThread).
        assert 0 <= seconds < 0.1
        if os.geteuid() == 0:
            timing = timed_in[0]
            assert timing.name.startswith("kernel-timing-") and timing != home
            assert (timing / "cpu.cfs_quota_us").read_text().strip() == "100000"  # one core: the kernel's quota
        else:
            assert timed_in == [home]
        return result

    count, stopped, paused, running, answer = asyncio.run(measure())
    assert count >= 3 + (not from_template)  # the kernel, its forks (and bwrap's init when booted)
    assert stopped == {"T", "Z"} and paused == 0
    assert running >= 10 and answer == "42"  # a spinner's half second is 50 ticks when it has a CPU


def test_a_kernel_that_cannot_be_paused_fails_the_check_that_asked():
    """No kernel to stop (here: none started) is never taken for a stopped one: the hidden test that asked
    fails with the reason, as a KernelCallFailed (which hidden tests cannot catch)."""
    from types import SimpleNamespace

    from grading.kernel_pause import PauseFailed
    from grading.kernel_calls import GradingKernel, KernelCallFailed

    km = SandboxedKernelManager(kernel_name="python3")
    with pytest.raises(PauseFailed, match="not running"):
        with km.paused():
            pass
    with pytest.raises(KernelCallFailed, match="could not pause the kernel .*not running"):
        with GradingKernel(SimpleNamespace(km=km)).paused():
            pass


def test_the_graders_own_sockets_to_a_kernel_carry_the_bounds():
    """jupyter_client gives a client a zmq context of its own; the sandbox's manager hands it one with
    the bounds set, so the sockets that read what a kernel sends refuse large messages and long queues."""
    import zmq

    from grading.limits import MAX_MESSAGE_BYTES, RECEIVE_QUEUE

    km = SandboxedKernelManager(kernel_name="python3")
    kc = km.client()
    for channel in (kc.shell_channel, kc.iopub_channel, kc.control_channel):
        assert channel.socket.getsockopt(zmq.MAXMSGSIZE) == MAX_MESSAGE_BYTES
        assert channel.socket.getsockopt(zmq.RCVHWM) == RECEIVE_QUEUE
    kc.stop_channels()


def test_a_message_over_the_bound_never_reaches_the_grader(folder):
    async def flood():
        async with forked_kernel(folder) as kc:
            await run(kc, "import sys\nsys.stdout.write('x' * 20_000_000)\nsys.stdout.flush()")
            largest = 0
            while True:
                try:
                    msg = await kc.get_iopub_msg(timeout=1)
                except Exception:  # queue.Empty: nothing more
                    break
                largest = max(largest, len(msg["content"].get("text", "")))
            return largest, await run(kc, "_answer = 'still answering'")

    largest, answer = asyncio.run(flood())
    assert largest < 16 * 2 ** 20
    assert answer == "'still answering'"


# ------------------------------------------------------------------ memory
# As root, every kernel of a template runs in the template's memory cgroup, which bounds what its processes
# hold together (RLIMIT_AS bounds each alone). Page cache and dentries are charged to the cgroup of the
# process that made them, and outlive it; a sparse file's holes read as page cache without touching a disk.
# Each test lowers its template's limit to what the template holds plus a few hundred MiB (restored after):
# the same cgroup and counters, reached with little memory (first touches are slow on this virtual machine).
needs_cgroups = pytest.mark.skipif(os.geteuid() != 0 or not Cgroup.available(),
                                   reason="the template's memory cgroup: root, with cgroup v1")
READS = """
_read, _buffer = 0, bytearray(1 << 20)
with open("/home/student/sparse", "rb", buffering=0) as _file:
    while _read < {size}:
        _read += _file.readinto(_buffer)
_answer = _read"""
# Children of 128 MiB each, one after the other, each held: past the lowered limit, with nothing left to
# reclaim, the OOM killer ends one.
HOG = """
import os, signal, time
import numpy as np
_children = []
for _ in range(4):
    _ready, _write = os.pipe()
    _pid = os.fork()
    if _pid == 0:
        _hold = np.ones(2 ** 24)
        os.write(_write, b"1")
        time.sleep(60)
        os._exit(0)
    os.close(_write)
    os.read(_ready, 1)  # once it holds its memory, or was killed
    os.close(_ready)
    _children.append(_pid)
for _pid in _children:
    try:
        os.kill(_pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
_answer = sorted(os.waitstatus_to_exitcode(os.waitpid(_pid, 0)[1]) for _pid in _children)"""


def memory_file(km, name):
    return km.template.cgroup.paths[1] / name


def usage(km):
    return int(memory_file(km, "memory.usage_in_bytes").read_text())


@contextlib.contextmanager
def lowered_limit(km, headroom):
    """The template's memory cgroup limited to what it holds now plus `headroom` bytes while the block runs."""
    limit_file = memory_file(km, "memory.limit_in_bytes")
    limit = limit_file.read_text()
    limit_file.write_text(str(usage(km) + headroom))
    try:
        yield int(limit_file.read_text())
    finally:
        limit_file.write_text(limit)


def sparse_file(km, size, keep=None):
    """A file of `size` bytes, all hole, in the kernel's folder (its /home/student). keep: a path where it stays
    once the kernel's folder is removed with the kernel (its page cache with it), as the files of /usr do."""
    path = Path(km.work_folder) / "sparse"
    with open(path, "wb") as file:
        file.truncate(size)
    if keep:
        os.link(path, keep)


@needs_cgroups
def test_page_cache_at_the_cgroups_limit_is_not_the_memory_limit(folder):
    """A kernel that reads more files than its cgroup holds makes the system reclaim their page cache as it
    goes, as any machine does: nothing failed, and the kernel is not reported at its memory limit."""
    async def read_past_the_limit():
        async with forked_kernel(folder) as kc:
            with lowered_limit(kc.parent, 256 * MiB):
                sparse_file(kc.parent, 1024 * MiB)
                read = await run(kc, READS.format(size=512 * MiB))
            return int(read), kc.parent.limits_hit()

    read, hit = asyncio.run(read_past_the_limit())
    assert read >= 512 * MiB
    assert hit == []


@needs_cgroups
def test_what_a_kernel_left_charged_to_its_template_is_dropped_before_the_next_kernel(folder):
    """The cache-charge attack (tests/attacks_pending/cache_charge.py), without its need for cold files: a kernel fills
    its template's cgroup to the limit with page cache that outlives it. The cgroup is emptied of it when the
    kernel ends, and the next kernel's 256 MiB are no memory limit of its own."""
    async def two_kernels():
        async with forked_kernel(folder) as kc:
            km = kc.parent
            with lowered_limit(km, 384 * MiB) as limit:
                before = usage(km)
                sparse_file(km, 1024 * MiB, keep=folder.parent / f"{folder.name}-sparse")
                await run(kc, READS.format(size=512 * MiB))
                charged = usage(km)
                await kc.parent.shutdown_kernel(now=True)
                left = usage(km)
                async with forked_kernel(folder) as kc:
                    answer = await run(kc, "import numpy as np\n_answer = float(np.ones(2 ** 25).sum())")
                    return limit, before, charged, left, answer, kc.parent.limits_hit()

    try:
        limit, before, charged, left, answer, hit = asyncio.run(two_kernels())
    finally:
        (folder.parent / f"{folder.name}-sparse").unlink(missing_ok=True)
    print(f"cgroup: {before / MiB:.0f} MiB before the first kernel's reads, {charged / MiB:.0f} after, "
          f"{left / MiB:.0f} once it ended (limit {limit / MiB:.0f} MiB)")
    assert charged > limit - 32 * MiB  # the probe works: the first kernel filled the cgroup
    assert left < before + 32 * MiB
    assert answer == "33554432.0"
    assert hit == []


@needs_cgroups
def test_a_kernel_whose_processes_pass_the_cgroups_limit_is_reported_and_the_next_is_not(folder):
    async def hog_then_another():
        async with forked_kernel(folder) as kc:
            with lowered_limit(kc.parent, 384 * MiB):
                statuses = await run(kc, HOG)
            hog = kc.parent.limits_hit()
        async with forked_kernel(folder) as kc:
            await run(kc, "_answer = 6 * 7")
            return statuses, hog, kc.parent.limits_hit()

    statuses, hog, next_kernel = asyncio.run(hog_then_another())
    assert "-9" in statuses  # a child killed by the OOM killer
    assert hog == ["memory limit"]
    assert next_kernel == []
