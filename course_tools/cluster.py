"""Where the class is graded: a Dask cluster, local by default.

On one machine a Dask LocalCluster runs one worker process per core, each grading
one submission at a time (and starting its next kernel meanwhile). With a
scheduler's address the same tasks go to a real cluster: its workers need this
course's Python requirements and bubblewrap, nothing else. The grading code
(grading/) is shipped to them through the scheduler; the course materials travel
with the tasks (grading/worker_course.py); no folder is shared.
"""
import contextlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

GRADING_PACKAGE = Path(__file__).resolve().parent.parent / "grading"


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


@contextlib.contextmanager
def grading_client(scheduler=None, workers=None):
    """A Dask client: connected to `scheduler`, or to a local cluster of `workers` processes."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            ship_grading_code(client)
            yield client
        return
    cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR, memory_limit=None)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()
