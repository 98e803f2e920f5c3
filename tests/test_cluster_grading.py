"""A real Dask cluster grading a class into a real PostgreSQL server, both started by the test.

The scheduler and its two worker processes run from an empty folder with no course
and no code of this repository on their path: the grading code reaches them through
the scheduler, each submission and its result travel with the tasks. PostgreSQL is
Debian's server, run as its own `postgres` user when the tests run as root (it
refuses to run as root).
"""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from test_parallel_grading import NAMES, demo_course, gradebook_rows
from conftest import generated_course
from course_tools.grade import grade_class
from course_tools.report import reports

DATABASE = "cnn_course"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_program(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, "PostgreSQL's server is not installed: apt-get install postgresql (.ci/run does)"
    return found[-1]


def as_server_user(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_url():
    folder = Path(tempfile.mkdtemp(prefix="cnn-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    subprocess.run(as_server_user([postgres_program("initdb"), "-D", str(data), "--auth=trust", "-U", "postgres",
                                   "--encoding=UTF8"]), check=True, capture_output=True)
    subprocess.run(as_server_user([postgres_program("pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                                   "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "-w", "start"]),
                   check=True, capture_output=True)
    try:
        # CREATE DATABASE runs outside a transaction
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        yield f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"
    finally:
        subprocess.run(as_server_user([postgres_program("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def dask_cluster(empty, workers, memory_limit="0"):
    """A Dask scheduler and `workers` worker processes (each under a nanny) started from an empty folder with
    no code of this repository on their path; its address."""
    from dask.distributed import Client

    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], cwd=empty, env=environment,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    processes.append(subprocess.Popen([dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                                       "--no-dashboard", "--memory-limit", memory_limit], cwd=empty, env=environment,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    if len(client.scheduler_info()["workers"]) == workers:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the Dask scheduler and its {workers} workers did not start"
            time.sleep(1)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    with dask_cluster(tmp_path_factory.mktemp("nothing-shared"), workers=2) as address:
        yield address


def test_the_workers_hold_no_code_of_the_course_before_grading(scheduler_address):
    from dask.distributed import Client

    def has_grading_code():
        import importlib.util
        return importlib.util.find_spec("grading") is not None

    with Client(scheduler_address) as client:
        assert set(client.run(has_grading_code).values()) == {False}


def test_a_dask_cluster_grades_a_class_into_postgresql_with_the_one_machine_scores(
        postgres_url, scheduler_address, one_worker_class, tmp_path):
    course = demo_course(tmp_path / "on-the-cluster", db_url=postgres_url)
    graded = grade_class.grade_class(course, NAMES, progress=False, scheduler=scheduler_address)
    reports.write_all(course, graded)
    assert not (course.root / "gradebook.db").exists()  # every score went to PostgreSQL
    assert len({g.worker for g in graded if g.worker}) == 2  # both worker processes graded
    local, _ = one_worker_class  # the same class graded on one machine, by one local worker
    assert course.scores() == local.scores()
    assert gradebook_rows(course) == gradebook_rows(local)
    grades = "grades/cnn_step_by_step.csv"
    assert (course.root / grades).read_bytes() == (local.root / grades).read_bytes()


WORKER_MEMORY_MIB = 250  # the nanny restarts its worker at 95 % of it; a worker holds about 120 MiB here


def test_a_student_who_makes_the_grader_big_does_not_make_the_nanny_restart_its_worker(tmp_path_factory):
    """A worker under a nanny with a memory limit, as a real cluster runs them: the grading of a student
    whose notebook makes nbgrader's own work large happens in the worker's grading host, a process the
    nanny does not count, so the worker is never restarted and the student is graded once and for good
    (a restarted worker used to lose its student, and every later run tried it again). Measured with the
    worker grading in its own process (before grading/student_process.py): with this limit the nanny
    restarted the worker during the big reader (its process peaked at 286 MiB) and the worker was lost."""
    from dask.distributed import Client
    from test_student_limits import HONEST, big_reader, reference_notebook, write

    def worker_state():  # sent by value: the workers have none of this repository's code
        import os

        import psutil

        return os.getpid(), psutil.Process().memory_info().rss / 2 ** 20

    course = generated_course(tmp_path_factory.mktemp("big-on-a-cluster"))
    write(course, HONEST[0], reference_notebook(course))
    write(course, "big-reader", big_reader(course))
    write(course, HONEST[1], reference_notebook(course))
    with dask_cluster(tmp_path_factory.mktemp("bounded"), workers=1, memory_limit=f"{WORKER_MEMORY_MIB}MiB") as address:
        with Client(address) as client:
            (before,) = client.run(worker_state).values()
        graded = {g.student: g for g in grade_class.grade_class(course, [HONEST[0], "big-reader", HONEST[1]],
                                                                progress=False, scheduler=address)}
        with Client(address) as client:
            (after,) = client.run(worker_state).values()
    peak = graded["big-reader"].timings["grader_peak_mib"]
    print(f"worker: pid {before[0]} -> {after[0]}, {before[1]:.0f} -> {after[1]:.0f} MiB; the grading host peaked "
          f"at {peak:.0f} MiB grading the big reader; nanny's limit {WORKER_MEMORY_MIB} MiB")
    assert after[0] == before[0]  # the same worker process throughout
    assert all(g.graded and not g.problems for g in graded.values()), {s: g.problems for s, g in graded.items()}
    assert {s: course.scores()[s]["total"] for s in HONEST} == {s: 100 for s in HONEST}
    # Had the worker graded in its own process, as before, it would have held that memory besides its own.
    assert before[1] + peak > 0.95 * WORKER_MEMORY_MIB
