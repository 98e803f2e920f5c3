"""`nbgrader validate`, as a student runs it, passes a filled-in release and fails an untouched one."""
import pytest

from conftest import GRADED_FUNCTIONS
from course_tools import notebooks


@pytest.fixture(scope="module")
def filled_and_untouched(released_course, release_nb, reference_answers, tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    filled, untouched = folder / "filled.ipynb", folder / "untouched.ipynb"
    notebooks.nbformat.write(notebooks.fill(release_nb, reference_answers), str(filled))
    notebooks.nbformat.write(release_nb, str(untouched))
    return filled, untouched


def validate(course, path):
    return course.nbgrader("validate", str(path), check=False)


def test_filled_in_release_validates(released_course, filled_and_untouched):
    result = validate(released_course, filled_and_untouched[0])
    assert result.returncode == 0
    assert "Success! Your notebook passes all the tests." in result.stdout


def test_untouched_release_fails_validation(released_course, filled_and_untouched):
    result = validate(released_course, filled_and_untouched[1])
    assert "VALIDATION FAILED" in result.stdout
    assert all(f"{name}(" in result.stdout for name in GRADED_FUNCTIONS)
