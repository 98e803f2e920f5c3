"""Run the real nbgrader commands in a course folder and read its gradebook, one assignment at a time.

An assignment's notebook shares its name (source/<assignment>/<assignment>.ipynb), and its graded
parts are read from the gradebook, so the same code serves every assignment of the course.
"""
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader

from course_tools import notebooks
from grading.text import quoted, type_name

ROOT = Path(__file__).resolve().parent.parent  # this repository: the course as it ships
ASSIGNMENTS = ("cnn_step_by_step", "cnn_application")  # part 1, part 2: each notebook shares its assignment's name
ASSIGNMENT = ASSIGNMENTS[0]


NOT_IMPLEMENTED = "not implemented yet: the function still raises NotImplementedError"


def plain_message(errors):
    """One line saying why a cell failed, from its error outputs, never quoting the cell's source.

    nbclient's timeout message previews the cell's code (hidden tests included), so
    a timeout gets a fixed sentence instead.
    """
    names = [e.ename for e in errors]
    if "CellTimeoutError" in names:
        return "the cell ran longer than the cell timeout and was stopped (an endless loop?)"
    error = errors[0]
    if error.ename == "NotImplementedError":
        return NOT_IMPLEMENTED
    # ename and evalue may be what the student's code raised, after it saw the hidden inputs: the grader
    # (TrustedExecute) made them short plain ASCII, and so does the page (grading/text.py), whoever graded.
    message = quoted(error.evalue or "", 300)
    return f"{type_name(error.ename)}: {message}" if message else type_name(error.ename)


def released_assignments(root):
    """The assignments released in the course at `root` (release/<assignment>/<assignment>.ipynb): the
    course's own (ASSIGNMENTS) in its order, then any other by name."""
    found = {path.stem for path in Path(root).glob("release/*/*.ipynb") if path.stem == path.parent.name}
    ours = [name for name in ASSIGNMENTS if name in found]
    return ours + sorted(found - set(ours))


@dataclass
class Course:
    root: Path
    assignment: str = ASSIGNMENT

    @property
    def notebook(self):
        """The assignment's single notebook, named after it."""
        return self.assignment

    def nbgrader(self, *args, check=True):
        """Run one nbgrader command in the course folder, as an instructor would."""
        # nbgrader calls `alembic` by name, so the environment's scripts must be on PATH.
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, env=env,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    def config(self):
        """The course's nbgrader configuration, as nbgrader reads it from nbgrader_config.py."""
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        return config

    @property
    def db_url(self):
        """The gradebook's database: nbgrader_config.py's CourseDirectory.db_url, else gradebook.db here."""
        if not hasattr(self, "_db_url"):
            configured = self.config().CourseDirectory.get("db_url")
            self._db_url = configured or f"sqlite:///{self.root / 'gradebook.db'}"
        return self._db_url

    @property
    def course_id(self):
        return self.config().CourseDirectory.get("course_id") or ""

    def gradebook(self):
        """nbgrader's gradebook of this course, to use in a `with` block."""
        return Gradebook(self.db_url)

    def generate(self):
        return self.nbgrader("generate_assignment", self.assignment, "--force")

    def autograde(self, student=None):
        """Autograde every submission, or one student's."""
        return self.nbgrader("autograde", self.assignment, "--force", *([f"--student={student}"] if student else []))

    @property
    def release_notebook(self):
        return self.root / "release" / self.assignment / f"{self.notebook}.ipynb"

    @property
    def source_notebook(self):
        return self.root / "source" / self.assignment / f"{self.notebook}.ipynb"

    def scores(self):
        """{student: {grade cell: score}} plus each student's total under "total"."""
        with self.gradebook() as gradebook:
            out = {}
            for submission in gradebook.assignment_submissions(self.assignment):
                cells = {grade.name: grade.score for nb in submission.notebooks for grade in nb.grades}
                cells["total"] = submission.score
                out[submission.student_id] = cells
            return out

    def students(self):
        with self.gradebook() as gradebook:
            return [s.id for s in gradebook.students]

    def late_penalties(self):
        """{student: points taken off by the late-submission plugin}."""
        with self.gradebook() as gradebook:
            return {s.student_id: s.late_submission_penalty or 0
                    for s in gradebook.assignment_submissions(self.assignment)}

    def add_student(self, student):
        with self.gradebook() as gradebook:
            gradebook.update_or_create_student(student)

    def configure(self, settings):
        """Add {"Class.trait": value} settings to the course's nbgrader_config.py, after (so over) its own."""
        with open(self.root / "nbgrader_config.py", "a") as config:
            config.write("\n" + "".join(f"c.{name} = {value!r}\n" for name, value in settings.items()))

    def set_due_date(self, due):
        with self.gradebook() as gradebook:
            gradebook.update_or_create_assignment(self.assignment, duedate=due)

    def autograded_notebook(self, student):
        return self.root / "autograded" / student / self.assignment / f"{self.notebook}.ipynb"

    def failure_messages(self, student):
        """{grade cell: a plain one-line reason it failed}, read from the autograded notebook."""
        path = self.autograded_notebook(student)
        if not path.exists():
            return {}
        nb = nbformat.read(str(path), as_version=4)
        messages = {}
        for cell in nb.cells:
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if cell.metadata.get("nbgrader", {}).get("grade") and errors:
                messages[cell.metadata.nbgrader.grade_id] = plain_message(errors)
        return messages

    def graded_cells(self):
        """{test cell: points possible} of the assignment's notebook, in notebook order, leaving out cells worth
        no points (part 1's grading kit). The gradebook keeps no order of cells, so the release gives it."""
        with self.gradebook() as gradebook:
            notebook = gradebook.find_notebook(self.notebook, self.assignment)
            cells = {cell.name: cell.max_score for cell in notebook.grade_cells if cell.max_score}
        order = [notebooks.grade_id(cell) for cell in notebooks.read(self.release_notebook).cells]
        return dict(sorted(cells.items(), key=lambda item: order.index(item[0])))

    def max_scores(self):
        with self.gradebook() as gradebook:
            assignment = gradebook.find_assignment(self.assignment)
            cells = {cell.name: cell.max_score for nb in assignment.notebooks for cell in nb.grade_cells}
            cells["total"] = assignment.max_score
            return cells
