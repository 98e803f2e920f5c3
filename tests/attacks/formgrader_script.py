"""Script in a markdown cell and an HTML output of the student's own: Formgrader shows them to the instructor as they are.

Class 6 (student-controlled HTML, on the instructor's nbgrader path). It won against the grader
before the fix below: the instructor who opened the submission in Formgrader (manual grading,
/formgrader/submissions/<id>) ran the student's script in the Jupyter server's origin, where it
can read the ``_xsrf`` cookie and drive the server's API (start a kernel, run code as the
instructor, rewrite the gradebook).

All eight functions are honest. A markdown cell after the title holds ``<script>`` and
``<img src=x onerror=...>``; the zero_pad cell displays the same as ``IPython.display.HTML``.
`make grade`'s pages never render a cell (markup-everywhere checks they escape every message),
but the graded notebook keeps the student's markdown and the outputs of their own cells, and
Formgrader renders it with nbconvert's HTMLExporter
(nbgrader/server_extensions/formgrader/formgrader.py: ``HTMLExporter(config=self.config)``),
whose ``sanitize_html`` is False unless configured. nbgrader's own ``generate_feedback`` renders
the markdown too (the output, after the first grade cell, is hidden by
ShowNoOutputOnceGradingBegan): the student's own page, which the instructor may open.

Measured by the red team: Formgrader's rendering of the graded notebook held 2 ``<script>`` and
2 ``<img ... onerror=...>`` as the student wrote them; generate_feedback's page 1 and 1. Their
measure of ``c.HTMLExporter.sanitize_html = True`` (none left) used nbconvert's own template:
nbgrader's Formgrader and feedback templates render a markdown cell without the filter that
setting adds, so with it alone the markdown's script and handler still ran on both (measured
here), and nbconvert's filter escaped every heading, paragraph and image of a page.
Defended: nbgrader_config.py sets sanitize_html and names two filters of grading/feedback_page.py:
``clean_html`` (keeps what markdown renders to, drops scripts, handlers, remote images) and
``CleanMarkdown`` (markdown2html, then clean_html). ``test_formgrader_runs_no_markup_of_the_attack``
renders the graded notebook as Formgrader does (its template, the course's config) and finds
nothing of the attack's that would run (before: 4, with sanitize_html alone: 2);
tests/test_nbgrader_feedback.py checks generate_feedback's pages the same way.
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
