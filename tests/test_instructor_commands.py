"""The README's instructor commands work as written, also when the environment is not activated."""
import os
import sqlite3
import subprocess
import sys

from conftest import new_course


def test_a_gradebook_made_without_the_environment_on_path_gets_its_schema_stamp(tmp_path):
    # As `.venv/bin/jupyter lab` (Formgrader) or `.venv/bin/nbgrader` would run: the venv's Python, but
    # a PATH without the venv's scripts, where nbgrader looks for `alembic`.
    course = new_course(tmp_path)
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/bin:/bin"
    done = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "add", "ada"], cwd=course.root,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(course.root / "gradebook.db") as db:
        stamps = db.execute("SELECT version_num FROM alembic_version").fetchall()
        students = db.execute("SELECT id FROM student").fetchall()
    assert len(stamps) == 1 and stamps[0][0]
    assert students == [("ada",)]


def test_nbgrader_starts_without_the_slow_iri_grammar():
    """Every nbgrader command and grading worker imports nbformat, and with it jsonschema. jsonschema 4.24 and
    later import rfc3987-syntax when it is installed, which builds a grammar at import (about 1 s of CPU, so
    nbgrader's start took 2.2 s instead of 1.0): requirements.txt holds jsonschema below that."""
    done = subprocess.run([sys.executable, "-c", "import sys, nbgrader.apps, nbformat\n"
                                                 "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                                                 "('rfc3987_syntax', 'lark')))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
