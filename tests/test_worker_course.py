"""The grader's shortcuts into nbgrader (grading/worker_course.py, grading/gradebook_record.py) check and save what
nbgrader itself checks and saves."""
import copy

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from course_tools.course import ROOT
from grading.worker_course import OneValidatorPerSchema


def nbgrader_metadata():
    """Every cell's nbgrader metadata in both source notebooks."""
    found = []
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        found += [cell.metadata["nbgrader"] for cell in nbformat.read(path, as_version=4).cells
                  if "nbgrader" in cell.metadata]
    return found


def broken(metadata):
    """Ways a submission's cell metadata can break nbgrader's schema."""
    for key, value in [("points", "ten"), ("grade", "yes"), ("grade_id", 7), ("locked", None), ("solution", [])]:
        changed = copy.deepcopy(dict(metadata))
        changed[key] = value
        yield changed
    missing = copy.deepcopy(dict(metadata))
    del missing["locked"]  # required
    yield missing


def outcome(check, instance, schema):
    try:
        check(instance, schema)
    except jsonschema.ValidationError as error:
        return error.message, list(error.path)
    return None


@pytest.mark.parametrize("index", range(0, 12))
def test_one_validator_per_schema_refuses_what_jsonschema_validate_refuses(index):
    schema = MetadataValidator().schema
    metadata = nbgrader_metadata()
    ours = OneValidatorPerSchema()
    for instance in [metadata[index % len(metadata)], *broken(metadata[index % len(metadata)])]:
        want = outcome(jsonschema.validate, instance, schema)
        assert outcome(ours.validate, instance, schema) == want
    assert len(ours.validators) == 1  # the schema checked once, not once per cell
    assert outcome(ours.validate, metadata[0], schema) is None


def test_every_broken_metadata_is_refused():
    schema = MetadataValidator().schema
    ours = OneValidatorPerSchema()
    for instance in broken(nbgrader_metadata()[0]):
        assert outcome(ours.validate, instance, schema) is not None, instance


@pytest.fixture(scope="module")
def a_record(tmp_path_factory):
    """A course, and what a grading host's autograde saved for a reference submission (read_record)."""
    from course_tools.proof.demo_class import DemoStudent
    from course_tools.proof.sample_course import class_course, graded_on_a_host

    course = class_course(tmp_path_factory.mktemp("record"), "cnn_step_by_step",
                          [DemoStudent("ref", "reference solution")])
    graded, _ = graded_on_a_host(course, "ref")
    assert graded.success, graded.error or graded.log
    return course, graded.record


def test_a_first_submission_is_inserted_as_nbgraders_own_calls_save_it(a_record, monkeypatch):
    """insert_first_submission writes the rows save_record's ORM path (nbgrader's add_submission, then its
    updates) writes, and is the path a first submission takes."""
    from grading import gradebook_record
    from test_parallel_grading import gradebook_rows

    course, record = a_record
    late = {**record, "notebooks": {name: {**notebook, "late_penalty": 2.0}
                                    for name, notebook in record["notebooks"].items()}}
    with course.gradebook() as gradebook:
        with monkeypatch.context() as orm_only:
            orm_only.setattr(gradebook_record, "insert_first_submission", lambda *args: False)
            gradebook_record.save_record(gradebook, course.assignment, "by-orm", record)
            gradebook_record.save_record(gradebook, course.assignment, "late-by-orm", late)
        monkeypatch.setattr(gradebook, "update_or_create_submission", lambda *args, **kwargs: pytest.fail("ORM path"))
        gradebook_record.save_record(gradebook, course.assignment, "by-insert", record)
        gradebook_record.save_record(gradebook, course.assignment, "late-by-insert", late)
    rows = gradebook_rows(course)
    assert rows["by-insert"] == rows["by-orm"] and rows["late-by-insert"] == rows["late-by-orm"]
    assert rows["by-insert"] != rows["late-by-insert"]  # the penalty is among what is compared
    assert all(auto_score is not None for nb in rows["by-insert"][2] for _, auto_score, *_ in nb[3])


def test_a_second_submission_takes_the_orm_path(a_record, monkeypatch):
    from grading import gradebook_record

    course, record = a_record
    with course.gradebook() as gradebook:
        gradebook_record.save_record(gradebook, course.assignment, "twice", record)
        assert not gradebook_record.insert_first_submission(gradebook, course.assignment, "twice", record)
