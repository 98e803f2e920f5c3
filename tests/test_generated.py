"""What is committed is what the repo's commands produce."""
import filecmp

from conftest import REPO
from course_tools import build_notebook, draw_figures


def test_source_notebook_is_built_from_authoring():
    assert build_notebook.SOURCE_NOTEBOOK.read_text() == build_notebook.render(), "run `make notebook`"


def test_figures_are_what_the_script_draws(tmp_path):
    names = draw_figures.draw_all(tmp_path)
    for name in names:
        assert (tmp_path / name).read_bytes() == (draw_figures.IMAGES / name).read_bytes(), f"{name}: run `make figures`"
    assert sorted(p.name for p in draw_figures.IMAGES.iterdir()) == sorted(names)


def test_committed_release_is_what_nbgrader_generates(released_course):
    generated = released_course.root / "release" / "cnn_step_by_step"
    committed = REPO / "release" / "cnn_step_by_step"
    comparison = filecmp.dircmp(generated, committed)
    assert comparison.left_only == comparison.right_only == []
    for path in generated.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (committed / path.relative_to(generated)).read_bytes(), f"{path.name}: run `make release`"
