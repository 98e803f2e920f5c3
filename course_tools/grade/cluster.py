"""Where the class is graded: a Dask cluster, local by default.

On one machine a Dask LocalCluster runs one worker per core, each grading one
submission at a time (and starting its next kernel meanwhile). Its workers are threads
of this process: each only sends a submission to its grading host, a process of its
own (grading/student_process.py), and waits for the answer, so worker processes would
add only their start (about 2.4 CPU-seconds for two, measured: a part 1 run's
whole fixed cost is about 7) and a copy of every result on its way back. With a
scheduler's address the same tasks go to a real cluster: its workers need this
course's Python requirements and bubblewrap, nothing else. The grading code
(grading/) is shipped to them through the scheduler; the course materials travel
with the tasks (grading/worker_course.py); no folder is shared.

Nothing is left in the temp folder. Each worker's private course goes when the
run's client unregisters its ``WorkerRun`` plugin, or when the worker closes. The
local cluster keeps Dask's scratch space in a folder of its own, removed with it;
after it closes, the courses of workers that ended mid-submission (Ctrl-C) are
removed here, as are, at the start of a run, the folders of runs that were killed.
"""
import contextlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

from course_tools.course import ROOT
from grading import owned_folders, worker_course, worker_runs

GRADING_PACKAGE = ROOT / "grading"
SCRATCH_PREFIX = "cnn-grading-dask-"  # the local cluster's Dask scratch space


def default_workers():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def ship_grading_code(client):
    """Send the grading package to every worker, present and future (Dask's upload_file)."""
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "cnn_grading_code.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in sorted(GRADING_PACKAGE.glob("*.py")):
                zipped.write(path, f"grading/{path.name}")
        client.upload_file(str(archive))


def remove_leftovers():
    """Remove what gradings on this machine left in the temp folder when they were killed: the folders of
    processes that are gone (grading/owned_folders.py)."""
    for prefix in (worker_course.COURSE_PREFIX, SCRATCH_PREFIX):
        owned_folders.remove_abandoned(prefix)


@contextlib.contextmanager
def grading_client(scheduler=None, workers=None):
    """A Dask client: connected to `scheduler`, or to a local cluster of `workers` threads. The grading
    run is the client's: grade_on_worker takes its id, and its courses on the workers end with it."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            ship_grading_code(client)
            with run_on_workers(client):
                yield client
        return
    scratch = owned_folders.make(SCRATCH_PREFIX)
    try:
        with dask.config.set({"temporary-directory": str(scratch)}):
            # Dask's HTTP servers (health and metrics) still start without a dashboard, on every interface
            # and the scheduler's on port 8787: here only this machine reaches them.
            cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, processes=False,
                                   dashboard_address=None, silence_logs=logging.ERROR, memory_limit=None,
                                   worker_dashboard_address="127.0.0.1:0",
                                   scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        try:
            with Client(cluster) as client, run_on_workers(client):
                try:
                    yield client
                finally:
                    worker_runs.stop_run(client.id)
        finally:
            cluster.close()
    finally:
        owned_folders.remove(scratch)
        owned_folders.remove_abandoned(worker_course.COURSE_PREFIX)  # of the workers that just ended


@contextlib.contextmanager
def run_on_workers(client):
    """Register the run's WorkerRun plugin on every worker; unregistering it removes the run's courses."""
    name = f"cnn-grading-run-{client.id}"
    client.register_plugin(worker_runs.WorkerRun(client.id), name=name)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # the scheduler may be gone: its workers' teardown then does it
            client.unregister_worker_plugin(name)
