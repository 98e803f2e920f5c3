"""The student's path in a real browser: JupyterLab and nbgrader's Validate button, driven by Playwright.

The test starts its own JupyterLab server (a subprocess on a free loopback port, in a temporary
folder, with a temporary HOME and Jupyter folders) holding the generated release, and opens it
in Debian's Chromium. The tests below run in order on that one page, as a student would work:
figures, a locked cell, Validate on the untouched notebook, the reference solutions typed in,
Restart Kernel and Run All Cells, the worked examples' printed output against each "Expected
output" block, Validate again; first on part 1's notebook, then on part 2's. Each step leaves a
screenshot in test-artifacts/browser/<assignment>/.

Needs Debian's chromium package (`apt-get install chromium`; .ci/run installs it). Playwright
drives it by its path: Playwright's own browser download is not used.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import sync_playwright

from conftest import REPO
from course_tools import notebooks
from course_tools.course import ASSIGNMENTS, Course

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "test-artifacts" / "browser"

# Seconds. Generous for a shared 2-core machine, but each wait has an end.
SERVER_START = 90
UI_STEP = 30  # an element to appear, a click to take effect
NOTEBOOK_READY = 90  # the page, the notebook and its kernel
VALIDATE = 120  # nbgrader runs the whole notebook in a kernel of its own
RUN_ALL = 120
SERVER_STOP = 20


# ----------------------------------------------------------- the notebook, read on the Python side

def nbgrader_data(cell):
    return cell.metadata.get("nbgrader", {})


def solution_cells(nb):
    """{grade_id: cell index} of the cells the student writes (the GRADED FUNCTION cells)."""
    return {nbgrader_data(c)["grade_id"]: i for i, c in enumerate(nb.cells) if nbgrader_data(c).get("solution")}


def graded_test_cells(nb):
    """Indices of the autograder test cells that carry points."""
    return [i for i, c in enumerate(nb.cells) if nbgrader_data(c).get("grade") and nbgrader_data(c).get("points")]


def first_locked_test_cell(nb):
    """Index of the first test cell nbgrader made read-only (locked, "editable": false)."""
    for i in graded_test_cells(nb):
        cell = nb.cells[i]
        if nbgrader_data(cell).get("locked") and cell.metadata.get("editable") is False:
            return i
    raise AssertionError("the release has no locked test cell")


MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]+\)|<img\b", re.I)


def figure_count(nb):
    """How many images the markdown cells show (Markdown `![..](..)` or HTML <img>)."""
    return sum(len(MARKDOWN_IMAGE.findall(c.source)) for c in nb.cells if c.cell_type == "markdown")


EXPECTED_BLOCK = re.compile(r"\*\*Expected output.*?```[^\n]*\n(.*?)```", re.S)


def worked_examples(nb):
    """{index of a worked example's code cell: the text its "Expected output" block shows}.

    A worked example is a code cell of the student's own (no nbgrader role) followed by a
    markdown cell whose "**Expected output**" is a fenced block. Worked examples without
    such a block are left out.
    """
    examples = {}
    for i in range(1, len(nb.cells)):
        before, cell = nb.cells[i - 1], nb.cells[i]
        match = EXPECTED_BLOCK.search(cell.source) if cell.cell_type == "markdown" else None
        if match and before.cell_type == "code" and not nbgrader_data(before):
            examples[i - 1] = match.group(1)
    return examples


def function_before(nb, index):
    """The graded function whose cell comes last before cell `index`: the one a worked example shows."""
    before = [grade_id for grade_id, i in solution_cells(nb).items() if i < index]
    return before[-1] if before else "before any graded function"


def last_line(text):
    """The last non-blank line: a traceback's error and its message."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def failures(verdict):
    """One line per cell that Validate says failed: its error."""
    return "\n".join(last_line(f["error"]) for f in verdict["failed"]) or verdict["text"][:3000]


def normalised(text):
    """Text with every run of whitespace made one space: numpy's column alignment is not compared."""
    return " ".join(text.split())


# ------------------------------------------------------------------------- the JupyterLab server

def free_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def private_jupyter_home(home):
    """A HOME and Jupyter folders of the test's own, so that no setting of the user's leaks in.

    Returns the environment the server runs with.
    """
    dirs = {name: home / name for name in ("config", "data", "runtime", "lab-settings", "lab-workspaces",
                                           "ipython", "matplotlib")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    # JupyterLab's own pop-ups would cover the page: no news feed, no update check.
    write_json(dirs["lab-settings"] / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
               {"fetchNews": "false", "checkForUpdates": False})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "PYTHON", "MPL"))}
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["lab-settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["lab-workspaces"]), IPYTHONDIR=str(dirs["ipython"]),
        MPLCONFIGDIR=str(dirs["matplotlib"]),
        # nbgrader's Validate calls `alembic` by name: the venv's scripts come first.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return env


def wait_for_server(url, token, process, log_path):
    deadline = time.monotonic() + SERVER_START
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"JupyterLab exited ({process.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise AssertionError(f"JupyterLab did not answer within {SERVER_START} s:\n{log_path.read_text()[-3000:]}")


def command_line(pid):
    """A process's arguments ([] once it has gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def processes_with(variable):
    """Pids of this machine's processes whose environment holds `variable` ("NAME=value")."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and variable.encode() in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile
            pass
    return pids


def stop_server(process, token, url, marker):
    """Shut JupyterLab down with its kernels, then end whatever of it is left, by process group and pid."""
    try:  # the server's own shutdown also shuts down its kernels
        request = urllib.request.Request(f"{url}/api/shutdown", method="POST",
                                         headers={"Authorization": f"token {token}"})
        urllib.request.urlopen(request, timeout=5).close()
        process.wait(SERVER_STOP)
    except (OSError, subprocess.TimeoutExpired):
        pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)  # the server was started in a process group of its own
        except ProcessLookupError:
            break
        try:
            process.wait(SERVER_STOP)
            break
        except subprocess.TimeoutExpired:
            pass
    # Kernels run in sessions of their own (the notebook's, and the one Validate starts): each
    # inherited the server's environment, which names this test's private runtime folder.
    leftovers = processes_with(marker)
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if leftovers:
        print(f"browser test: killed {len(leftovers)} process(es) the server left running")


def emptied(folder):
    """`folder`, created, or emptied of the files an earlier run left in it.

    Its subfolders are left alone: they hold the screenshots of other test modules.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if not path.is_dir():
            path.unlink()
    print(f"browser test: screenshots and the server log in {folder}")
    return folder


@pytest.fixture(scope="module")
def artifacts():
    """The folder of screenshots (and the server's log) for a person to look at, emptied first."""
    return emptied(SCREENSHOTS)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def assignment(request):
    """Each assignment in turn: every test below runs on part 1's notebook, then on part 2's."""
    return request.param


@pytest.fixture(scope="module")
def release(released_course, assignment):
    """The assignment's release, generated by nbgrader in the test course."""
    course = Course(released_course.root, assignment)
    if not course.release_notebook.exists():
        course.generate()
    return course.release_notebook


@pytest.fixture(scope="module")
def release_nb(release):
    return notebooks.read(release)


@pytest.fixture(scope="module")
def reference_answers(assignment):
    return notebooks.reference_solutions(notebooks.read(REPO / "source" / assignment / f"{assignment}.ipynb"))


@pytest.fixture(scope="module")
def student_folder(release, tmp_path_factory):
    """A folder holding what a student receives: the generated release (notebook, images/, and part 2's
    cnn_layers.py and datasets/)."""
    folder = tmp_path_factory.mktemp("student")
    shutil.copytree(release.parent, folder, dirs_exist_ok=True)
    return folder


@contextmanager
def running_lab(folder, env, log_path, launcher=(sys.executable, "-m", "jupyterlab")):
    """JupyterLab (with nbgrader's extensions) serving `folder` on 127.0.0.1, started in it.

    `env` comes from private_jupyter_home; `launcher` is the command before JupyterLab's options.
    """
    port, token = free_loopback_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    marker = f"JUPYTER_RUNTIME_DIR={env['JUPYTER_RUNTIME_DIR']}"  # in the environment of the server and its kernels
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [*launcher, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={folder}",
             # window.jupyterapp: lets the test read the cells' front-end model and the kernel's state.
             "--LabApp.expose_app_in_browser=True",
             *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
            # nbgrader's extensions read nbgrader_config.py from the server's working folder.
            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        wait_for_server(url, token, process, log_path)
        yield {"url": url, "token": token, "folder": folder, "marker": marker}
    finally:
        stop_server(process, token, url, marker)


@pytest.fixture(scope="module")
def lab_server(student_folder, tmp_path_factory, artifacts, release):
    """JupyterLab serving the student's folder: it has no nbgrader_config.py, as a student's has none."""
    env = private_jupyter_home(tmp_path_factory.mktemp("home"))
    with running_lab(student_folder, env, artifacts / f"jupyterlab-{release.stem}.log") as server:
        yield server


# --------------------------------------------------------------------------------- the browser

JS_PANEL = "window.jupyterapp.shell.currentWidget"


@contextmanager
def chromium(tmp_path_factory):
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # Chromium refuses to sandbox as root; a container's small /dev/shm can crash its tabs.
            args=["--disable-dev-shm-usage", *(["--no-sandbox"] if os.geteuid() == 0 else [])],
            env={**os.environ, "HOME": str(tmp_path_factory.mktemp("browser-home"))})
        try:
            yield browser
        finally:
            browser.close()


class BrowserPage:
    """One browser page, with numbered screenshots into a folder of artifacts."""

    def __init__(self, page, artifacts):
        self.page = page
        self.artifacts = artifacts
        self.shots = 0

    def screenshot(self, name):
        # The browser paints cells that scrolled into view a frame or two later.
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        self.shots += 1
        path = self.artifacts / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        print(f"screenshot: {path}")

    def last_screenshot(self):
        """The page as a failed test left it; a page that is gone must not hide why the test failed."""
        try:
            self.screenshot("last")
        except Exception as error:
            print(f"browser test: no last screenshot ({error})")

    def open_nbgrader_menu_item(self, label):
        """JupyterLab's menu bar: Nbgrader, then the item `label`."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")).click()


class Student(BrowserPage):
    """One browser page on the notebook, with the actions a student takes."""

    # -- the notebook as the page shows it

    def cell(self, index):
        return self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)

    def model_source(self, index):
        """The cell's text in JupyterLab's front-end model (what Save writes)."""
        return self.page.evaluate(f"i => {JS_PANEL}.content.model.cells.get(i).sharedModel.getSource()", index)

    def editor_text(self, index):
        """The cell's text as its editor shows it. JupyterLab renders only the cells near the view and fills
        an editor after showing it, so the cell is scrolled into view and, if its model holds text, read
        once its editor shows some (an editor not yet filled reads as empty)."""
        self.cell(index).scroll_into_view_if_needed()
        editor = self.cell(index).locator(".cm-content")
        editor.wait_for(state="visible", timeout=UI_STEP * 1000)
        if self.model_source(index):
            editor.locator(".cm-line").first.wait_for(state="attached", timeout=UI_STEP * 1000)
            self.page.wait_for_function(
                "e => e.textContent.length > 0", arg=editor.element_handle(), timeout=UI_STEP * 1000)
        return editor.inner_text()

    def wait_until_notebook_ready(self):
        """The notebook is open, its kernel started and idle."""
        self.page.wait_for_function(
            f"""() => {{
                const panel = window.jupyterapp && {JS_PANEL};
                const kernel = panel && panel.sessionContext && panel.sessionContext.session
                               && panel.sessionContext.session.kernel;
                return panel && panel.context && panel.context.isReady && kernel && kernel.status === 'idle';
            }}""", timeout=NOTEBOOK_READY * 1000)

    # -- actions

    def click_into_editor(self, index):
        """Click the cell's editor, as a student does before typing; wait until it has the keyboard."""
        self.cell(index).locator(".cm-content").click()
        self.page.wait_for_function(
            f"i => {JS_PANEL}.content.activeCellIndex === i && {JS_PANEL}.content.mode === 'edit'", arg=index)

    def replace_cell_text(self, index, text):
        """Select all of the cell's text in its editor and type `text` over it, as a paste would."""
        self.click_into_editor(index)
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)

    def save(self):
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(f"() => !{JS_PANEL}.context.model.dirty", timeout=UI_STEP * 1000)

    def validate(self, shot):
        """Click nbgrader's Validate button; return the dialog's verdict, then close it."""
        self.page.locator(".validate-button").click()
        dialog = self.page.locator(".jp-Dialog:has(#validation-message)")
        dialog.wait_for(timeout=VALIDATE * 1000)
        self.screenshot(shot)
        verdict = self.page.evaluate("""() => {
            const message = document.querySelector('#validation-message');
            const blocks = [...message.querySelectorAll(':scope > .jp-RenderedText pre')].map(p => p.innerText);
            const failed = [];
            for (let i = 0; i + 1 < blocks.length; i += 2) failed.push({source: blocks[i], error: blocks[i + 1]});
            return {classes: [...message.classList], text: message.innerText, failed};
        }""")
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        dialog.wait_for(state="detached", timeout=UI_STEP * 1000)
        return verdict

    def restart_kernel_and_run_all(self):
        """Kernel menu, "Restart Kernel and Run All Cells…", confirm; wait until the run ends."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Kernel$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Restart Kernel and Run All Cells").click()
        dialog = self.page.locator(".jp-Dialog", has_text="Restart Kernel?")
        dialog.wait_for(timeout=UI_STEP * 1000)
        self.screenshot("restart-dialog")
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        # Run All ends when no cell waits or runs ([*]) any more and the kernel is idle; a cell
        # that raises stops it there. Before it, no cell of this page had run (no number).
        self.page.wait_for_function(
            f"""() => {{
                const panel = {JS_PANEL};
                const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
                const prompts = [...panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                                .map(p => p.textContent.trim());
                return kernel && kernel.status === 'idle' && !prompts.some(p => p.includes('*'))
                       && prompts.some(p => /\\d/.test(p));
            }}""", timeout=RUN_ALL * 1000)

    def execution_counts(self):
        """Each cell's execution count in the front-end model (None for markdown or unrun cells)."""
        return self.page.evaluate(f"""() => {{
            const cells = {JS_PANEL}.content.model.cells;
            return Array.from({{length: cells.length}}, (_, i) => {{
                const cell = cells.get(i);
                return cell.type === 'code' ? cell.executionCount : null;
            }});
        }}""")

    def error_outputs(self, index):
        """The cell's outputs that show an error or text on stderr."""
        return self.cell(index).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
                                        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')

    def printed_text(self, index):
        """What the cell printed to stdout, as its output area shows it."""
        outputs = self.cell(index).locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]')
        return "".join(outputs.nth(k).text_content() for k in range(outputs.count()))


def new_page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(UI_STEP * 1000)
    return page


@pytest.fixture(scope="module")
def student(lab_server, artifacts, tmp_path_factory, release):
    """Chromium on the notebook, opened in JupyterLab as a student opens it."""
    (artifacts / release.stem).mkdir(exist_ok=True)
    with chromium(tmp_path_factory) as browser:
        s = Student(new_page(browser), artifacts / release.stem)
        try:
            s.page.goto(f"{lab_server['url']}/lab/tree/{release.name}?token={lab_server['token']}",
                        timeout=NOTEBOOK_READY * 1000)
            s.wait_until_notebook_ready()
            s.screenshot("notebook-open")
            yield s
        finally:
            s.last_screenshot()


# ------------------------------------------------------------------------------------ the tests

def test_the_notebooks_kernel_is_the_venvs_python(student, lab_server):
    # The notebook asks for "python3": the venv's kernel spec, run by the server's own Python.
    kernels = [command_line(pid) for pid in processes_with(lab_server["marker"])
               if "ipykernel_launcher" in command_line(pid)]
    assert kernels, "no kernel is running for the open notebook"
    assert all(Path(k[0]) == Path(sys.executable) for k in kernels), kernels


def test_every_figure_renders(student, release_nb):
    wanted = figure_count(release_nb)
    assert wanted > 0, "the notebook shows no figure: nothing to check"
    images = student.page.locator(".jp-NotebookPanel .jp-RenderedMarkdown img")
    # JupyterLab resolves each image's relative path before loading it; wait for every one.
    student.page.wait_for_function(
        """n => { const imgs = [...document.querySelectorAll('.jp-NotebookPanel .jp-RenderedMarkdown img')];
                  return imgs.length >= n && imgs.every(img => img.complete && img.naturalWidth > 0); }""",
        arg=wanted, timeout=UI_STEP * 1000)
    loaded = images.evaluate_all("imgs => imgs.map(img => [img.getAttribute('src'), img.naturalWidth])")
    assert len(loaded) == wanted and all(width > 0 for _, width in loaded), loaded
    images.first.scroll_into_view_if_needed()
    student.screenshot("first-figure")


def test_a_locked_cell_cannot_be_edited(student, release_nb):
    locked = first_locked_test_cell(release_nb)
    free = next(iter(solution_cells(release_nb).values()))
    before = student.model_source(locked), student.editor_text(locked)
    student.click_into_editor(locked)  # in edit mode, keys go to the editor, not to notebook shortcuts
    student.page.keyboard.type("# my edit")
    student.screenshot("locked-cell-after-typing")
    assert (student.model_source(locked), student.editor_text(locked)) == before
    # The same typing does change a cell the student may edit, so the check above means something.
    original = student.model_source(free)
    student.click_into_editor(free)
    student.page.keyboard.press("Control+End")
    student.page.keyboard.type("# my edit")
    assert student.model_source(free) == original + "# my edit"
    student.replace_cell_text(free, original)
    assert student.model_source(free) == original
    student.page.keyboard.press("Escape")


def test_validate_reports_each_unfinished_function(student, release_nb):
    verdict = student.validate("validate-untouched")
    assert "validation-failed" in verdict["classes"], verdict["text"][:3000]
    failed_sources = {normalised(f["source"]) for f in verdict["failed"]}
    test_sources = {normalised(release_nb.cells[i].source) for i in graded_test_cells(release_nb)}
    assert failed_sources == test_sources, f"not every test cell failed, or not only they:\n{failures(verdict)}"
    # Each fails because a function is not written yet; part 2's training cell, which tests no function of
    # its own, because the training could not run.
    others = [f["error"] for f in verdict["failed"] if "NotImplementedError" not in f["error"]]
    assert all("Run the training cell above first" in error for error in others), failures(verdict)
    has_training = "test_training" in {nbgrader_data(c).get("grade_id") for c in release_nb.cells}
    assert len(others) == int(has_training), failures(verdict)


def test_reference_solutions_typed_in_and_saved(student, release_nb, reference_answers, lab_server, release):
    cells = solution_cells(release_nb)
    assert set(cells) == set(reference_answers), f"GRADED FUNCTION cells: {sorted(cells)}"
    answers = {grade_id: reference_answers[grade_id] for grade_id in cells}
    for grade_id, index in cells.items():
        # Through the browser's UI: the text goes into the cell's editor as keyboard input, and
        # JupyterLab's model follows the editor; the file is written by JupyterLab's Save alone.
        student.replace_cell_text(index, answers[grade_id])
        assert student.model_source(index) == answers[grade_id], grade_id
    student.page.keyboard.press("Escape")
    student.save()
    student.cell(next(iter(cells.values()))).scroll_into_view_if_needed()
    student.screenshot("solutions-typed-in")
    saved = nbformat.read(str(lab_server["folder"] / release.name), as_version=4)
    assert {grade_id: saved.cells[i].source for grade_id, i in cells.items()} == answers


def test_restart_and_run_all_runs_every_cell(student, release_nb):
    student.restart_kernel_and_run_all()
    student.screenshot("after-run-all")
    counts = student.execution_counts()
    code_cells = [i for i, c in enumerate(release_nb.cells) if c.cell_type == "code"]
    errors = {i: last_line(student.error_outputs(i).first.text_content())
              for i in code_cells if student.error_outputs(i).count()}
    not_run = [i for i in code_cells if counts[i] is None]
    assert not errors and not not_run, (f"cells showing an error or stderr output: {errors}; "
                                        f"cells Run All did not reach: {not_run}")
    assert [counts[i] for i in code_cells] == list(range(1, len(code_cells) + 1)), "not run in order, once each"


def test_worked_examples_print_the_expected_output(student, release_nb):
    examples = worked_examples(release_nb)
    assert examples, "no worked example with an Expected output block was found"
    counts = student.execution_counts()
    mismatches = []
    for index, expected in examples.items():
        where = f"cell {index} ({function_before(release_nb, index)})"
        printed = student.printed_text(index)
        if counts[index] is None:
            mismatches.append(f"{where}: did not run (Run All stopped before it)")
        elif normalised(printed) != normalised(expected):
            mismatches.append(f"{where}:\n--- expected\n{expected.rstrip()}\n--- printed\n{printed.rstrip()}")
    names = [function_before(release_nb, i) for i in examples]
    print(f"compared the printed output of {len(examples)} worked examples: {', '.join(names)}")
    student.cell(next(iter(examples))).scroll_into_view_if_needed()
    student.screenshot("first-worked-example")
    assert not mismatches, "\n\n".join(mismatches)


def test_validate_reports_success(student):
    verdict = student.validate("validate-filled-in")
    assert "validation-failed" not in verdict["classes"], failures(verdict)
    assert "Success! Your notebook passes all the tests." in verdict["text"], verdict["text"][:3000]
