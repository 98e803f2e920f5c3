"""Hand in a dangling symbolic link beside an honest notebook.

The submission folder holds ``key -> /nonexistent/cnnattack_symlink_dangling``. A
grader that copies the folder with shutil.copytree (symlinks followed) gets an error
for this one file; if nothing catches it, the whole batch stops here.
Without protection: the batch stops; every later student ungraded.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
SYMLINKS = {"key": "/nonexistent/cnnattack_symlink_dangling"}
