"""What nbgrader's own `generate_feedback` (Formgrader's Generate Feedback button) may show a student.

The autograded notebook is the grader's working copy: nbgrader's OverwriteCells put back every
test cell, and the grading kit cell, as the gradebook keeps them, hidden tests and all (part 2's
kit holds the reference layers it lends a student's kernel). nbgrader's feedback converter turns
that copy into HTML as it is (upstream issue 917), so the page a student receives held every
hidden line. `nbgrader_config.py` puts `ShowOnlyWhatWasReleased` first in
`GenerateFeedback.preprocessors`: each cell the instructor owns is shown as the release shows it,
and the student's own cells, the outputs and the scores stay.
"""
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests


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
