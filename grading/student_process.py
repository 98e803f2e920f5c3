"""The grader's own work for one student, bounded: a deadline and a memory limit per student.

The sandbox bounds a student's kernel, but not what the grader itself does for that
student: nbgrader reading, validating, preprocessing and writing the notebook, the hidden
tests' verdicts, decoding the kernel's replies, replays after a kernel death. So a worker
does not grade in its own process. It starts a grading host (``python -m
grading.student_process``, one per run and course materials), which builds the private
course (grading/worker_course.py) and the kernel template once and then grades one
submission at a time, as the worker did before; what a grading process keeps from one
student to the next (the hidden tests' expected values, nbformat's compiled validator,
SQLAlchemy's compiled queries) stays warm.

The worker waits for each answer until the student's deadline (the notebooks' time limits,
``TrustedExecute.notebook_time_limit`` each, plus ``StudentLimits.overhead``). The host's
memory is bounded to what it held when ready plus ``StudentLimits.memory_limit``: a cgroup
as root (what it touches), its address space otherwise. A host past its deadline is
stopped; one over its memory is killed by the system (or fails with MemoryError and
ends). Either way the student is recorded as not graded, with the reason, for good (a
rerun does not try again), and the next student gets a new host.

On Dask the worker process stays small whatever a student makes the grader do, so a
nanny with a memory limit has nothing to restart.
"""
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

from traitlets import Integer
from traitlets.config import LoggingConfigurable

from grading.limits import GiB, MiB
from grading.text import printable

HEADER = struct.Struct("!Q")
MAX_RESULT_BYTES = 512 * MiB  # an answer: the autograded folder (at most the 100 MiB submission, the notebook
# and its bounded outputs)
RESERVED = 512 * MiB  # without a cgroup: address space that threads reserve and may never touch
PROFILE_FOLDER = "CNN_GRADING_PROFILE"  # an environment variable: where each student's grading profile goes (Host.profiled)
STOP_GRACE = 5  # seconds a stopped host has to remove its course and template before it is killed


class StudentLimits(LoggingConfigurable):
    """What the grader may spend on one student, its own work included (set in nbgrader_config.py)."""

    memory_limit = Integer(2 * GiB, help=(
        "Bytes by which the grading process may grow while it grades one student (a cgroup's memory as "
        "root, its address space otherwise): nbgrader's reading, validating and writing, the hidden tests, "
        "decoding the kernel's replies. The kernel has its own limit "
        "(SandboxedKernelManager.memory_limit).")).tag(config=True)
    overhead = Integer(60, help=(
        "Seconds the grader may spend on one student beyond the time limits of its notebooks' kernels "
        "(TrustedExecute.notebook_time_limit each): nbgrader's own work, kernel starts, the verdicts. "
        "At the deadline the student's grading is stopped and reported.")).tag(config=True)


# ----------------------------------------------------------------- framing: one pickle per message
def send(fd, message):
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd, deadline=None, limit=MAX_RESULT_BYTES):
    """The next message on fd. Raises EOFError when the writer is gone, TimeoutError past the deadline
    (time.monotonic()), ValueError for a message over limit bytes."""
    size, = HEADER.unpack(read_exactly(fd, HEADER.size, deadline))
    if size > limit:
        raise ValueError(f"a message of {size} bytes (at most {limit})")
    return pickle.loads(read_exactly(fd, size, deadline))


def read_exactly(fd, size, deadline):
    chunks, left = [], size
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ----------------------------------------------------------------- the worker's side
class GradingHost:
    """A worker's grading host for one run's course materials: a process of its own (see the module)."""

    def __init__(self, materials):
        import grading

        package_root = str(Path(grading.__file__).resolve().parent.parent)  # a folder, or Dask's uploaded zip
        paths = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        # One core per worker: numpy's BLAS threads (one per core by default) would only contend with the
        # other workers' hosts, and OpenBLAS's wait for work between calls keeps them spinning (in one run of
        # part 2, 13% of the grading's CPU time, measured with /proc/stat).
        single_threaded = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
        self.process = subprocess.Popen([sys.executable, "-m", "grading.student_process"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=dict(os.environ, PYTHONPATH=os.pathsep.join(paths), **single_threaded))
        self.memory = MemoryGroup.of(self.process.pid)
        try:
            send(self.process.stdin.fileno(), materials)
            answer, *values = receive(self.process.stdout.fileno(), time.monotonic() + 300)
        except (OSError, EOFError, TimeoutError, ValueError) as error:
            self.close()
            raise RuntimeError(f"the grading host did not start ({type(error).__name__})") from None
        if answer != "ready":
            self.close()
            raise RuntimeError(f"the grading host could not build the course: {values[0]}")
        self.deadline_seconds, self.memory_limit = values

    def alive(self):
        return self.process.poll() is None

    def grade(self, submission):
        """The student's GradedSubmission; a host past the deadline or its memory is stopped, and the
        student reported."""
        from grading.worker_course import GradedSubmission

        started = time.monotonic()
        send(self.process.stdin.fileno(), submission)
        try:
            graded = receive(self.process.stdout.fileno(), started + self.deadline_seconds)
            why = None
        except TimeoutError:
            why = (f"the grader's time limit per student ({self.deadline_seconds:g} s) was reached; the student's "
                   "grading was stopped")
        except (EOFError, ValueError, pickle.UnpicklingError) as error:
            why = f"the grader's process for this student failed ({type(error).__name__})"
        seconds = time.monotonic() - started
        if why is not None:
            self.close()
            if self.memory is not None and self.memory.killed:
                why = self.memory_message()
            graded = GradedSubmission(submission.student, False, log=f"[ERROR] {why}\n",
                                      timings={"autograde": seconds})
        elif graded.timings.pop("memory_error", False):  # the host ends after answering
            graded = GradedSubmission(submission.student, False, log=f"[ERROR] {self.memory_message()}\n",
                                      timings={"autograde": seconds})
            self.close()
        graded.timings["grader_wall"] = seconds
        return graded

    def memory_message(self):
        return (f"the grader's memory limit per student ({self.memory_limit / MiB:.0f} MiB) was reached while "
                "grading this notebook")

    def close(self):
        """End the host: at once if it is idle (it removes its course and template), else stopped, then
        killed after STOP_GRACE seconds."""
        self.stop()
        self.wait_stopped()

    def stop(self):
        """Ask the host to end (close's first half: several hosts end side by side, 0.2 s each)."""
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self):
        try:
            self.process.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.memory is not None:
            self.memory.remove()


# ----------------------------------------------------------------- the host
class MemoryGroup:
    """The host's cgroup (v1, as root): its memory is bounded there, the pages it touches. Named like a kernel's
    group, so that one left by a killed host is swept (grading/cgroups.py)."""

    def __init__(self, path):
        self.path = path
        self.killed = False

    @classmethod
    def of(cls, pid):
        from grading.cgroups import CGROUP_ROOT, Cgroup

        if not Cgroup.available():
            return None
        return cls(CGROUP_ROOT / "memory" / "cnn-grading" / f"kernel-host-{pid}")

    def join(self):
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def read(self, name):
        return int((self.path / name).read_text())

    def bound(self, extra):
        """Bound the group to what it holds now plus extra bytes."""
        (self.path / "memory.limit_in_bytes").write_text(str(self.read("memory.usage_in_bytes") + extra))

    def start_peak(self):
        (self.path / "memory.max_usage_in_bytes").write_text("0")
        return self.read("memory.usage_in_bytes")

    def remove(self):
        """Note whether the system's OOM killer stopped a process here, then remove the group."""
        try:
            control = (self.path / "memory.oom_control").read_text().split()
            self.killed = "oom_kill" in control and int(control[control.index("oom_kill") + 1]) > 0
        except (OSError, ValueError):
            pass
        for _ in range(100):  # a killed host's pages may still be uncharging
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)


class Host:
    """The grading host: the private course, its limits, and one submission at a time."""

    def __init__(self, materials):
        from grading.trusted_execute import TrustedExecute
        from grading.worker_course import WorkerCourse

        self.course = WorkerCourse(materials)
        config = self.course.api.config
        limits = StudentLimits(config=config)
        notebooks = max(1, len(materials.definition["notebooks"]))
        self.deadline_seconds = notebooks * TrustedExecute(config=config).notebook_time_limit + limits.overhead
        self.memory_limit = limits.memory_limit
        self.memory = MemoryGroup.of(os.getpid())

    def start(self):
        """Start the kernel template, then bound this process's memory from here on."""
        self.start_template()
        if self.memory is not None:
            self.memory.join()
            self.memory.bound(self.memory_limit)
        else:  # the soft limit only: the kernel template and its kernels set their own
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (address_space() + self.memory_limit + RESERVED, hard))

    def start_template(self):
        """The kernel template, started here if it is not running: before the memory bound, which it must
        not count."""
        from grading import kernel_template
        from grading.sandbox import SandboxedKernelManager

        settings = SandboxedKernelManager(config=self.course.api.config)
        if settings.sandbox and settings.from_template:
            kernel_template.template_for(settings)

    def grade(self, submission):
        before = self.memory.start_peak() if self.memory is not None else None
        try:
            graded = self.profiled(self.course.grade, submission)
        except MemoryError:
            from grading.worker_course import GradedSubmission

            return GradedSubmission(submission.student, False, timings={"memory_error": True})
        if not graded.success and "MemoryError" in graded.log:  # nbgrader reports its own failures in its log
            graded.timings["memory_error"] = True
        if before is not None:
            peak = self.memory.read("memory.max_usage_in_bytes")  # 0 if nothing was charged since the reset
            graded.timings["grader_memory_mib"] = max(0, peak - before) / MiB
        return graded


    @staticmethod
    def profiled(grade, submission):
        """grade(submission), under cProfile when the environment names a folder for its figures
        (PROFILE_FOLDER, set by the benchmark): one file of pstats per student."""
        folder = os.environ.get(PROFILE_FOLDER)
        if not folder:
            return grade(submission)
        import cProfile

        profile = cProfile.Profile()
        try:
            return profile.runcall(grade, submission)
        finally:
            profile.dump_stats(os.path.join(folder, f"{os.getpid()}-{time.monotonic_ns()}.pstats"))


def address_space():
    """This process's address space in bytes (VmSize)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def serve(requests, answers):
    """The host: course materials first, then one Submission at a time, until the worker closes the pipe."""
    host = None
    try:
        try:
            host = Host(receive(requests))
            host.start()
        except Exception as error:
            send(answers, ("failed", f"{type(error).__name__}: {printable(error, 300)}"))
            return
        send(answers, ("ready", host.deadline_seconds, host.memory_limit))
        while True:
            try:
                submission = receive(requests)
            except EOFError:
                return
            graded = host.grade(submission)
            send(answers, graded)
            if graded.timings.get("memory_error"):
                return  # a MemoryError may have left any state half made: the next student gets a new host
    finally:
        if host is not None:
            host.course.remove()


def main():
    # The protocol has the host's stdin and stdout to itself: whatever else writes to stdout (a library's
    # print) goes to stderr.
    requests, answers = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the worker, which then stops its host
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the course and template are removed
    stop_with_parent()
    serve(requests, answers)


def stop_with_parent():
    """SIGTERM when the worker's thread that started this host ends (the worker closing, or killed), even
    in the middle of a student."""
    import ctypes

    parent = os.getppid()
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the call
        sys.exit(1)


if __name__ == "__main__":
    main()
