"""Text a student controls, made safe for the instructor's console, CSV files, logs and HTML.

A student names their folder, their files and their links, writes their notebook and what
their kernel prints: any of it may reach the grader's messages. On a terminal a control
character or escape sequence can erase or rewrite what was printed (a forged "100 ok" line);
a newline forges a line of a log; a bidi override turns text around; a lone surrogate (a
file name that is not UTF-8) makes writing the text fail; a CSV cell starting with `=`, `+`,
`-` or `@` is a formula to a spreadsheet. Every such string is passed through `printable`
(console, logs), `csv_cell` (CSV) or `html_text` (HTML) at the place it is written, and the
grader's own strings that quote one are built with `printable` where they are made.

What a student's code wrote while it was being graded (an exception's message, a type's name) reaches the
student's feedback page through `quoted` and `type_name`: short plain ASCII (class 5, below).

Standard library only: lms_export.py runs wherever `nbgrader export` runs.
"""
import builtins
import html
import logging
import re
import traceback
import unicodedata

# Controls (C0, DEL, C1), format characters (bidi overrides and isolates, zero widths, BOM),
# line and paragraph separators, and surrogates: none of them may reach a reader unseen.
HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
# OWASP's list for CSV injection (the fullwidth forms too: some spreadsheets read them as the ASCII ones).
FORMULA_STARTS = tuple("=+-@\t\r\n") + tuple("\uff1d\uff0b\uff0d\uff20")


def visible(char):
    """The character itself, or its escape when a reader would not see it as it is."""
    if unicodedata.category(char) not in HIDDEN_CATEGORIES:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def first_line(text):
    """The first line of `text`, stripped: all a one-line verdict quotes of an error's message."""
    return str(text).strip().split("\n")[0]


# What a feedback page may quote of the student's own text (issue 18, class 5). The student's code ran on the
# hidden inputs, and from the first reference helper the grader sends on, with the helper's source in its
# kernel: whatever it writes into an exception reaches the page, so the page keeps little of it. One line of
# printable ASCII, every other character one PLACEHOLDER (never an escape, which would be longer), cut at
# QUOTE_LIMIT characters; a type's name, an ASCII identifier of at most NAME_LIMIT. That is at most 6.6 bits
# a character, 120 + 40 characters a verdict: docs/attacks.md states the bound.
PLACEHOLDER = "?"
QUOTE_LIMIT = 120
NAME_LIMIT = 40
CUT = "..."
NOT_NAME = re.compile(r"[^A-Za-z0-9_.]")
# The names a quiet verdict may use (once reference helpers are in the kernel): Python's own types and
# exceptions, the few numpy raises, the grader's own; any other is "Exception" or "object".
KNOWN_NAMES = frozenset(name for name, value in vars(builtins).items() if isinstance(value, type)) | {
    "AxisError", "LinAlgError", "_ArrayMemoryError", "CellTimeoutError", "DeadKernelError", "MalformedReply"}


def quoted(text, limit=QUOTE_LIMIT):
    """The first line of a student's text as a page may quote it: printable ASCII only, any other character
    one PLACEHOLDER, at most `limit` characters (ending in CUT when cut)."""
    line = "".join(c if " " <= c <= "~" else PLACEHOLDER for c in first_line(text))
    return line if len(line) <= limit else line[:limit - len(CUT)] + CUT


def type_name(name, default="Exception", known_only=False):
    """A type's name as a page may quote it: ASCII letters, digits, "_" and "." (any other character "_"), at
    most NAME_LIMIT of them; with `known_only`, one of KNOWN_NAMES or `default`."""
    name = NOT_NAME.sub("_", str(name))[:NAME_LIMIT]
    if known_only and name not in KNOWN_NAMES:
        return default
    return name or default


def printable(text, limit=None):
    """`text` on one line, every hidden character shown as an escape; cut to about `limit` characters."""
    shown = "".join(map(visible, str(text)))
    if limit is not None and len(shown) > limit:
        shown = shown[:limit] + f"... ({len(shown) - limit} more characters)"
    return shown


def printable_lines(text):
    """Several lines of text (a log), each made printable: only the line ends stay."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def csv_cell(text, limit=None):
    """A text cell of a CSV file: printable, and never read as a formula (a leading `'`, as OWASP says).
    Numbers are written as numbers, never through here."""
    shown = printable(text, limit)
    return "'" + shown if shown.startswith(FORMULA_STARTS) else shown


def html_text(text, limit=None):
    """Text for an HTML page: printable, then escaped."""
    return html.escape(printable(text, limit))


class PrintableRecords(logging.Filter):
    """A logger's records with their message made printable, so that one record is one line of the log
    whatever it quotes; an exception's text too (its message may quote a notebook)."""

    def filter(self, record):
        record.msg, record.args = printable(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = exception_text(*record.exc_info)
        return True


def keep_records_printable(logger):
    """Give `logger` a PrintableRecords filter, once however often it is asked."""
    if not any(isinstance(f, PrintableRecords) for f in logger.filters):
        logger.addFilter(PrintableRecords())


def exception_text(kind, value, trace):
    """A traceback as logging writes it, its frames' lines printable and the exception's message on one line."""
    frames = "".join(traceback.format_tb(trace)).rstrip("\n")
    message = "".join(traceback.format_exception_only(kind, value)).rstrip("\n")
    return f"Traceback (most recent call last):\n{printable_lines(frames)}\n{printable(message)}"
