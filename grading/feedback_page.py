"""What nbgrader's own `generate_feedback` (Formgrader's Generate Feedback button) may show a student.

The autograded notebook is the grader's working copy: nbgrader's OverwriteCells put back every
test cell, and the grading kit cell, as the gradebook keeps them, hidden tests and all (part 2's
kit holds the reference layers it lends a student's kernel). nbgrader's feedback converter turns
that copy into HTML as it is (upstream issue 917), so the page a student receives held every
hidden line. Its outputs are no safer: from the first grade cell on, the grader sends the hidden
cases' inputs and, for a function graded apart from its helpers, the reference helpers' source into
the student's kernel, where the student's code can record them and print them in a later cell.

`nbgrader_config.py` runs both steps below before nbgrader's own (GetGrades, the page's style): the
page shows each cell the instructor owns as the release shows it, the student's own code, the
outputs of the cells that ran before grading began, each test's verdict, and the scores.

Both those pages and Formgrader's (manual grading) render the student's markdown and HTML outputs,
in the Jupyter server's origin when Formgrader shows them: `nbgrader_config.py` turns nbconvert's
sanitizing on (HTMLExporter.sanitize_html) and names the two filters below, ``clean_html``, which
keeps what markdown renders to and drops scripts, event handlers and anything that loads from
elsewhere, and ``CleanMarkdown`` for the markdown cells of nbgrader's own templates, which render
them without asking whether to sanitize.
"""
from urllib.parse import urlsplit

import bleach
import jinja2
from bleach.css_sanitizer import CSSSanitizer
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets.config import Configurable

NOT_SHOWN = ("[not shown on this page: this cell ran after grading began, when the grader's inputs and reference "
             "helpers were in the kernel. Your own notebook has its output.]\n")


class ShowOnlyWhatWasReleased(ClearHiddenTests):
    """Clear the hidden-test regions of the grade cells, as generate_assignment did for the release.

    Only grade cells are touched: they are the only cells whose source comes from the gradebook
    (OverwriteCells), so their regions are the instructor's. A student's own cell is left as
    written, markers included: a student who types "### BEGIN HIDDEN TESTS" into an answer hides
    nothing but their own code, and must not stop the page from being written.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_grade(cell):
            self._remove_hidden_test_region(cell)
        return cell, resources


class ShowNoOutputOnceGradingBegan(NbGraderPreprocessor):
    """From the first grade cell on, a code cell shows no output but a test's verdict (its errors).

    A test cell's errors are the verdict the grades rest on, the same sentences as make grade's
    pages; every other output there, and every output of a later cell, came from the student's
    kernel after the grader had put its inputs and reference helpers into it.
    """

    def preprocess(self, nb, resources):
        began = False
        for cell in nb.cells:
            began = began or utils.is_grade(cell)
            if began and cell.cell_type == "code":
                verdict = [o for o in cell.get("outputs", []) if o.output_type == "error"] \
                    if utils.is_grade(cell) else []
                hidden = len(cell.get("outputs", [])) > len(verdict)
                cell.outputs = verdict + ([new_output("stream", name="stdout", text=NOT_SHOWN)] if hidden else [])
        return nb, resources


# What markdown renders to (headings, paragraphs, lists, tables, images, code) and nbconvert's own markup
# around code (div, pre, span with classes), nothing that runs or loads: nbconvert's clean_html allows 12 tags
# (bleach's), and with it every heading and paragraph of a page showed as escaped text (nbconvert issue 2016).
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SAFE_TAGS = sorted(bleach.ALLOWED_TAGS | HEADINGS | {
    "p", "br", "hr", "div", "pre", "span", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "sub", "sup", "del", "ins", "s", "u", "kbd", "samp", "var", "small", "mark", "dl", "dt", "dd", "details",
    "summary", "figure", "figcaption", "q", "cite", "center", "font"})
CSS = CSSSanitizer()  # bleach's presentational properties only: no url(), no position


def allowed_attribute(tag, name, value):
    """bleach's question for each attribute. No event handler, no id but a heading's (markdown's anchors: an id
    of the student's could stand in for one of Formgrader's own elements), and an image only from below the
    page's own folder or inline: one from elsewhere would tell its server when the instructor looked, and one from
    elsewhere on the Jupyter server is a request made with the instructor's cookies (/logout, say)."""
    if name in ("class", "title", "style") or (name == "id" and tag in HEADINGS):
        return True
    if tag == "a":
        return name == "href" and not value.strip().lower().startswith("data:")
    if tag == "img":
        if name == "src":
            url = urlsplit(value.strip())
            below = not url.scheme and not url.netloc and not url.path.startswith("/") and ".." not in url.path
            return below or value.strip().lower().startswith("data:image/")
        return name in ("alt", "width", "height")
    return ((tag in ("td", "th") and name in ("colspan", "rowspan", "align")) or (tag == "ol" and name == "start")
            or (tag == "font" and name in ("color", "size", "face")))


def clean_html(element):
    """nbconvert's clean_html filter, for HTMLExporter.sanitize_html (nbgrader_config.py): markup outside the lists
    above is shown as text."""
    element = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(element, tags=SAFE_TAGS, attributes=allowed_attribute, css_sanitizer=CSS,
                        protocols=["http", "https", "mailto", "data"])


class CleanMarkdown(Configurable):
    """The markdown2html filter: the exporter's own, then ``clean_html`` when the exporter sanitizes. nbgrader's
    Formgrader and feedback templates render a markdown cell as ``cell.source | markdown2html`` whatever
    sanitize_html says (nbconvert's own templates add ``| clean_html`` when it is on): without this, a student's
    markdown cell ran its script in Formgrader. Configurable (a traitlets class), so that nbconvert makes it
    with the exporter as its parent."""

    @jinja2.pass_context
    def __call__(self, context, source):
        rendered = self.parent.markdown2html(context, source)
        return clean_html(rendered) if self.parent.sanitize_html else rendered

    jinja_pass_arg = __call__.jinja_pass_arg  # what jinja reads on the object it calls: pass the context
