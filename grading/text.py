"""Text a student controls, made safe for the instructor's console, CSV files, logs and HTML.

A student names their folder, their files and their links, writes their notebook and what
their kernel prints: any of it may reach the grader's messages. On a terminal a control
character or escape sequence can erase or rewrite what was printed (a forged "100 ok" line);
a newline forges a line of a log; a bidi override turns text around; a lone surrogate (a
file name that is not UTF-8) makes writing the text fail; a CSV cell starting with `=`, `+`,
`-` or `@` is a formula to a spreadsheet. Every such string is passed through `printable`
(console, logs), `csv_cell` (CSV) or `html_text` (HTML) at the place it is written, and the
grader's own strings that quote one are built with `printable` where they are made.

Standard library only: lms_export.py runs wherever `nbgrader export` runs.
"""
import html
import logging
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
