"""Staging refuses a notebook too large for nbgrader's own passes, before anything parses it (issue 18, class 3).

nbgrader reads, validates, preprocesses and writes a notebook outside every limit the kernel has: a
notebook of 500,000 empty cells held a worker for minutes and grew it by gigabytes. The class pipeline
counts the notebook's bytes and JSON objects when it stages a submission; a notebook over either limit
never reaches a worker, and the student is told why. The class here is two honest students around two
such notebooks, graded by make grade's pipeline on one worker.
"""
import json
import os
import subprocess

import nbformat
import pytest

from conftest import generated_course
from course_tools import notebooks
from course_tools.grade import grade_class
from grading import submission_files
from grading.plain_data import JSON_ITEM

HONEST = ["aaa-honest", "zzz-honest"]
MANY_CELLS = "many-cells"  # the release and 25,000 empty markdown cells: about 2 MB
ESCAPED_KEYS = "escaped-keys"  # the same, with every "cell_type" key spelt in \u escapes
HUGE = "huge"  # the release and one markdown cell of 21 MiB
MANY_ITEMS = "many-items"  # the release and a list of 250,000 zeros in one cell's metadata: 0.7 MB, no new object
HOSTILE = [MANY_CELLS, ESCAPED_KEYS, HUGE, MANY_ITEMS]


def with_empty_cells(release, count):
    nb = nbformat.from_dict(release)
    nb.cells += [nbformat.v4.new_markdown_cell("") for _ in range(count)]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = generated_course(tmp_path_factory.mktemp("staging"))
    release = notebooks.read(course.release_notebook)
    answers = notebooks.reference_solutions(notebooks.read(course.source_notebook))
    for student in HONEST:
        notebooks.write(notebooks.fill(release, answers), course.root, student, course.assignment,
                        course.notebook)
    many = notebooks.fill(with_empty_cells(release, 25_000), answers)
    notebooks.write(many, course.root, MANY_CELLS, course.assignment, course.notebook)
    path = notebooks.write(many, course.root, ESCAPED_KEYS, course.assignment, course.notebook)
    path.write_text(path.read_text().replace('"cell_type"', '"\\u0063ell_type"'))
    huge = notebooks.fill(release, answers)
    huge.cells.append(nbformat.v4.new_markdown_cell("x" * (21 * 2 ** 20)))
    notebooks.write(huge, course.root, HUGE, course.assignment, course.notebook)
    items = notebooks.fill(release, answers)
    items.cells[0].metadata["x"] = [0] * 250_000
    notebooks.write(items, course.root, MANY_ITEMS, course.assignment, course.notebook)
    results = grade_class.grade_class(course, progress=False, workers=1)
    return course, {r.student: r for r in results}


def test_the_escaped_keys_still_read_as_cells():
    """The hostile spelling is a notebook like any other to a JSON reader: only the count of "{" sees it."""
    text = json.dumps({"cells": [{"\u0063ell_type": "markdown"}]}, ensure_ascii=False).replace("cell_type", "\\u0063ell_type")
    assert b'"cell_type"' not in text.encode() and json.loads(text)["cells"][0] == {"cell_type": "markdown"}


@pytest.mark.parametrize("student", HOSTILE)
def test_an_oversized_notebook_is_refused_with_the_limits_named(graded, student):
    course, results = graded
    result = results[student]
    assert not result.graded and (course.scores().get(student) or {}).get("total") in (None, 0)
    refused = [p for p in result.problems if p.startswith("not graded: the notebook is")]
    assert len(refused) == 1, result.problems
    assert f"at most {submission_files.MAX_NOTEBOOK_BYTES // 2 ** 20} MiB" in refused[0]
    assert result.worker == "" and set(result.timings) == {"pipeline", "staging", "saving"}  # no worker read it
    print(f"{student}: refused in {result.timings['pipeline']:.2f} s of staging")


def test_the_honest_students_around_them_keep_full_marks(graded):
    course, results = graded
    scores = course.scores()
    assert {s: (results[s].graded, scores[s]["total"]) for s in HONEST} == {s: (True, 100) for s in HONEST}


@pytest.mark.parametrize("student", HOSTILE)
def test_without_the_limits_staging_would_send_it_to_a_worker(graded, monkeypatch, student):
    """The limits are what refuses these notebooks: raised out of reach, staging hands each one on."""
    course, _ = graded
    monkeypatch.setattr(submission_files, "MAX_NOTEBOOK_BYTES", 2 ** 40)
    monkeypatch.setattr(submission_files, "MAX_NOTEBOOK_OBJECTS", 10 ** 9)
    monkeypatch.setattr(submission_files, "MAX_NOTEBOOK_ITEMS", 10 ** 9)
    submission, problems = grade_class.stage(course, student)
    assert submission is not None and problems == []


def test_todays_notebooks_are_far_inside_the_limits(graded):
    course, _ = graded
    for path in [course.release_notebook, course.source_notebook]:
        data = path.read_bytes()
        assert len(data) * 50 < submission_files.MAX_NOTEBOOK_BYTES
        assert data.count(b"{") * 20 < submission_files.MAX_NOTEBOOK_OBJECTS
        assert sum(1 for _ in JSON_ITEM.finditer(data)) * 20 < submission_files.MAX_NOTEBOOK_ITEMS


def nested(folder, depth):
    """folder/n/n/.../n/deep.txt, `depth` folders deep, made one level at a time through folder descriptors (the
    whole path may be longer than PATH_MAX)."""
    folder.mkdir(parents=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir("n", dir_fd=fd)
        fd, parent = os.open("n", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd), fd
        os.close(parent)
    os.close(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    os.close(fd)


def test_staging_copies_a_tree_to_its_depth_bound_and_names_the_rest(tmp_path):
    source = tmp_path / "source"
    nested(source, submission_files.MAX_DEPTH + 8)
    problems = submission_files.copy_submission(source, tmp_path / "copy")
    copied = tmp_path / "copy" / "/".join(["n"] * submission_files.MAX_DEPTH)
    assert copied.is_dir() and not (copied / "n").exists()
    assert len(problems) == 1 and "a folder nested deeper than" in problems[0]


def test_staging_enters_at_most_its_folder_bound(tmp_path):
    source = tmp_path / "source"
    for index in range(submission_files.MAX_FOLDERS + 50):
        (source / f"d{index:05d}").mkdir(parents=True)
    problems = submission_files.copy_submission(source, tmp_path / "copy")
    assert len(list((tmp_path / "copy").iterdir())) < submission_files.MAX_FOLDERS
    assert problems and all("past the" in problem for problem in problems)


def test_a_tree_deeper_than_pythons_recursion_limit_is_walked(tmp_path):
    """os.walk recursed once per level: 1,200 levels raised RecursionError (tests/attacks/nested_folders.py
    grades such a submission between honest students)."""
    source = tmp_path / "source"
    nested(source, 1200)
    try:
        assert submission_files.irregular_entries(source)  # the folders not entered are named, nothing raised
    finally:
        subprocess.run(["rm", "-rf", str(source)], check=False)  # shutil.rmtree recurses once per level too


def test_one_students_staging_error_does_not_stop_the_class(tmp_path, monkeypatch):
    course = generated_course(tmp_path)
    release = notebooks.read(course.release_notebook)
    for student in ("aaa", "bbb"):
        notebooks.write(release, course.root, student, course.assignment, course.notebook)
    staged = grade_class.stage

    def stage(course, student):
        if student == "aaa":
            raise RecursionError("maximum recursion depth exceeded")
        return staged(course, student)

    monkeypatch.setattr(grade_class, "stage", stage)
    plan = grade_class.prepare(course, None, regrade=False)
    submission, problems, _ = plan.waiting["aaa"]
    assert submission is None and problems == ["not graded: its folder could not be read (RecursionError: "
                                               "maximum recursion depth exceeded)"]
    assert plan.waiting["bbb"][0] is not None


def test_a_notebook_nested_too_deep_is_refused_before_any_parser_sees_it():
    deep = b'{"cells": [], "metadata": {"x": ' + b"[" * 1000 + b"]" * 1000 + b"}}"
    assert "nests JSON more than 64 levels" in submission_files.refused_notebook(deep)
    brackets_in_a_string = b'{"cells": [], "metadata": {"x": "' + b"[" * 1000 + b'"}}'
    assert submission_files.refused_notebook(brackets_in_a_string) is None
