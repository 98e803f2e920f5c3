"""What nbgrader's own `generate_feedback` (Formgrader's Generate Feedback button) may show a student.

The autograded notebook is the grader's working copy: nbgrader's OverwriteCells put back every
test cell, and the grading kit cell, as the gradebook keeps them, hidden tests and all (part 2's
kit holds the reference layers it lends a student's kernel). nbgrader's feedback converter turns
that copy into HTML as it is (upstream issue 917), so the page a student receives held every
hidden line. Its outputs are no safer: from the first grade cell on, the grader sends the hidden
cases' inputs and, for a function graded apart from its helpers, the reference helpers' source into
the student's kernel, where the student's code can record them and print them in a later cell.

`nbgrader_config.py` runs both steps below before nbgrader's own (GetGrades, the page's style): the
page shows each cell the instructor owns as the release shows it, the student's own code, the
outputs of the cells that ran before grading began, each test's verdict, and the scores.
"""
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

NOT_SHOWN = ("[not shown on this page: this cell ran after grading began, when the grader's inputs and reference "
             "helpers were in the kernel. Your own notebook has its output.]\n")


class ShowOnlyWhatWasReleased(ClearHiddenTests):
    """Clear the hidden-test regions of the grade cells, as generate_assignment did for the release.

    Only grade cells are touched: they are the only cells whose source comes from the gradebook
    (OverwriteCells), so their regions are the instructor's. A student's own cell is left as
    written, markers included: a student who types "### BEGIN HIDDEN TESTS" into an answer hides
    nothing but their own code, and must not stop the page from being written.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_grade(cell):
            self._remove_hidden_test_region(cell)
        return cell, resources


class ShowNoOutputOnceGradingBegan(NbGraderPreprocessor):
    """From the first grade cell on, a code cell shows no output but a test's verdict (its errors).

    A test cell's errors are the verdict the grades rest on, the same sentences as make grade's
    pages; every other output there, and every output of a later cell, came from the student's
    kernel after the grader had put its inputs and reference helpers into it.
    """

    def preprocess(self, nb, resources):
        began = False
        for cell in nb.cells:
            began = began or utils.is_grade(cell)
            if began and cell.cell_type == "code":
                verdict = [o for o in cell.get("outputs", []) if o.output_type == "error"] \
                    if utils.is_grade(cell) else []
                hidden = len(cell.get("outputs", [])) > len(verdict)
                cell.outputs = verdict + ([new_output("stream", name="stdout", text=NOT_SHOWN)] if hidden else [])
        return nb, resources
