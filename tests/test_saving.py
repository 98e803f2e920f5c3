"""The coordinator saves the results that arrive together in one gradebook transaction (grade_class.save_results):
every one of them lands, with its note for reruns; one that cannot be saved costs the others nothing."""
import dataclasses

import pytest
from sqlalchemy import event

from conftest import generated_course
from course_tools.grade import grade_class
from course_tools.proof import demo_class
from course_tools.proof.sample_course import graded_on_a_host


@pytest.fixture(scope="module")
def graded_once(tmp_path_factory):
    """A course and one reference submission as a worker's grading host returns it."""
    course = generated_course(tmp_path_factory.mktemp("saving"))
    demo_class.write_class(course, [demo_class.DemoStudent("ref", "reference solution")])
    graded, problems = graded_on_a_host(course, "ref")
    assert graded.success, graded.error or graded.log
    return course, graded, problems


def arrivals(graded, problems, names):
    return [(name, dataclasses.replace(graded, student=name), problems, f"key-{name}") for name in names]


def saved_state(course, student):
    return (course.autograded_notebook(student).parent / grade_class.STATE_NAME).exists()


def test_results_that_arrive_together_are_saved_together(graded_once):
    course, graded, problems = graded_once
    names = ["amy", "bob", "cy"]
    commits = []
    with course.gradebook() as gradebook:
        event.listen(gradebook.db.get_bind(), "commit", lambda connection: commits.append(1))
        results = grade_class.save_results(course, gradebook, arrivals(graded, problems, names))
    assert [r.student for r in results] == names and all(r.graded for r in results)
    assert len(commits) == 1  # nbgrader's Gradebook alone commits three times a student
    scores = course.scores()
    assert all(scores[name]["total"] == 100 for name in names)
    assert all(saved_state(course, name) for name in names)


def test_a_result_that_cannot_be_saved_costs_the_others_nothing(graded_once):
    course, graded, problems = graded_once
    broken = dataclasses.replace(graded, student="dan", record={
        **graded.record, "notebooks": {"no_such_notebook": next(iter(graded.record["notebooks"].values()))}})
    batch = arrivals(graded, problems, ["eve"]) + [("dan", broken, problems, "key-dan")] + arrivals(
        graded, problems, ["fox"])
    with course.gradebook() as gradebook, pytest.raises(Exception, match="no_such_notebook|No such"):
        grade_class.save_results(course, gradebook, batch)
    scores = course.scores()
    assert scores["eve"]["total"] == scores["fox"]["total"] == 100
    assert saved_state(course, "eve") and saved_state(course, "fox") and not saved_state(course, "dan")


def test_a_failed_autograde_saves_no_scores_even_if_nbgrader_recorded_some(graded_once):
    """nbgrader validates the notebook once, after its last step (optimistic_validation), so a notebook found
    invalid there has had its scores saved by SaveAutoGrades first: the student is recorded, with no points,
    and a score of an earlier run does not stay."""
    course, graded, problems = graded_once
    with course.gradebook() as gradebook:
        grade_class.save_results(course, gradebook, arrivals(graded, problems, ["gil"]))
    assert course.scores()["gil"]["total"] == 100
    failed = dataclasses.replace(graded, student="gil", success=False,
                                 log="[ERROR] Notebook is invalid after preprocessor LimitOutput\n")
    with course.gradebook() as gradebook:
        result, = grade_class.save_results(course, gradebook, [("gil", failed, problems, "key-gil-2")])
    assert not result.graded and any(p.startswith("not graded") for p in result.problems)
    assert not course.scores()["gil"]["total"]
