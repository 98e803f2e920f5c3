"""nbgrader configuration for the course. Read by every nbgrader command run from this folder."""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "cnn-step-by-step"
# The folder layout (source/, release/, submitted/, autograded/, feedback/) and the
# gradebook.db file are nbgrader's defaults, relative to the folder the command runs in.

# Seconds a single cell may run during autograde before it is stopped. A naive
# four-loop solution needs well under a second per test cell (see the README).
c.Execute.timeout = 30


# ------------------------------------------------------------- trusted grading
# Student code is hostile. Autograding runs it in a bubblewrap sandbox with limits,
# and runs the hidden tests here, in the grader, on the values the student's
# functions return (grading/, README "Trusted grading"). TrustedExecute takes the
# place of nbgrader's Execute; the rest of nbgrader's autograde steps are unchanged.
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the grading package beside this file

# nbgrader stamps a new gradebook with its schema version by running `alembic` by name. Started
# without the environment on PATH (`.venv/bin/jupyter lab`, `.venv/bin/nbgrader ...`), it found
# none: Formgrader's first load hung and left a gradebook without its stamp. This Python's
# scripts go first on PATH, so that the alembic beside nbgrader is the one found.
import os  # noqa: E402

_scripts = str(Path(sys.executable).parent)
if _scripts not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _scripts + os.pathsep + os.environ.get("PATH", "")

c.Autograde.autograde_preprocessors = [
    "grading.trusted_execute.TrustedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    # nbgrader's CheckCellMetadata is left out here: the sanitize steps below already checked this
    # notebook's metadata, which grading does not change (it costs a tenth of a second per notebook).
]
# nbconvert validates the whole notebook against its schema after every preprocessor of a conversion: about 20
# times for each submission, 25 ms of a part 1 submission's 0.6 s. Optimistic: once, after the last one. An
# invalid notebook still stops the conversion, and nbgrader reports that student's grading as failed.
c.NotebookExporter.optimistic_validation = True
# A submission holding a symbolic link or a special file is not graded (a link named like
# the notebook, pointing at source/, would be graded as the reference solution).
c.Autograde.sanitize_preprocessors = [
    "grading.submission_files.RefuseLinks",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "grading.submission_files.OverwriteCellsStableIds",  # nbgrader's OverwriteCells, restored cells' ids fixed
    "nbgrader.preprocessors.CheckCellMetadata",
]
# The sandbox's limits, per student (grading/sandbox.py has them all).
c.SandboxedKernelManager.memory_limit = 2 * 1024 ** 3  # bytes
c.SandboxedKernelManager.process_limit = 64  # processes and threads at once
# Once a cell has timed out, later cells get this many seconds each, and this many in all.
c.TrustedExecute.timeout_after_timeout = 2
c.TrustedExecute.budget_after_timeout = 6
# Seconds a notebook may keep its kernel busy in all (a correct one needs about 2).
c.TrustedExecute.notebook_time_limit = 120
# The graded notebook shows each figure as its text, "<Figure size 800x240 with 16 Axes>", without drawing it
# (no grade depends on one; drawing took about 0.4 s of a part 2 notebook). True draws them, as nbgrader does.
c.TrustedExecute.draw_figures = False
# The grader's own work per student in `make grade` (nbgrader's reading and writing, the verdicts): past the
# notebook's time limit plus this many seconds, or past this much memory, the student's grading is stopped
# and reported (grading/student_process.py).
c.StudentLimits.overhead = 60
c.StudentLimits.memory_limit = 2 * 1024 ** 3  # bytes
# Only on a machine where every submission is trusted (every product then says so):
# c.SandboxedKernelManager.sandbox = False

# nbgrader's own feedback (`nbgrader generate_feedback`, Formgrader's Generate Feedback button) is made
# from the autograded notebook, whose test cells and grading kit the gradebook restored with their
# hidden tests, and whose later outputs came from a kernel holding the grader's inputs and reference
# helpers (grading/feedback_page.py). The first two steps show the instructor's cells as the release
# shows them and no output from then on but each test's verdict; the other two are nbgrader's own
# (the scores, the page's style).
c.GenerateFeedback.preprocessors = [
    "grading.feedback_page.ShowNoOutputOnceGradingBegan",
    "grading.feedback_page.ShowOnlyWhatWasReleased",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The student's markdown and the HTML outputs of their own cells are rendered as HTML by Formgrader (manual
# grading: in the Jupyter server's origin, where a script of theirs would act as the instructor) and by
# generate_feedback: nothing in them may run. With sanitize_html on, nbconvert drops script outputs and passes
# HTML through its clean_html filter; the course's (grading/feedback_page.py) keeps what markdown renders to,
# which nbconvert's escapes (every heading, paragraph and image of a page). nbgrader's own templates render
# markdown cells without that filter: the course's markdown2html applies it. docs/attacks.md, class 6.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"clean_html": "grading.feedback_page.clean_html",
                          "markdown2html": "grading.feedback_page.CleanMarkdown"}
# Solutions are handed to students after the deadline (`nbgrader generate_solution`); nbgrader's own
# steps keep the hidden tests and the grading kit in them. ClearHiddenTests takes them out first.
c.GenerateSolution.preprocessors = [
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.Execute",
]

# A student who deletes a test cell (or the grading kit cell) gets it back when
# graded, instead of silently skipping those tests.
c.OverwriteCells.add_missing_cells = True


# ------------------------------------------------------------------- exchange
# nbgrader's exchange inbound is writable by every student, and collect takes a submission by the
# student name in its folder's name: `nbgrader submit --student=<someone else>` would hand work in
# under another's name. This collect (Formgrader's Collect button too) skips folders the named
# student does not own, and says so.
c.ExchangeFactory.collect = "grading.owned_collect.CollectOwnSubmissionsOnly"


# ---------------------------------------------------------------- late penalty
# The due date is the assignment's, in the gradebook (`nbgrader db assignment add
# cnn_step_by_step --duedate="..."`, or set by `make demo` for the demo class).
# A submission's time is its submitted/<student>/cnn_step_by_step/timestamp.txt.
import math  # noqa: E402

from nbgrader.plugins import BasePlugin  # noqa: E402


class PointsPerDayLate(BasePlugin):
    """Take 10 points off per started day late, never more than the score."""

    points_per_day = 10

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / 86400)
        return min(score, days * self.points_per_day)


c.AssignLatePenalties.plugin_class = PointsPerDayLate


# ------------------------------------------------------------------ LMS export
# `nbgrader export --exporter=course_tools.report.lms_export.CanvasExport --assignment=cnn_step_by_step --to=canvas.csv`
# (MoodleExport for Moodle) writes the LMS's grade-import file, late penalties taken off
# (course_tools/report/lms_export.py). Students' ids, names, emails and LMS ids come from the roster:
# `nbgrader db student import roster.csv` (columns id, first_name, last_name, email, lms_user_id).
# Canvas: the assignment's header as Canvas's own export writes it, its name and its Canvas id.
# c.CanvasExport.assignment_columns = {"cnn_step_by_step": "CNN step by step (12345)"}
# Canvas: the nbgrader field in each identity column ("", "id", "email" or "lms_user_id").
# c.CanvasExport.id_field = "lms_user_id"  # Canvas's numeric user id
# c.CanvasExport.sis_user_id_field = ""
# c.CanvasExport.sis_login_id_field = "id"
# Moodle: the user field matched on import ("Map to"): "email", "username" (nbgrader's id) or "idnumber"
# (lms_user_id); and the score column's header, the Moodle grade item's name.
# c.MoodleExport.identity = "email"
# c.MoodleExport.grade_items = {"cnn_step_by_step": "CNN step by step"}
# Both: a student with no submission gets 0 ("zero"), or no grade ("blank").
# c.LmsExport.no_submission = "zero"
