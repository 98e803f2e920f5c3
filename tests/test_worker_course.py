"""The grading host's shortcuts into nbgrader (grading/worker_course.py) check what nbgrader itself checks."""
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
