"""Hand in a folder nested 1,200 levels deep beside an honest notebook: staging recurses once per level.

WON (class 2/3: the grader walks a tree the student made, without bound): the whole
`make grade` stops, every student ungraded.

All eight functions are honest; beside the notebook the submission holds ``n/n/n/.../n/deep.txt``,
1,200 folders deep (a path of 2,400 characters, under the 4,096 of PATH_MAX). Staging
(course_tools/grade_class.py ``stage`` → grading/submission_files.py ``copy_submission`` and
``irregular_entries``) walks the folder with ``os.walk``, which in Python 3.11 recurses once
per level: at about 1,000 levels it raises RecursionError. ``grade_class.prepare`` stages
every student before any is graded and catches nothing, so the exception ends
``grade_class``: no student of the class is graded, no feedback, no report (measured through
_measure.py: the grader exits 1 with RecursionError in os.walk, in about 2 s). The same walk
is ``nbgrader collect``'s (grading/owned_collect.py ``do_copy`` → ``copy_submission``, which
catches only OSError): one student's folder in the exchange inbound stops the class's
collect. ``worker_course.read_files`` (``Path.rglob``) and ``shutil.copytree`` recurse too.

Root cause: grading/submission_files.py ``irregular_entries`` and ``copy_submission`` (os.walk,
recursive in 3.11; no bound on depth or on the number of folders: MAX_FILES counts files
only), and course_tools/grade_class.py ``prepare``, which lets one student's staging error
end the run. A fix: walk with an explicit stack and a depth and folder-count bound (refuse
"too deep"), and make a staging error that student's problem, as a worker's error is.

Reproduce:

    cp tests/attacks_pending/nested_folders.py tests/attacks/
    .venv/bin/python tests/attacks/_measure.py nested-folders
    rm tests/attacks/nested_folders.py

(_measure removes the course with shutil.rmtree, which recurses too and leaves the deep
folder under /tmp/cnnatk-measure-*: remove it with ``rm -rf``.)
Without protection (474bd58's shutil.copytree): the same RecursionError, the same stop.
"""
import os

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
DEPTH = 1200


def PREPARE(folder):
    path = str(folder)
    for _ in range(DEPTH):
        path = os.path.join(path, "n")
        os.mkdir(path)
    with open(os.path.join(path, "deep.txt"), "w") as handle:
        handle.write("cnnattack_nested_folders")
