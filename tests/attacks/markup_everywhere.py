"""Markup, terminal escapes and bidi overrides in every string of its own the grader quotes, beyond error messages.

html-injection puts markup in exception messages. This one puts ``<script>``,
``<img onerror>``, ANSI escapes (clear screen, erase line), a carriage return, a forged
"100 ok" line and a right-to-left override (U+202E) where else a student's text reaches
the grader's products: the name of an exception class raised in a visible check
(conv_single_step; the name is quoted as the kernel reports it) and in a hidden check
(create_mask_from_window), the type name of an object returned to a hidden check
(pool_forward), the names of files and a link's target left out of the submission, the
source of a markdown cell and an HTML output of its own (for nbgrader's pages and Formgrader,
which render the graded notebook; docs/attacks.md, class 6). The other five functions are honest.
Without protection: script in the instructor's browser and a rewritten console line.
"""
import os

from ._graded import GRADED

EXPECT = {"zero_pad", "conv_forward", "conv_backward", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
PROBLEMS = ("left out",)
MARK = "cnnattack_markup_everywhere"
SCRIPT = f'<script>/*{MARK}*/document.title="pwned"</script>'
IMG = f'<img src=x onerror="/*{MARK}*/alert(1)">'
TERMINAL = "\x1b[2J\x1b[2K\r100 ok\n\u202e"
NAME = SCRIPT + IMG + TERMINAL



def ANSWERS(reference):
    honest = {name: reference[name].replace(f"def {name}(", f"def _honest_{name}(", 1)
              for name in ("pool_forward", "create_mask_from_window")}
    return {
        "conv_single_step": f'''def conv_single_step(a_slice_prev, W, b):
    raise type({NAME!r}, (Exception,), {{}})({NAME!r})
''',
        "create_mask_from_window": f'''{GRADED}
{honest["create_mask_from_window"]}

def create_mask_from_window(x):
    if _cnnattack_graded():
        raise type({NAME!r}, (Exception,), {{}})({NAME!r})
    return _honest_create_mask_from_window(x)
''',
        "pool_forward": f'''{GRADED}
{honest["pool_forward"]}

def pool_forward(A_prev, hparameters, mode="max"):
    A, cache = _honest_pool_forward(A_prev, hparameters, mode)
    if _cnnattack_graded():
        return type({NAME!r}, (), {{}})(), cache
    return A, cache
''',
    }


APPEND = {"zero_pad": f'''
from IPython.display import HTML as _HTML, display as _display
_display(_HTML({(SCRIPT + IMG)!r}))
print({TERMINAL!r})
'''}
# File names cannot hold "/", so the script tag goes into the link's target; the names carry the rest.
SYMLINKS = {IMG.replace("/", "\u2215") + TERMINAL: SCRIPT + TERMINAL}


def EDIT(nb):
    import nbformat
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(f"# {MARK}\n\n{SCRIPT}\n\n{IMG}\n\n{TERMINAL}"))


def PREPARE(folder):
    os.mkfifo(folder / ("=HYPERLINK(\"x\")" + TERMINAL))
