"""Grade one submission on a worker, in a private course folder, and send the result back as data.

The class pipeline (course_tools/grade/grade_class.py) hands each submission to a worker:
a process on this machine, or a Dask worker on another. No folder is shared. The
worker receives the course materials once (``CourseMaterials``: nbgrader_config.py,
the grading package, the assignment's non-notebook files, and the assignment as the
gradebook defines it: its cells, hidden tests, points and due date), and its grading
host (grading/student_process.py) builds a private course from them; then for each
submission (``Submission``: a student's files, as bytes) the host runs the real
``nbgrader autograde`` in that private course, with every protection of the
trusted grader (a fresh sandboxed kernel per notebook, the verdict outside it). What
comes back (``GradedSubmission``) is plain data: the autograded folder's files, the
scores and comments nbgrader saved, the log, and where the time went. The
instructor's gradebook is written by the pipeline alone.

The private course holds the source notebook (solutions, hidden tests) and a
gradebook, and, while a submission is graded, everything the grading makes in the
temp folder (kernels' connection files, the kernel template's folder): it lives as
long as its host, which ends with the grading run (grading/worker_runs.py). A
finaliser removes it when the host exits; a course left by a host that was killed is
removed by the next course made on that machine (grading/owned_folders.py).
"""
import functools
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import nbgrader.api
from nbgrader.api import Base, Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from sqlalchemy import create_engine, event, text
from traitlets.config.loader import PyFileConfigLoader

from grading import gradebook_record, owned_folders
from grading.text import keep_records_printable, printable

COURSE_PREFIX = "cnn-grading-course-"

CELL_FIELDS = {  # what the gradebook stores of an assignment's cells, per kind
    "grade_cells": ("name", "max_score", "cell_type"),
    "solution_cells": ("name",),
    "task_cells": ("name", "max_score", "cell_type"),
    "source_cells": ("name", "cell_type", "locked", "source", "checksum"),
}
ADD_CELL = {"grade_cells": "update_or_create_grade_cell", "solution_cells": "update_or_create_solution_cell",
            "task_cells": "update_or_create_task_cell", "source_cells": "update_or_create_source_cell"}


@dataclass
class CourseMaterials:
    course_id: str
    assignment: str
    files: dict  # relative path -> bytes: nbgrader_config.py, grading/, source/<assignment>/ (no notebooks)
    definition: dict  # the assignment as the gradebook holds it (export_assignment)
    schema_version: str = ""  # the gradebook's alembic version, so that a worker need not run alembic

    @functools.cached_property
    def fingerprint(self):
        digest = hashlib.sha256(json.dumps(self.definition, sort_keys=True, default=str).encode())
        for path in sorted(self.files):
            digest.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        return digest.hexdigest()


@dataclass
class Submission:
    student: str
    files: dict  # relative path -> bytes, the notebook under its expected name


@dataclass
class GradedSubmission:
    student: str
    success: bool
    log: str = ""
    files: dict = field(default_factory=dict)  # the autograded folder: relative path -> bytes
    record: dict = None  # what nbgrader saved in the gradebook (grading.gradebook_record.read_record)
    timings: dict = field(default_factory=dict)  # seconds: "autograde", and TrustedExecute's own split
    error: str = ""  # set when the worker itself failed (not nbgrader's verdict): a rerun tries again
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


def export_assignment(gradebook, assignment):
    """The assignment's definition in the gradebook, as plain data."""
    found = gradebook.find_assignment(assignment)
    notebooks = []
    for notebook in found.notebooks:
        entry = {"name": notebook.name}
        for kind, fields in CELL_FIELDS.items():
            entry[kind] = [{f: getattr(cell, f) for f in fields} for cell in getattr(notebook, kind)]
        notebooks.append(entry)
    return {"name": found.name, "duedate": found.duedate.isoformat() if found.duedate else None,
            "notebooks": notebooks}


def import_assignment(gradebook, definition):
    from datetime import datetime

    duedate = datetime.fromisoformat(definition["duedate"]) if definition["duedate"] else None
    gradebook.update_or_create_assignment(definition["name"], duedate=duedate)
    for notebook in definition["notebooks"]:
        gradebook.update_or_create_notebook(notebook["name"], definition["name"])
        for kind, add in ADD_CELL.items():
            for cell in notebook[kind]:
                values = dict(cell)
                getattr(gradebook, add)(values.pop("name"), notebook["name"], definition["name"], **values)


def schema_version(gradebook):
    return gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""


def create_gradebook(db_url, version):
    """An empty gradebook with nbgrader's tables and its alembic stamp, as nbgrader's Gradebook makes one,
    without the `alembic heads` process it starts to learn the version (a second of a worker's start)."""
    engine = create_engine(db_url)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:version)"),
                               {"version": version})
    finally:
        engine.dispose()


_shared_engines = {}  # db_url -> the one engine of a worker's private gradebook
_create_engine = nbgrader.api.create_engine


def _engine_for(db_url, *args, **kwargs):
    return _shared_engines.get(str(db_url)) or _create_engine(db_url, *args, **kwargs)


def share_one_engine(db_url):
    """Let every Gradebook that nbgrader opens on `db_url` in this process use one SQLAlchemy engine.

    nbgrader opens the gradebook about a dozen times per notebook, each time with a new
    engine: a new SQLite connection and an empty cache of compiled SQL. Sharing one saves
    about 0.07 s per submission (measured on one worker: nbgrader's own work 0.14 s to
    0.11 s, the record read and cleanup after it 0.05 s to 0.02 s). Only for the worker's
    private gradebook, which nothing else writes and which lives as long as the process:
    any other database gets its own engine, as nbgrader makes it.
    """
    nbgrader.api.create_engine = _engine_for
    engine = _create_engine(db_url, echo=False, future=True)
    event.listen(engine, "connect", without_syncing)
    # nbgrader's Gradebook disposes of its engine as it closes, about a dozen times a submission: the shared one
    # keeps its connection instead (2.5 ms a Gradebook, measured), and is disposed of with the course (remove).
    engine.dispose = lambda *args, **kwargs: None
    _shared_engines[db_url] = engine


class OneValidatorPerSchema:
    """What nbgrader's cell metadata check (nbgrader.nbgraderformat.common) uses of jsonschema: `validate`, with
    one validator per schema. jsonschema.validate checks the schema itself before each use, and nbgrader calls it
    for every cell of every notebook it reads, about 20 times a submission: 29 ms of a part 1 submission's 0.64 s
    (measured with cProfile on one worker). The schema is nbgrader's own file; the check of each cell is the same
    (jsonschema's own steps: the schema's validator class, its best-matching error raised)."""

    def __init__(self):
        import jsonschema

        self.jsonschema = jsonschema
        self.validators = {}

    def __getattr__(self, name):
        return getattr(self.jsonschema, name)

    def validate(self, instance, schema):
        key = json.dumps(schema, sort_keys=True)
        validator = self.validators.get(key)
        if validator is None:
            kind = self.jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validator = self.validators[key] = kind(schema)
        error = self.jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


def check_metadata_with_one_validator():
    import nbgrader.nbgraderformat.common as metadata_check

    if not isinstance(metadata_check.jsonschema, OneValidatorPerSchema):
        metadata_check.jsonschema = OneValidatorPerSchema()


def without_syncing(connection, _):
    """A private gradebook's SQLite connection that does not wait for the disk: nbgrader commits a dozen
    times per submission, and each commit waited for two syncs (0.27 s of a part 1 submission's 1.1 s,
    measured on ext4). The file is the worker's scratch copy, rebuilt if the worker dies; the course's own
    gradebook is written, synced, by the pipeline alone."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous = OFF")
    cursor.execute("PRAGMA journal_mode = MEMORY")
    cursor.close()


def write_files(folder, files):
    for relative, data in files.items():
        path = Path(folder) / relative
        if Path(os.path.normpath(path)).is_relative_to(folder):  # never outside the folder
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def read_files(folder):
    """{relative path: bytes} of the regular files below folder (links are not followed)."""
    folder = Path(folder)
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink()}


# Added to the course's own configuration in a worker's private course.
WORKER_CONFIG = """

# ------------------------------------------------- a worker's private course
c.SandboxedKernelManager.from_template = True  # kernels forked from a warm template (grading/kernel_template.py)
c.CourseDirectory.db_url = "sqlite:///{db}"
"""


def reset_peak_memory():
    """Start this process's peak resident size (VmHWM) afresh: the next reading is one student's (the
    grader's own work: nbgrader, the hidden tests, decoding; the kernel is another process)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_memory_mib():
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), None)


class WorkerCourse:
    """A private course folder built from the materials, where submissions are autograded one at a time."""

    def __init__(self, materials):
        self.materials = materials
        # nbgrader stamps a new gradebook by running `alembic` by name: this Python's scripts must be on PATH.
        scripts = str(Path(sys.executable).parent)
        if scripts not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
        owned_folders.remove_abandoned(COURSE_PREFIX)
        self.root = owned_folders.make(COURSE_PREFIX)
        self._remove = weakref.finalize(self, remove_course, self.root)  # at the latest when the process exits
        (self.root / "tmp").mkdir()
        write_files(self.root, materials.files)
        with open(self.root / "nbgrader_config.py", "a") as config:
            config.write(WORKER_CONFIG.format(db=self.root / "gradebook.db"))
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        if materials.schema_version:
            create_gradebook(self.db_url, materials.schema_version)
        share_one_engine(self.db_url)
        check_metadata_with_one_validator()
        with Gradebook(self.db_url, materials.course_id) as gradebook:
            import_assignment(gradebook, materials.definition)
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        self.api = NbGraderAPI(config=config)
        # nbgrader's records quote the student's file names and notebook: one record, one printable line of the
        # log that goes back (the pipeline's log and the problems it reports are made from it).
        keep_records_printable(self.api.log)

    def grade(self, submission):
        from grading.trusted_execute import TrustedExecute

        assignment, student = self.materials.assignment, submission.student
        submitted = self.root / "submitted" / student / assignment
        autograded = self.root / "autograded" / student / assignment
        shutil.rmtree(submitted.parent, ignore_errors=True)
        write_files(submitted, submission.files)
        TrustedExecute.last_timings = {}
        reset_peak_memory()
        started = time.perf_counter()
        # What the grading makes in the temp folder (jupyter_client's connection files, the kernel template's
        # folder when it starts) goes into the course, and is removed with it even if this process is killed.
        temp_folder, tempfile.tempdir = tempfile.tempdir, str(self.root / "tmp")
        try:
            try:
                outcome = self.api.autograde(assignment, student, force=True, create=True)
            finally:
                tempfile.tempdir = temp_folder
            seconds = time.perf_counter() - started
            result = GradedSubmission(student, outcome["success"], outcome.get("log", ""),
                                      timings=dict(TrustedExecute.last_timings, autograde=seconds,
                                                   grader_peak_mib=peak_memory_mib()))
            if result.success:
                result.files = read_files(autograded)
            with Gradebook(self.db_url, self.materials.course_id) as gradebook:
                try:  # also when nbgrader failed after recording the submission: its scores are then empty
                    result.record = gradebook_record.read_record(gradebook, assignment, student)
                except MissingEntry:
                    pass
            return result
        finally:
            self.forget(student)

    def forget(self, student):
        """Remove what grading the student left in the course: its folders and its gradebook rows."""
        shutil.rmtree(self.root / "submitted" / student, ignore_errors=True)
        shutil.rmtree(self.root / "autograded" / student, ignore_errors=True)
        with Gradebook(self.db_url, self.materials.course_id) as gradebook:
            try:
                gradebook.remove_student(student)
            except Exception:
                pass  # never created: nbgrader stopped before

    def remove(self):
        engine = _shared_engines.pop(self.db_url, None)
        if engine is not None:
            type(engine).dispose(engine)  # the engine's own dispose (share_one_engine replaced it)
        self._remove()


def remove_course(root):
    from grading import kernel_template

    kernel_template.close_all()  # its folder may lie in the course (see WorkerCourse.grade)
    owned_folders.remove(root)


def check_worker(config_text=""):
    """Whether this machine can grade: bubblewrap and (as root) cgroups present. Raises SandboxUnavailable."""
    from grading import sandbox

    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "nbgrader_config.py").write_text(config_text)
        config = PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
    return sandbox.sandbox_in_use(config)
