"""The demo classes: submissions made from the release by code, each built to get known scores.

Each assignment has its own demo students (STUDENTS_BY_ASSIGNMENT). Realistic bugs come
from the assignment's corpus (corpus/, corpus/cnn_application/), so every partial student
carries a mistake that the hidden tests are proven to catch. Hostile and broken
submissions edit the notebook through nbformat, never by hand.
"""
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

import nbformat

from course_tools import notebooks
from course_tools.proof import corpus
from course_tools.proof.sample_course import GRADED_FUNCTIONS

DUE = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)
ON_TIME = DUE - timedelta(hours=8)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"

KILL_KERNEL = "\n\nimport os\nos._exit(1)  # ends the Python process mid-notebook\n"
SYNTAX_ERROR = "def zero_pad(X, pad)\n    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))\n"
ENDLESS = "def distribute_value(dz, shape):\n    while True:\n        pass\n"
# Hostile students. Without the sandbox and the grader's own verdict, PATCH_CHECKS
# would earn conv_forward's points with a conv_forward that returns zeros, and
# KILL_GRADER would stop the whole batch.
PATCH_CHECKS = """

# Make every check pass: numpy's comparisons always agree, and any later cell that
# asserts something is replaced by `pass` before it runs.
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
get_ipython().input_transformers_cleanup.append(
    lambda lines: ["pass\\n"] if any("assert" in line for line in lines) else lines)
"""
LAZY_CONV_FORWARD = ("def conv_forward(A_prev, W, b, hparameters):\n"
                     "    m, n_H_prev, n_W_prev, _ = A_prev.shape\n"
                     "    f, _, _, n_C = W.shape\n"
                     "    pad, stride = hparameters['pad'], hparameters['stride']\n"
                     "    n_H = (n_H_prev + 2 * pad - f) // stride + 1\n"
                     "    n_W = (n_W_prev + 2 * pad - f) // stride + 1\n"
                     "    return np.zeros((m, n_H, n_W, n_C)), (A_prev, W, b, hparameters)\n")
KILL_GRADER = """

# Stop the grading of the whole class: kill the process that started this kernel,
# then every other process in sight.
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
"""
# Copied from sam (corpus/right/conv_forward__int_division_and_copies.py, sam's own answer): every name
# changed, the statements that do not depend on one another put in another order, other comments written in.
# The class report lists the pair among its similar submissions.
TIA_CONV_FORWARD = """def conv_forward(A_prev, W, b, hparameters):
    # sizes first
    s, p = hparameters["stride"], hparameters["pad"]
    filt, _, _, channels = W.shape
    count, rows_in, cols_in, _ = A_prev.shape
    rows_out = int((rows_in + 2 * p - filt) / s) + 1
    cols_out = int((cols_in + 2 * p - filt) / s) + 1
    padded = zero_pad(A_prev, p)
    out = np.empty((count, rows_out, cols_out, channels))
    for n in range(count):
        for r in range(rows_out):
            for q in range(cols_out):
                # the slice under the filter
                patch = padded[n, r * s:r * s + filt, q * s:q * s + filt]
                for k in range(channels):
                    out[n, r, q, k] = conv_single_step(patch, W[..., k], b[..., k])
    return out, (A_prev.copy(), W.copy(), b.copy(), dict(hparameters))
"""


@dataclass
class DemoStudent:
    name: str
    story: str
    loses: set = field(default_factory=set)  # graded parts that must score below full; None: every part
    bugs: tuple = ()  # the assignment's corpus entry names, e.g. "conv_forward__ignores_stride"
    answers: dict = field(default_factory=dict)  # solution-cell sources that replace the reference's
    append: dict = field(default_factory=dict)  # code added after the reference's solution
    edit: Callable = None  # nbformat notebook -> None, after filling in
    notebook_name: str = ""  # the notebook's file name: "" for the assignment's own, None for no notebook
    submitted_at: datetime = ON_TIME
    untouched: bool = False
    late_days: int = 0
    problem: str = ""  # a word the grader's report must use for this student


def edit_test_cell(nb):
    """Replace the pool_forward test with a print and claim 100 points for it."""
    for cell in nb.cells:
        if notebooks.grade_id(cell) == "test_pool_forward":
            cell.source = 'print("pool_forward: visible checks passed.")'
            cell.metadata.nbgrader["points"] = 100


def delete_test_cell(nb):
    nb.cells = [c for c in nb.cells if notebooks.grade_id(c) != "test_conv_backward"]


STUDENTS = [
    DemoStudent("ada", "perfect submission"),
    DemoStudent("ben", "ignores the stride in conv_forward", {"conv_forward"}, ("conv_forward__ignores_stride",)),
    DemoStudent("cyd", "un-pads with [pad:-pad] and overwrites overlapping pooling windows",
                {"conv_backward", "pool_backward"},
                ("conv_backward__unpads_with_negative_index", "pool_backward__overwrites_overlaps")),
    DemoStudent("dee", "returns an array from conv_single_step and floors in distribute_value",
                {"conv_single_step", "distribute_value"},
                ("conv_single_step__returns_array", "distribute_value__integer_division")),
    DemoStudent("eli", "ignores the pooling mode", {"pool_forward"}, ("pool_forward__ignores_mode",)),
    DemoStudent("fay", "handed in the release untouched", set(GRADED_FUNCTIONS), untouched=True),
    DemoStudent("gus", "syntax error in zero_pad", {"zero_pad"}, answers={"zero_pad": SYNTAX_ERROR}),
    DemoStudent("hal", "infinite loop in distribute_value", {"distribute_value"},
                answers={"distribute_value": ENDLESS}, problem="timed out"),
    DemoStudent("ivy", "replaced the pool_forward test with a print worth 100 points", {"pool_forward"},
                ("pool_forward__max_over_all_channels",), edit=edit_test_cell),
    DemoStudent("jon", "deleted the conv_backward test cell", {"conv_backward"},
                ("conv_backward__ignores_stride",), edit=delete_test_cell),
    DemoStudent("kim", "perfect, but submitted two days and three hours late",
                submitted_at=DUE + timedelta(days=2, hours=3), late_days=3, problem="late"),
    DemoStudent("lou", "folder without a notebook", set(GRADED_FUNCTIONS), notebook_name=None,
                problem="missing notebook"),
    DemoStudent("max", "perfect, but renamed the notebook", notebook_name="cnn_step_by_step (1)",
                problem="renamed notebook"),
    DemoStudent("noa", "pool_backward's cell ends the Python process", {"pool_backward"},
                append={"pool_backward": KILL_KERNEL}, problem="kernel died"),
    DemoStudent("pat", "conv_forward returns zeros; patches numpy's comparisons and blanks the test lines",
                {"conv_forward"}, answers={"conv_forward": LAZY_CONV_FORWARD}, append={"zero_pad": PATCH_CHECKS}),
    DemoStudent("rex", "reads dA at the window's corner in pool_backward; tries to kill the grader and every process",
                {"pool_backward"}, ("pool_backward__reads_dA_at_input_corner",), append={"zero_pad": KILL_GRADER}),
    # Similar submissions (the class report's section): tia copied sam's conv_forward and disguised it; vic
    # copied uma's conv_backward and create_mask_from_window word for word, bug included: a one-line function,
    # never compared as code, but the two return the same wrong masks (the report's second signal).
    DemoStudent("sam", "wrote conv_forward their own way (right)", bugs=("conv_forward__int_division_and_copies",)),
    DemoStudent("tia", "copied sam's conv_forward, names changed and statements reordered",
                answers={"conv_forward": TIA_CONV_FORWARD}),
    DemoStudent("uma", "wrote conv_backward their own way; marks a window's maximum where x / max(x) == 1",
                {"create_mask_from_window"},
                ("conv_backward__conditional_unpad", "create_mask_from_window__ratio_to_max")),
    DemoStudent("vic", "copied uma's conv_backward and create_mask_from_window word for word",
                {"create_mask_from_window"},
                ("conv_backward__conditional_unpad", "create_mask_from_window__ratio_to_max")),
]

# Part 2's demo class: nine of part 1's students; the others hand in nothing for part 2. The
# training cell runs every function the student wrote, so a bug that stops the network from learning
# costs it too.
APPLICATION_STUDENTS = [
    DemoStudent("ada", "perfect submission"),
    DemoStudent("ben", "takes relu's backward mask from the gradient", {"relu", "training"},
                ("relu__mask_from_gradient",)),
    DemoStudent("cyd", "no max shift in the softmax (overflows on large scores)", {"softmax_cross_entropy"},
                ("softmax_cross_entropy__no_max_shift",)),
    DemoStudent("dee", "update_parameters changes the caller's arrays in place", {"update_parameters"},
                ("update_parameters__in_place",)),
    DemoStudent("eli", "conv_forward_fast pads on one side only",
                {"conv_forward_fast", "conv_forward_fast_speed", "training"}, ("conv_forward_fast__pads_one_side",)),
    DemoStudent("fay", "handed in the release untouched", None, untouched=True),
    DemoStudent("kim", "perfect, but submitted two days and three hours late",
                submitted_at=DUE + timedelta(days=2, hours=3), late_days=3, problem="late"),
    DemoStudent("lou", "folder without a notebook", None, notebook_name=None, problem="missing notebook"),
    DemoStudent("max", "perfect, but renamed the notebook", notebook_name="cnn_application (1)",
                problem="renamed notebook"),
]

# Each assignment's demo class, in the course's order, all due at DUE.
STUDENTS_BY_ASSIGNMENT = {"cnn_step_by_step": STUDENTS, "cnn_application": APPLICATION_STUDENTS}


def student_notebook(student, release, reference, entries):
    if student.untouched:
        return nbformat.from_dict(release)
    answers = dict(reference)
    for bug in student.bugs:
        answers.update(entries[bug].answers)
    answers.update(student.answers)
    for function, code in student.append.items():
        answers[function] = reference[function] + code
    nb = notebooks.fill(release, answers)
    if student.edit:
        student.edit(nb)
    return nb


def write_class(course, students):
    """Write each demo student's folder for the course's assignment into course/submitted/, replacing
    earlier ones."""
    release = notebooks.read(course.release_notebook)
    reference = notebooks.reference_solutions(notebooks.read(course.source_notebook))
    entries = {e.name: e for e in corpus.load(reference, corpus.ASSIGNMENTS[course.assignment])}
    for student in students:
        folder = course.root / "submitted" / student.name / course.assignment
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if student.notebook_name is None:
            (folder / "README.txt").write_text("I could not get Jupyter to save my work, sorry.\n")
        else:
            nb = student_notebook(student, release, reference, entries)
            nbformat.write(nb, str(folder / f"{student.notebook_name or course.notebook}.ipynb"))
        (folder / "timestamp.txt").write_text(student.submitted_at.strftime(TIMESTAMP_FORMAT))
