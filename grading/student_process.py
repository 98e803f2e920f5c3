"""Each student graded in a child process of its own: one deadline and one memory bound over all the grader's work.

The sandbox bounds a student's kernel, but not what the grader itself does for that
student: nbgrader reading, validating, preprocessing and writing the notebook, the hidden
tests' verdicts, decoding the kernel's replies, replays after a kernel death. So a worker
does not grade in its own process. It starts a grading host (``python -m
grading.student_process``, one per run and course materials): a single-threaded process
that builds the private course (grading/worker_course.py) and the kernel template once,
then forks one child per student. The child grades with its address space bounded (the
host's size plus ``StudentLimits.memory_limit``) and sends its result back through a pipe;
the host waits for it until the student's deadline (the notebooks' time limits plus
``StudentLimits.overhead``). A child that is late, runs out of memory or dies is killed; the
student is recorded as not graded, with the reason, for good (a rerun does not try again),
and the host goes on with the next student, with a new kernel template (a child killed
mid-request leaves the template's protocol in an unknown state).

On Dask the worker process stays small whatever a student makes the grader do, so a nanny
with a memory limit has nothing to restart.
"""
import os
import pickle
import resource
import select
import signal
import socket
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
MAX_RESULT_BYTES = 512 * MiB  # a child's answer: the autograded folder (at most the 100 MiB submission, the
# notebook and its bounded outputs) and the hidden tests' new expected values
MAX_CACHE_BYTES = 64 * MiB  # expected values a child passes on to the next students; beyond it, recomputed
# What a child still imported when it graded a notebook, after the course was built (measured: its
# sys.modules against the host's); about 0.3 s a student otherwise.
PRELOAD = ["IPython", "ipykernel.kernelspec", "ipykernel.connect", "numpy.random", "codeop",
           "encodings.unicode_escape"]
HOST_GRACE = 60
RESERVED = 512 * MiB  # see Host.grade  # seconds a worker waits for its host beyond a student's deadline before giving it up


class StudentLimits(LoggingConfigurable):
    """What the grader may spend on one student, its own work included (set in nbgrader_config.py)."""

    memory_limit = Integer(2 * GiB, help=(
        "Bytes by which the grader's process may grow while it grades one student (its address space, "
        "RLIMIT_AS, over the grading host's): nbgrader's reading, validating and writing, the hidden "
        "tests, decoding the kernel's replies. The kernel has its own limit "
        "(SandboxedKernelManager.memory_limit).")).tag(config=True)
    overhead = Integer(60, help=(
        "Seconds the grader may spend on one student beyond the time limits of its notebooks' kernels "
        "(TrustedExecute.notebook_time_limit each): nbgrader's own work, kernel starts, the verdicts. "
        "At the deadline the student's grading is killed and reported.")).tag(config=True)


# ----------------------------------------------------------------- framing: one pickle per message
def send(fd, message):
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd, deadline=None, limit=MAX_RESULT_BYTES):
    """The next message on fd. Raises EOFError when the writer is gone, TimeoutError past the deadline
    (time.monotonic()), ValueError for a message over limit bytes."""
    header = read_exactly(fd, HEADER.size, deadline)
    size, = HEADER.unpack(header)
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
        self.process = subprocess.Popen([sys.executable, "-m", "grading.student_process"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=dict(os.environ, PYTHONPATH=os.pathsep.join(paths), MALLOC_ARENA_MAX="2"))
        self.deadline_seconds = None
        try:
            send(self.process.stdin.fileno(), materials)
            answer, value = receive(self.process.stdout.fileno(), time.monotonic() + 300)
        except (OSError, EOFError, TimeoutError, ValueError) as error:
            self.close()
            raise RuntimeError(f"the grading host did not start ({type(error).__name__})") from None
        if answer != "ready":
            self.close()
            raise RuntimeError(f"the grading host could not build the course: {value}")
        self.deadline_seconds = value

    def alive(self):
        return self.process.poll() is None

    def grade(self, submission):
        """The student's GradedSubmission, from the host (which bounds the grading itself)."""
        send(self.process.stdin.fileno(), submission)
        try:
            graded = receive(self.process.stdout.fileno(), time.monotonic() + self.deadline_seconds + HOST_GRACE)
        except BaseException:
            self.close()  # a host that does not answer in time is not asked again; the next grade starts one
            raise
        graded.worker = f"{socket.gethostname()}:{os.getpid()}"  # this worker, not the host's child
        return graded

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()  # the host removes its course and ends
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ----------------------------------------------------------------- the host
class Host:
    """The grading host's state: the private course, the per-student limits, the worker's pipe."""

    def __init__(self, course, requests):
        from grading.trusted_execute import TrustedExecute

        config = course.api.config
        self.course, self.requests = course, requests
        limits = StudentLimits(config=config)
        notebooks = max(1, len(course.materials.definition["notebooks"]))
        self.deadline_seconds = notebooks * TrustedExecute(config=config).notebook_time_limit + limits.overhead
        self.memory_limit = limits.memory_limit

    def warm(self):
        """Import here what grading a notebook imports: a child's imports end with it."""
        import importlib

        for module in PRELOAD:
            importlib.import_module(module)
        self.start_template()

    def start_template(self):
        """Start the kernel template here if it is not running (first, or after a child was killed): one
        a child started would end with it, and inherit its limits."""
        from grading import kernel_template
        from grading.sandbox import SandboxedKernelManager

        settings = SandboxedKernelManager(config=self.course.api.config)
        if settings.sandbox and settings.from_template:
            kernel_template.template_for(settings)

    def grade(self, submission):
        """Grade one submission in a forked child, bounded in time and address space; a GradedSubmission."""
        from grading import kernel_template
        from grading.trusted_execute import TrustedExecute
        from grading.worker_course import GradedSubmission

        self.start_template()
        started = time.monotonic()
        known = {assignment: set(cache) for assignment, cache in TrustedExecute.expected_values.items()}
        group = MemoryGroup.make(self.memory_limit)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(reader)
            # Without a cgroup, the address space bounds the child: it counts what threads reserve and never
            # touch (an honest child reserves about 155 MiB), hence the margin.
            limit = None if group else address_space() + self.memory_limit + RESERVED
            run_child(self.course, submission, writer, known, group, limit)
        os.close(writer)
        try:
            kind, value, cache = self.wait_for_child(reader, started + self.deadline_seconds)
        finally:
            os.kill(pid, signal.SIGKILL)  # done or not: it has nothing left to do
            os.waitpid(pid, 0)
            os.close(reader)
            peak, killed = group.close() if group else (None, False)
        seconds = time.monotonic() - started
        if killed:
            kind = "memory"
        if kind == "graded":
            for assignment, entries in cache.items():
                TrustedExecute.expected_values.setdefault(assignment, {}).update(entries)
            value.timings["grader_wall"] = seconds
            if peak is not None:
                value.timings["grader_memory_mib"] = peak / MiB
            return value
        kernel_template.close_all()  # the next student gets a new one (start_template)
        self.course.forget(submission.student)
        if kind == "worker gone":
            raise SystemExit(0)
        reasons = {
            "late": f"the grader's time limit per student ({self.deadline_seconds:g} s) was reached; the "
                    "student's grading was stopped",
            "memory": f"the grader's memory limit per student ({self.memory_limit / MiB:.0f} MiB) was reached "
                      "while grading this notebook",
        }
        reason = reasons.get(kind) or f"the grader's process for this student failed ({value})"
        return GradedSubmission(submission.student, False, log=f"[ERROR] {reason}\n",
                                timings={"autograde": seconds, "grader_wall": seconds})

    def wait_for_child(self, reader, deadline):
        """("graded", GradedSubmission, new expected values), ("memory"|"late"|"worker gone", None, None)
        or ("failed", why, None)."""
        header = b""
        while len(header) < HEADER.size:
            wait = deadline - time.monotonic()
            ready = select.select([reader, self.requests], [], [], max(wait, 0))[0] if wait > 0 else []
            if not ready:
                return "late", None, None
            if self.requests in ready:  # the worker sends nothing while a student is graded: it is gone
                return "worker gone", None, None
            chunk = os.read(reader, HEADER.size - len(header))
            if not chunk:
                return "failed", "it ended without a result", None
            header += chunk
        size, = HEADER.unpack(header)
        if size > MAX_RESULT_BYTES:
            return "failed", f"its result is {size} bytes", None
        try:
            return pickle.loads(read_exactly(reader, size, deadline))
        except TimeoutError:
            return "late", None, None
        except (EOFError, pickle.UnpicklingError) as error:
            return "failed", f"its result was cut short ({type(error).__name__})", None

    def serve(self, answers):
        """One Submission at a time from the worker, until it closes the pipe."""
        while True:
            try:
                submission = receive(self.requests)
            except EOFError:
                return
            send(answers, self.grade(submission))


def address_space():
    """This process's address space in bytes (VmSize)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def run_child(course, submission, writer, known, group, address_limit):
    from grading.trusted_execute import TrustedExecute

    status = 0
    try:
        die_with_parent()
        os.setpgid(0, 0)  # out of the terminal's group: Ctrl-C stops the worker, whose host then kills it
        if group:
            group.join()
        else:
            resource.setrlimit(resource.RLIMIT_AS, (address_limit, address_limit))
        course.forked()
        send(writer, child_result(course, submission, known, TrustedExecute.expected_values))
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # never the host's atexit handlers: the template and the course are the host's


class MemoryGroup:
    """A cgroup (v1, as root) that bounds one child's memory: what it allocates and touches, not the pages it
    shares with the host. Named like a kernel's group, so that one left by a killed host is swept
    (grading/cgroups.py)."""

    made = 0

    def __init__(self, path):
        self.path = path

    @classmethod
    def make(cls, limit):
        from grading.cgroups import CGROUP_ROOT, Cgroup

        if not Cgroup.available():
            return None
        cls.made += 1
        path = CGROUP_ROOT / "memory" / "cnn-grading" / f"kernel-student-{os.getpid()}-{cls.made}"
        path.mkdir(parents=True, exist_ok=True)
        (path / "memory.limit_in_bytes").write_text(str(limit))
        return cls(path)

    def join(self):
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def close(self):
        """(its peak memory in bytes, whether the kernel's OOM killer stopped a process of it); removed."""
        try:
            peak = int((self.path / "memory.max_usage_in_bytes").read_text())
            control = (self.path / "memory.oom_control").read_text().split()
            killed = "oom_kill" in control and int(control[control.index("oom_kill") + 1]) > 0
        except (OSError, ValueError):
            peak, killed = None, False
        for _ in range(100):  # the child's exit may still be uncharging its pages
            try:
                self.path.rmdir()
                break
            except OSError:
                time.sleep(0.01)
        return peak, killed


def die_with_parent():
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the host died before the call
        os._exit(1)


def child_result(course, submission, known, expected_values):
    try:
        graded = course.grade(submission)
    except MemoryError:
        return "memory", None, None
    if not graded.success and "MemoryError" in graded.log:  # nbgrader reports its own failures in its log
        return "memory", None, None
    new = {assignment: {key: value for key, value in cache.items() if key not in known.get(assignment, ())}
           for assignment, cache in expected_values.items()}
    new = {assignment: entries for assignment, entries in new.items() if entries}
    if new and len(pickle.dumps(new, protocol=pickle.HIGHEST_PROTOCOL)) > MAX_CACHE_BYTES:
        new = {}
    return "graded", graded, new


def serve(requests, answers):
    """The host: course materials first, then one Submission at a time, until the worker closes the pipe."""
    from grading.worker_course import WorkerCourse

    materials = receive(requests)
    try:
        course = WorkerCourse(materials)
        host = Host(course, requests)
        host.warm()
    except Exception as error:
        send(answers, ("failed", f"{type(error).__name__}: {printable(error, 300)}"))
        return
    try:
        send(answers, ("ready", host.deadline_seconds))
        host.serve(answers)
    finally:
        course.remove()


def main():
    # The protocol has the host's stdin and stdout to itself: whatever else writes to stdout (a library's
    # print) goes to stderr.
    requests, answers = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the worker, which closes the host
    serve(requests, answers)


if __name__ == "__main__":
    main()
