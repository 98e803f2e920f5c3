"""A worker's grading runs: each run's grading host per course materials, made on first use, closed when
the run ends.

A task (``grade_on_worker``) grades one submission through the run's host
(grading/student_process.py), which holds the private course (grading/worker_course.py)
and bounds each student's grading. The run's client registers a ``WorkerRun`` plugin; its
teardown, when the client unregisters it at the end of the run or when the worker closes,
closes the run's hosts (after the submission being graded, if any), and each host removes
its course.

Each Dask worker has hosts of its own (a ``Station``): the local cluster's workers are
threads of one process (course_tools/grade/cluster.py), and each grades one
submission at a time on its own host, beside the others.
"""
import os
import socket
import threading

from distributed.diagnostics.plugin import WorkerPlugin

from grading.student_process import GradingHost
from grading.text import printable
from grading.worker_course import GradedSubmission


class Station:
    """One worker's grading hosts, one submission at a time (a host grades one at a time)."""

    def __init__(self):
        self.hosts = {}  # (run, materials' fingerprint) -> GradingHost, for the runs still open
        self.closing = []  # the hosts of runs that ended, to close once no submission is being graded
        self.ended_runs = set()
        self.state = threading.Lock()  # guards the three above
        self.grading = threading.Lock()

    def host_for(self, materials, run):
        """The run's grading host for these materials, started on first use (and again if it ended); None
        once the run ended."""
        key = (run, materials.fingerprint)
        with self.state:
            if run in self.ended_runs:
                return None
            host = self.hosts.get(key)
        if host is None or not host.alive():
            host = GradingHost(materials)
            with self.state:
                if run in self.ended_runs:
                    self.closing.append(host)
                    return None
                self.hosts[key] = host
        return host

    def end_run(self, run):
        """The run ended: close its hosts, at once or after the submission being graded."""
        with self.state:
            self.ended_runs.add(run)
            for key in [key for key in self.hosts if key[0] == run]:
                self.closing.append(self.hosts.pop(key))
        self.remove_ended()

    def remove_ended(self):
        # Whoever holds `grading` last closes what is waiting: end_run when no submission is being graded,
        # otherwise grade_on_worker once it is done (never while a host is grading).
        while self.closing and self.grading.acquire(blocking=False):
            try:
                while True:
                    with self.state:
                        if not self.closing:
                            break
                        host = self.closing.pop()
                    try:
                        host.close()
                    except Exception:  # never at a student's cost: the next course made here sweeps it
                        pass
            finally:
                self.grading.release()

    def take_run(self, run):
        """The run ended here: its hosts, taken out of the station whether they grade or not."""
        with self.state:
            self.ended_runs.add(run)
            hosts = [self.hosts.pop(key) for key in [key for key in self.hosts if key[0] == run]]
            hosts, self.closing = hosts + self.closing, []
        return hosts


_stations = {}  # a worker's address (None outside Dask) -> its Station
_stations_lock = threading.Lock()


def station(worker=None):
    with _stations_lock:
        return _stations.setdefault(worker, Station())


def this_worker():
    """The Dask worker running this task: its address and name, or (None, None) outside Dask."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:
        return None, None
    return worker.address, worker.name


def grade_on_worker(materials, submission, run=""):
    """The task a worker runs: grade one submission for the run (a client's id); whatever fails is said in
    the result."""
    address, name = this_worker()
    here = station(address)
    try:
        with here.grading:
            host = here.host_for(materials, run)
            if host is None:
                return GradedSubmission(submission.student, False, error="its grading run has ended")
            graded = host.grade(submission)
        # Which worker graded it (workers can be threads of one process): a machine, a process, a worker.
        graded.worker = f"{socket.gethostname()}:{os.getpid()}" + (f":{name}" if name is not None else "")
        return graded
    except Exception as error:  # reported for this student; the worker goes on with the next
        return GradedSubmission(submission.student, False, error=f"{type(error).__name__}: {printable(error, 300)}")
    finally:
        here.remove_ended()


def end_run(run, worker=None):
    """The run ended on this worker (its address; None outside Dask): close its hosts there."""
    station(worker).end_run(run)


def stop_run(run):
    """End the run on every worker of this process now, side by side: the local cluster's workers are threads
    of this process. Its hosts end, those grading too (their students reported not graded, as when worker
    processes were killed by Ctrl-C); a host takes about 0.2 s to end, one worker's after another's at the end
    of each run."""
    with _stations_lock:
        stations = list(_stations.values())
    hosts = [host for one in stations for host in one.take_run(run)]
    for host in hosts:
        host.stop()
    for host in hosts:
        try:
            host.wait_stopped()
        except Exception:  # never at a student's cost: the next course made here sweeps it
            pass


class WorkerRun(WorkerPlugin):
    """A grading run's hold on a worker: its teardown (the client unregisters it when the run ends, or the
    worker closes) closes the run's hosts there."""

    def __init__(self, run):
        self.run = run

    def teardown(self, worker):
        end_run(self.run, worker.address)
