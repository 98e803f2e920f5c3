"""Hand in what a copy must not open or follow: a FIFO, a socket file, links to them, to /dev/null and to a folder.

All eight functions are honest. Beside the notebook the submission folder holds a FIFO
(``pipe``), a unix socket file (``socket``), ``answers.ipynb -> pipe`` (a second notebook with
a FIFO behind it), ``zeros -> /dev/null`` and ``fonts -> /etc/fonts`` (bounded stand-ins for
``/dev/zero`` and ``/``: docs/attacks.md, "Thought of, tried", measured the real ones once),
a folder named ``images`` (the assignment's own image folder) holding
``cnn_step_by_step.ipynb -> pipe``, a folder ``...`` and a file named ``..∕..∕gradebook.db``
(division slashes). A copy that opens a FIFO waits for a writer that never comes; one that
follows links copies what they point to (without end for /dev/zero, the whole machine for /);
a grader that takes the second notebook, or the one in images/, grades a FIFO.
Without protection: the batch hangs on this student's copy (nbgrader's own copy of a
submission's files, or shutil.copytree, opens the FIFO).
"""
import os
import stat

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
PROBLEMS = ("left out",)
SYMLINKS = {"answers.ipynb": "pipe", "zeros": "/dev/null", "fonts": "/etc/fonts"}


def PREPARE(folder):
    os.mkfifo(folder / "pipe")
    os.mknod(folder / "socket", 0o600 | stat.S_IFSOCK)
    (folder / "images").mkdir()
    os.symlink("../pipe", folder / "images" / "cnn_step_by_step.ipynb")
    (folder / "...").mkdir()
    (folder / "..." / "notes.txt").write_text("cnnattack_special_files")
    (folder / "..\u2215..\u2215gradebook.db").write_text("cnnattack_special_files")
