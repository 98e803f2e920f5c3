"""`nbgrader export` plugins that write the grade-import CSV file of Canvas and of Moodle.

    nbgrader export --exporter=course_tools.report.lms_export.CanvasExport --assignment=cnn_step_by_step --to=canvas.csv
    nbgrader export --exporter=course_tools.report.lms_export.MoodleExport --assignment=cnn_step_by_step --to=moodle.csv

Run from the course folder (nbgrader puts it on the import path). One row per student of nbgrader's
gradebook (the roster imported with `nbgrader db student import`, plus any student autograde added), one
score column per assignment exported. The score is the gradebook's score less its late penalty (the
gradebook keeps the two apart; the course's penalty plugin, in nbgrader_config.py, set the penalty at
autograde time), never below zero. Every LMS-specific choice is a trait, settable in nbgrader_config.py
(its "LMS export" section has examples) or on the command line (`--CanvasExport.sis_login_id_field=email`).

The file is checked before anything is written: a student whom the LMS could not identify stops the export
with a message naming them, and no file is left behind.

Every text cell goes through grading/text.py's csv_cell: names and ids are the students' own (a display
name set in the LMS, a username), and a spreadsheet opening the file must not run one as a formula.

This module imports only nbgrader, traitlets, the standard library and grading/text.py (standard library
only, and in every course folder beside nbgrader_config.py), so that it runs wherever `nbgrader export` runs.
"""
import csv
import re
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Enum, Unicode

from grading.text import csv_cell, printable

# nbgrader Student fields an identity column may take its values from ("" leaves the column empty).
STUDENT_FIELDS = ["", "id", "email", "lms_user_id"]


class LmsExportError(Exception):
    """The gradebook cannot be exported as asked; the message says what to change."""


def number(value):
    """A score as both LMSs read it: a plain decimal with a point and two places, no thousands separator."""
    return f"{value:.2f}"


def safe_rows(rows):
    """The rows with every text cell neutralised; scores, written by number(), stay numbers."""
    return [[cell if is_number(cell) else csv_cell(cell) for cell in row] for row in rows]


def is_number(cell):
    # Strict, not float(): float() takes "\t-1\n", and "nan".
    return re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cell) is not None


class LmsExport(ExportPlugin):
    """What the Canvas and Moodle exports share: the assignments and students chosen, each student's score
    after the late penalty, and writing the file. Subclasses give the rows."""

    default_file = "grades.csv"

    # Both LMSs read a blank cell as "no grade", not as zero. Canvas's current score, the one its gradebook
    # shows, leaves ungraded assignments out; Moodle's course total leaves empty grades out unless the
    # category's "Exclude empty grades" is turned off (it is on by default). A blank would therefore make a
    # student who handed nothing in look better than one who handed in a poor attempt. Both also take a
    # blank in an import as a change: it removes a grade already entered there. Zero is the default in both.
    no_submission = Enum(
        ["zero", "blank"], default_value="zero",
        help="The cell of a student in the gradebook with no submission for an assignment: 'zero' (0.00, "
             "the course's rule and the default), or 'blank' (no grade: Canvas's and Moodle's totals then leave "
             "the assignment out, and the import removes a grade already entered in the LMS; use it only where "
             "the LMS itself applies a missing-submission grade, such as Canvas's missing submission policy)."
    ).tag(config=True)

    def export(self, gradebook):
        try:
            assignments = self.chosen_assignments(gradebook)
            students = self.chosen_students(gradebook)
            rows = self.rows(gradebook, assignments, students)
        except LmsExportError as error:
            self.log.error("%s", error)
            # Inside `nbgrader export` end as its own commands do (exit status 1, the message, no traceback).
            if hasattr(self.parent, "fail"):
                self.parent.fail("No grades file written.")
            raise
        dest = Path(self.to or self.default_file)
        dest.parent.mkdir(parents=True, exist_ok=True)
        # UTF-8 without a byte-order mark, comma-separated, "\n" line ends, quotes only where needed: the form
        # of both LMSs' own exports, which their imports read back.
        with open(dest, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(safe_rows(rows))
        self.log.info("Wrote %d students' grades for %s to %s", len(students),
                      ", ".join(a.name for a in assignments), dest)

    def chosen_assignments(self, gradebook):
        """The assignments named by --assignment (all of the gradebook's if none), in the gradebook's order."""
        known = gradebook.assignments
        wanted = [str(name) for name in self.assignment]
        unknown = sorted(set(wanted) - {a.name for a in known})
        if unknown:
            raise LmsExportError(f"No assignment named {', '.join(unknown)} in the gradebook "
                                 f"(it has: {', '.join(a.name for a in known) or 'none'}).")
        chosen = [a for a in known if not wanted or a.name in wanted]
        if not chosen:
            raise LmsExportError("The gradebook has no assignment to export.")
        return chosen

    def chosen_students(self, gradebook):
        """The students named by --student (all of the gradebook's if none), by last then first name."""
        known = gradebook.students
        wanted = [str(name) for name in self.student]
        unknown = sorted(set(wanted) - {s.id for s in known})
        if unknown:
            raise LmsExportError(f"No student {', '.join(unknown)} in the gradebook.")
        return [s for s in known if not wanted or s.id in wanted]

    def score_cell(self, gradebook, assignment, student):
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:
            return number(0) if self.no_submission == "zero" else ""
        return number(max(0.0, submission.score - (submission.late_submission_penalty or 0)))

    def rows(self, gradebook, assignments, students):
        raise NotImplementedError


class CanvasExport(LmsExport):
    """Canvas's Gradebook import file: the columns of Canvas's own Gradebook export (Student, ID, SIS User ID,
    SIS Login ID, Section), a Points Possible row, then one column per assignment, one row per student.

    Canvas finds each row's student by the ID column (its own numeric user id), else by SIS User ID, else by
    SIS Login ID, and only last by the name in Student. Which nbgrader field fills each is set below; a student
    with none of them filled is refused, since a name alone is not a reliable match.
    """

    default_file = "canvas_grades.csv"

    id_field = Enum(
        STUDENT_FIELDS, default_value="lms_user_id",
        help="The nbgrader Student field written in Canvas's ID column: Canvas's own user id, a number (the ID "
             "column of a Canvas gradebook export). Import it into nbgrader as lms_user_id with `nbgrader db "
             "student import`. '' leaves the column empty."
    ).tag(config=True)
    sis_user_id_field = Enum(
        STUDENT_FIELDS, default_value="",
        help="The nbgrader Student field written in Canvas's SIS User ID column (the institution's student "
             "number, where Canvas is fed by a student information system). '' leaves it empty."
    ).tag(config=True)
    sis_login_id_field = Enum(
        STUDENT_FIELDS, default_value="id",
        help="The nbgrader Student field written in Canvas's SIS Login ID column (the login the student signs "
             "in to Canvas with; 'id' where JupyterHub usernames are those logins). '' leaves it empty."
    ).tag(config=True)
    assignment_columns = Dict(
        key_trait=Unicode(), value_trait=Unicode(), default_value={},
        help="Canvas's column header for each nbgrader assignment, as Canvas's own export writes it: the "
             "assignment's name in Canvas and its id in brackets, e.g. {'cnn_step_by_step': 'CNN step by step "
             "(12345)'}. Canvas matches the column to the assignment by that id. An assignment not listed gets "
             "its nbgrader name as the header, which Canvas matches by title, or else offers to create as a "
             "new assignment."
    ).tag(config=True)

    def rows(self, gradebook, assignments, students):
        fields = [self.id_field, self.sis_user_id_field, self.sis_login_id_field]
        # Canvas reads SIS User ID only when SIS Login ID follows it, and Section ends the student columns.
        rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                 *[self.assignment_columns.get(a.name, a.name) for a in assignments]],
                ["Points Possible", "", "", "", "", *[number(a.max_score) for a in assignments]]]
        unidentified, not_numeric = [], []
        for student in students:
            ids = [str(getattr(student, field) or "").strip() if field else "" for field in fields]
            if not any(ids):
                unidentified.append(printable(student.id, 80))
            if ids[0] and not ids[0].isdigit():
                not_numeric.append(f"{printable(student.id, 80)} ({printable(ids[0], 80)})")
            rows.append([sortable_name(student), *ids, "",
                         *[self.score_cell(gradebook, a, student) for a in assignments]])
        if unidentified:
            raise LmsExportError(
                f"Canvas could match these students by name only: {', '.join(unidentified)}. Give them the "
                f"fields that CanvasExport.id_field ({self.id_field!r}), sis_user_id_field "
                f"({self.sis_user_id_field!r}) and sis_login_id_field ({self.sis_login_id_field!r}) name, in the "
                "roster imported with `nbgrader db student import`, or name other fields in nbgrader_config.py.")
        if not_numeric:
            # Canvas reads the ID column as a number and would silently fall back to the other columns.
            raise LmsExportError(
                f"Canvas's ID column holds Canvas's numeric user id; these students have another value there: "
                f"{', '.join(not_numeric)}. Set CanvasExport.id_field to the field holding Canvas ids, or ''.")
        return rows


def sortable_name(student):
    """The student's name as Canvas's Student column writes it: 'Last, First'."""
    names = [name for name in (student.last_name, student.first_name) if name]
    return ", ".join(names) if names else student.id


# Moodle's "Map to" choices for identifying users, with the nbgrader field each takes its value from and the
# header the column gets (the header Moodle's own export gives that field, where it has one).
MOODLE_IDENTITIES = {
    "email": ("email", "Email address"),
    "username": ("id", "Username"),
    "idnumber": ("lms_user_id", "ID number"),
}


class MoodleExport(LmsExport):
    """Moodle's "Import grades: CSV file": First name, Last name, the one column that identifies the student,
    then one column per assignment, one row per student.

    On import, Moodle asks which column to "Map from" and which user field to "Map to" (CSV grade import's
    "Identify user by"), and which grade item each score column goes to ("Grade item mappings").
    """

    default_file = "moodle_grades.csv"

    identity = Enum(
        sorted(MOODLE_IDENTITIES), default_value="email",
        help="The Moodle user field that identifies each student, chosen again as 'Map to' on import: 'email' "
             "(nbgrader's email; Moodle compares it case-sensitively), 'username' (nbgrader's student id, "
             "where JupyterHub usernames are Moodle usernames) or 'idnumber' (nbgrader's lms_user_id, holding "
             "Moodle's ID number field)."
    ).tag(config=True)
    grade_items = Dict(
        key_trait=Unicode(), value_trait=Unicode(), default_value={},
        help="The header of each nbgrader assignment's score column, e.g. {'cnn_step_by_step': 'CNN step by "
             "step'}: the name of the Moodle grade item it is mapped to on import, so that the mapping is "
             "easy to choose. An assignment not listed gets its nbgrader name."
    ).tag(config=True)

    def rows(self, gradebook, assignments, students):
        field, header = MOODLE_IDENTITIES[self.identity]
        rows = [["First name", "Last name", header, *[self.grade_items.get(a.name, a.name) for a in assignments]]]
        unidentified = []
        for student in students:
            value = str(getattr(student, field) or "").strip()
            # Moodle skips the lookup for a row whose identity is blank and files its grades under the
            # previous row's student, so such a row must never be written.
            if not value:
                unidentified.append(printable(student.id, 80))
            rows.append([student.first_name or "", student.last_name or "", value,
                         *[self.score_cell(gradebook, a, student) for a in assignments]])
        if unidentified:
            raise LmsExportError(
                f"These students have no {field} in the gradebook, which MoodleExport.identity "
                f"({self.identity!r}) needs: {', '.join(unidentified)}. Add it to the roster and import it "
                "again with `nbgrader db student import`, or choose another identity in nbgrader_config.py.")
        return rows
