"""The instructor's side in a real browser: Formgrader, and the Assignment List a student sees with an LMS.

Each test starts its own JupyterLab server and opens it in Debian's Chromium, with the helpers
of test_browser.py (a private HOME and Jupyter folders, a free loopback port). Screenshots and
the servers' logs go to test-artifacts/browser/instructor/.

- Formgrader, opened from JupyterLab's Nbgrader menu, lists the course's assignment and leaves a
  gradebook stamped with its schema version, when JupyterLab was started the way an instructor
  who did not activate the environment starts it: `.venv/bin/jupyter lab` in the course folder,
  with a PATH that lacks .venv/bin.
- The Assignment List panel (nbgrader's exchange client), opened by a student whose course is
  handed out through an LMS: no nbgrader exchange, no nbgrader_config.py. What it says is what the
  README's Workflow section (step 3, Distribute) tells instructors to expect.
"""
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from nbgrader.exchange.default.exchange import Exchange
from playwright.sync_api import Error as PlaywrightError

from conftest import NOTEBOOK, generated_course
from test_browser import (SCREENSHOTS, UI_STEP, BrowserPage, chromium, new_page, private_jupyter_home,
                          running_lab)

ARTIFACTS = SCREENSHOTS / "instructor"
FORMGRADER_LOAD = 60  # seconds, from the menu click to the listed assignment
# nbgrader's exchange folder when no configuration names another (Exchange.root), read from
# the installed nbgrader: 0.9.6 has /usr/local/share/nbgrader/exchange.
DEFAULT_EXCHANGE = Path(Exchange.class_traits()["root"].default_value)
ASSIGNMENT = NOTEBOOK  # the assignment and its single notebook share a name


@pytest.fixture(scope="module")
def student_folder(released_course, tmp_path_factory):
    """A folder holding what a student receives of part 1: its generated release."""
    folder = tmp_path_factory.mktemp("student")
    shutil.copytree(released_course.release_notebook.parent, folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def artifacts():
    """test-artifacts/browser/instructor/, emptied first: a subfolder per test, each a server log and screenshots."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    print(f"browser test: screenshots and the servers' logs in {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory) as browser:
        yield browser


@pytest.fixture
def shots(browser, artifacts, request):
    """A fresh page whose screenshots are named after the test; the last one is taken however it ends."""
    page = BrowserPage(new_page(browser), artifacts / request.node.name)
    page.artifacts.mkdir()
    try:
        yield page
    finally:
        page.last_screenshot()
        page.page.close()


# ------------------------------------------------------------------------------------ Formgrader

def unactivated_environment(home):
    """The environment of an instructor who runs .venv/bin/jupyter without activating the venv."""
    env = private_jupyter_home(home)
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = "/usr/bin:/bin"  # no .venv/bin: nbgrader finds `alembic` only if nbgrader_config.py adds it
    return env


def fresh_course(folder):
    """A course as an instructor has it before Formgrader's first load: generated, no gradebook yet.

    `generate` ran nbgrader with the environment on PATH, and nbgrader made (and stamped) the
    gradebook then. An instructor's clone has none (gradebook.db is not committed): Formgrader
    makes it, which is the step under test.
    """
    folder.mkdir()
    course = generated_course(folder)
    (course.root / "gradebook.db").unlink()
    return course


def schema_stamps(gradebook):
    """The rows of the gradebook's alembic_version table (None if the table is missing)."""
    with sqlite3.connect(gradebook) as db:
        if not db.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchall():
            return None
        return db.execute("SELECT version_num FROM alembic_version").fetchall()


def formgrader_assignments(shots, course, home, log_path, timeout=FORMGRADER_LOAD):
    """Start `.venv/bin/jupyter lab` unactivated in the course, open Nbgrader > Formgrader.

    Returns the assignment names on Formgrader's Manage Assignments list once one is shown, or
    raises (with the server's last log lines) if none is within `timeout` seconds.
    """
    jupyter = Path(sys.executable).parent / "jupyter"
    with running_lab(course.root, unactivated_environment(home), log_path, launcher=(str(jupyter), "lab")) as lab:
        shots.page.goto(f"{lab['url']}/lab?token={lab['token']}")
        deadline = time.monotonic() + timeout

        def not_loaded(why):
            shots.screenshot("formgrader-not-loaded")
            return AssertionError(f"Formgrader's Manage Assignments did not load: {why}\n"
                                  f"gradebook stamps: {stamps_or_absent(course)}\n"
                                  f"server log:\n{log_path.read_text()[-3000:]}")

        # The Formgrader tab holds Formgrader's own page in an iframe. Its Manage Assignments
        # table says "Loading, please wait..." until its call to the assignments API answers; a
        # failed call leaves it so for good, so the call's status is read too, to fail at once.
        try:
            with shots.page.expect_response(lambda r: "/formgrader/api/assignments" in r.url,
                                            timeout=timeout * 1000) as answer:
                shots.open_nbgrader_menu_item("Formgrader")
        except PlaywrightError as error:
            raise not_loaded(f"no answer from its assignments API within {timeout} s ({error})") from None
        if answer.value.status != 200:
            raise not_loaded(f"its assignments API answered {answer.value.status}")
        # #main-table is the table's body; each assignment's name links to its source folder.
        names = shots.page.frame_locator("#formgrader iframe").locator("#main-table td.name a")
        try:
            names.first.wait_for(timeout=max(1, deadline - time.monotonic()) * 1000)
        except PlaywrightError as error:
            raise not_loaded(f"no assignment listed within {timeout} s ({error})") from None
        shots.screenshot("formgrader-manage-assignments")
        return [name.strip() for name in names.all_inner_texts()]


def stamps_or_absent(course):
    gradebook = course.root / "gradebook.db"
    return schema_stamps(gradebook) if gradebook.exists() else "no gradebook.db"


def test_formgrader_works_when_jupyter_lab_was_started_without_the_environment_on_path(
        shots, tmp_path, tmp_path_factory):
    # Without this the test would pass whatever nbgrader_config.py does.
    assert shutil.which("alembic", path="/usr/bin:/bin") is None, "this machine has an alembic outside the venv"
    course = fresh_course(tmp_path / "course")
    assert not (course.root / "gradebook.db").exists()
    listed = formgrader_assignments(shots, course, tmp_path_factory.mktemp("home"),
                                    shots.artifacts / "jupyterlab.log")
    assert ASSIGNMENT in listed, listed
    # Formgrader's first load made the gradebook; nbgrader stamps a new one by running `alembic`.
    stamps = schema_stamps(course.root / "gradebook.db")
    assert stamps and len(stamps) == 1 and stamps[0][0], stamps


# ------------------------------------------------------------- the Assignment List, with an LMS

@pytest.fixture
def default_exchange_left_missing():
    """This machine has no exchange folder at nbgrader's default, and the test leaves it so.

    We run as root, who could create it (and its parents) anywhere: whatever the test made is
    removed again, and the test fails saying so.
    """
    if DEFAULT_EXCHANGE.exists():
        pytest.skip(f"{DEFAULT_EXCHANGE} exists here: the test is of a machine without nbgrader's exchange")
    missing = [path for path in (DEFAULT_EXCHANGE, *DEFAULT_EXCHANGE.parents) if not path.exists()]
    yield
    created = [path for path in missing if path.exists()]
    if created:
        shutil.rmtree(created[-1])  # the outermost folder made
        pytest.fail(f"the test made {created[-1]} (removed again)")


def assignment_list(shots, folder, env, log_path):
    """Start JupyterLab in the student's folder, open Nbgrader > Assignment List.

    Returns what the panel shows once it has asked the server for courses: the course button's
    label and the visible text of each of its three lists.
    """
    with running_lab(folder, env, log_path) as lab:
        shots.page.goto(f"{lab['url']}/lab?token={lab['token']}")
        # The file browser lists the notebook: the screenshot shows whose folder this is.
        shots.page.locator(".jp-DirListing-item", has_text=NOTEBOOK).first.wait_for()
        shots.open_nbgrader_menu_item("Assignment List")
        panel = shots.page.locator("#nbgrader-assignment-list")
        course = panel.locator("#course_list_default")
        # The course button says "Loading, please wait..." until the server's course list answers.
        shots.page.wait_for_function(
            "button => button && button.innerText.trim() !== 'Loading, please wait...'",
            arg=course.element_handle(timeout=UI_STEP * 1000), timeout=UI_STEP * 1000)
        shots.screenshot("assignment-list")
        shown = {"course": course.inner_text().strip()}
        for name in ("released", "fetched", "submitted"):
            shown[name] = " ".join(panel.locator(f"#{name}_assignments_list").inner_text().split())
        print(f"Assignment List shows: {shown}")
        return shown


EXCHANGE_MISSING = ('The exchange directory does not exist and could not be created. The "release" and '
                    '"collect" functionality will not be available. Please see the documentation on '
                    'http://nbgrader.readthedocs.io/en/stable/user_guide/managing_assignment_files.html'
                    '#setting-up-the-exchange for instructions.')


def test_the_assignment_list_without_an_exchange_says_it_does_not_exist(
        shots, student_folder, tmp_path_factory, default_exchange_left_missing):
    assert not (student_folder / "nbgrader_config.py").exists()
    env = private_jupyter_home(tmp_path_factory.mktemp("home"))
    shown = assignment_list(shots, student_folder, env, shots.artifacts / "jupyterlab.log")
    assert shown == {"course": "Error fetching courses!", "released": EXCHANGE_MISSING,
                     "fetched": EXCHANGE_MISSING, "submitted": EXCHANGE_MISSING}, shown


def test_the_assignment_list_with_an_empty_exchange_has_no_assignments_to_fetch(
        shots, student_folder, tmp_path_factory):
    # A machine where an exchange was set up, but nothing of this course is released into it.
    # The student's folder still has no nbgrader_config.py: the exchange is named in the
    # Jupyter config folder (the test's own), as a JupyterHub's /etc/jupyter would name it.
    exchange = tmp_path_factory.mktemp("exchange")
    env = private_jupyter_home(tmp_path_factory.mktemp("home"))
    (Path(env["JUPYTER_CONFIG_DIR"]) / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(exchange)!r}\n")
    shown = assignment_list(shots, student_folder, env, shots.artifacts / "jupyterlab.log")
    assert shown == {"course": "No courses found.", "released": "There are no assignments to fetch.",
                     "fetched": "There are no downloaded assignments.",
                     "submitted": "There are no submitted assignments."}, shown
    assert not any(exchange.iterdir())
