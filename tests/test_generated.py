"""What is committed is what the repo's commands produce."""
import filecmp

import pytest

from conftest import REPO
from course_tools.author import build_datasets, build_notebook, draw_figures
from course_tools.course import ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_built_from_authoring(assignment):
    assert build_notebook.source_notebook(assignment).read_text() == build_notebook.render(assignment), \
        "run `make notebook`"


def test_figures_are_what_the_script_draws(tmp_path):
    for assignment, names in draw_figures.draw_all(tmp_path).items():
        committed = draw_figures.images_of(assignment)
        for name in names:
            assert (draw_figures.images_of(assignment, tmp_path) / name).read_bytes() == (committed / name).read_bytes(), \
                f"{name}: run `make figures`"
        assert sorted(p.name for p in committed.iterdir()) == sorted(names)


def test_datasets_are_what_the_script_builds(tmp_path):
    names = build_datasets.build(tmp_path)
    for name in names:
        assert (tmp_path / name).read_bytes() == (build_datasets.DATASETS / name).read_bytes(), f"{name}: run `make datasets`"
    assert sorted(p.name for p in build_datasets.DATASETS.iterdir()) == sorted(names)


def test_the_digit_files_are_laid_out_like_the_original_courses():
    import h5py
    import numpy as np

    sizes = {}
    for part in ("train", "test"):
        with h5py.File(build_datasets.DATASETS / f"{part}_digits.h5", "r") as f:
            assert sorted(f) == sorted([f"{part}_set_x", f"{part}_set_y", "list_classes"])
            x, y, classes = f[f"{part}_set_x"][:], f[f"{part}_set_y"][:], f["list_classes"][:]
        assert x.dtype == np.uint8 and x.shape[1:] == (8, 8, 1) and x.max() == 255 and x.min() == 0
        assert y.shape == (len(x),) and classes.tolist() == list(range(10))
        assert set(y.tolist()) == set(range(10))  # every class in both sets
        sizes[part] = len(x)
    assert sizes == {"train": 1438, "test": 359}  # all 1,797 digits, a fifth of each class for testing


def test_committed_release_is_what_nbgrader_generates(released_course):
    generated = released_course.root / "release" / "cnn_step_by_step"
    committed = REPO / "release" / "cnn_step_by_step"
    comparison = filecmp.dircmp(generated, committed)
    assert comparison.left_only == comparison.right_only == []
    for path in generated.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (committed / path.relative_to(generated)).read_bytes(), f"{path.name}: run `make release`"
