"""A worker's grading runs: each run's grading host per course materials, made on first use, closed when
the run ends.

A task (``grade_on_worker``) grades one submission through the run's host
(grading/student_process.py), which holds the private course (grading/worker_course.py)
and bounds each student's grading. The run's client registers a ``WorkerRun`` plugin; its
teardown, when the client unregisters it at the end of the run or when the worker closes,
closes the run's hosts (after the submission being graded, if any), and each host removes
its course.
"""
import threading

from distributed.diagnostics.plugin import WorkerPlugin

from grading.student_process import GradingHost
from grading.text import printable
from grading.worker_course import GradedSubmission

_hosts = {}  # (run, materials' fingerprint) -> GradingHost, for the runs still open
_closing = []  # the hosts of runs that ended, to close once no submission is being graded
_ended_runs = set()
_state = threading.Lock()  # guards the three above
# One submission at a time per worker: a host grades one at a time.
_grading = threading.Lock()


def grade_on_worker(materials, submission, run=""):
    """The task a worker runs: grade one submission for the run (a client's id); whatever fails is said in
    the result."""
    try:
        with _grading:
            host = host_for(materials, run)
            if host is None:
                return GradedSubmission(submission.student, False, error="its grading run has ended")
            return host.grade(submission)
    except Exception as error:  # reported for this student; the worker goes on with the next
        return GradedSubmission(submission.student, False, error=f"{type(error).__name__}: {printable(error, 300)}")
    finally:
        remove_ended()


def host_for(materials, run):
    """The run's grading host for these materials on this worker, started on first use (and again if it
    ended); None once the run ended."""
    key = (run, materials.fingerprint)
    with _state:
        if run in _ended_runs:
            return None
        host = _hosts.get(key)
    if host is None or not host.alive():
        host = GradingHost(materials)
        with _state:
            if run in _ended_runs:
                _closing.append(host)
                return None
            _hosts[key] = host
    return host


def end_run(run):
    """The run ended: close its hosts on this worker, at once or after the submission being graded."""
    with _state:
        _ended_runs.add(run)
        for key in [key for key in _hosts if key[0] == run]:
            _closing.append(_hosts.pop(key))
    remove_ended()


def remove_ended():
    # Whoever holds _grading last closes what is waiting: end_run when no submission is being graded,
    # otherwise grade_on_worker once it is done (never while a host is grading).
    while _closing and _grading.acquire(blocking=False):
        try:
            while True:
                with _state:
                    if not _closing:
                        break
                    host = _closing.pop()
                try:
                    host.close()
                except Exception:  # never at a student's cost: the next course made here sweeps it
                    pass
        finally:
            _grading.release()


class WorkerRun(WorkerPlugin):
    """A grading run's hold on a worker: its teardown (the client unregisters it when the run ends, or the
    worker closes) closes the run's hosts there."""

    def __init__(self, run):
        self.run = run

    def teardown(self, worker):
        end_run(self.run)
