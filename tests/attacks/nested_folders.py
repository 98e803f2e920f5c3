"""Hand in a folder nested 1,200 levels deep beside an honest notebook: staging recursed once per level.

Found by the red team's second round (class 3: the grader walks a tree the student made).
All eight functions are honest; beside the notebook the submission holds ``n/n/n/.../n/deep.txt``,
1,200 folders deep (a path of 2,400 characters, under the 4,096 of PATH_MAX).

Without protection: staging (grading/submission_files.py ``copy_submission`` and
``irregular_entries``) walked the folder with ``os.walk``, which in Python 3.11 recurses once per
level: at about 1,000 levels it raised RecursionError, and ``grade_class.prepare``, which stages
every student before any is graded, let it end the run: the grader exited 1 after 2.7 s, no
student of the class graded (measured). ``nbgrader collect`` (grading/owned_collect.py) walked the
same way. Now the walk keeps its own stack and enters at most 32 levels and 1,000 folders; what it
does not enter is left out and named, and a staging error of any kind is that student's problem.
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
