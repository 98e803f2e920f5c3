"""Run the real nbgrader commands in a course folder and read its gradebook."""
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from course_tools.build_notebook import ASSIGNMENT

NOTEBOOK = ASSIGNMENT  # the assignment's single notebook shares its name


@dataclass
class Course:
    root: Path
    assignment: str = ASSIGNMENT

    def nbgrader(self, *args, check=True):
        """Run one nbgrader command in the course folder, as an instructor would."""
        # nbgrader calls `alembic` by name, so the environment's scripts must be on PATH.
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, env=env,
                                capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    def generate(self):
        return self.nbgrader("generate_assignment", self.assignment, "--force")

    def autograde(self, student=None):
        """Autograde every submission, or one student's."""
        return self.nbgrader("autograde", self.assignment, "--force", *([f"--student={student}"] if student else []))

    @property
    def release_notebook(self):
        return self.root / "release" / self.assignment / f"{NOTEBOOK}.ipynb"

    @property
    def source_notebook(self):
        return self.root / "source" / self.assignment / f"{NOTEBOOK}.ipynb"

    def scores(self):
        """{student: {grade cell: score}} plus each student's total under "total"."""
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            out = {}
            for submission in gradebook.assignment_submissions(self.assignment):
                cells = {grade.name: grade.score for nb in submission.notebooks for grade in nb.grades}
                cells["total"] = submission.score
                out[submission.student_id] = cells
            return out

    def failure_messages(self, student):
        """{grade cell: the one-line error its test cell ended with} from the autograded notebook."""
        path = self.root / "autograded" / student / self.assignment / f"{NOTEBOOK}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        messages = {}
        for cell in nb.cells:
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if cell.metadata.get("nbgrader", {}).get("grade") and errors:
                messages[cell.metadata.nbgrader.grade_id] = f"{errors[0].ename}: {errors[0].evalue}"
        return messages

    def max_scores(self):
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            assignment = gradebook.find_assignment(self.assignment)
            cells = {cell.name: cell.max_score for nb in assignment.notebooks for cell in nb.grade_cells}
            cells["total"] = assignment.max_score
            return cells
