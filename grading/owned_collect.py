"""`nbgrader collect` that takes a student's submission only from a folder that student owns.

nbgrader's exchange inbound is writable by every student, and a submission's folder is named
`<student>+<assignment>+<timestamp>+<random>`: `nbgrader submit --student=ada`, run by ben, makes a
folder named for ada, owned by ben. nbgrader's collect takes the newest folder by the name in it and
only logs "cheating attempt?" (CollectApp.check_owner), so ben could replace ada's work with his own
or with nothing. This collect leaves such a folder where it is, says so as an error, and collects
the student's newest folder of their own. nbgrader_config.py selects it (ExchangeFactory.collect).

The inbound is every student's to write, so nothing found there may stop the class's collect: a
folder whose name is not a submission's, a file where a folder should be, a link, a FIFO. What is
copied is regular files only (grading/submission_files.py): nbgrader's copy follows links, so a
folder holding a link to the course's source notebook, or to another student's collected work,
would be collected as that file, read with the instructor's rights. Where all students share one
uid (containers), `--ExchangeCollect.check_owner=False` turns the owner check off, as in nbgrader.

A submission's time is what its timestamp.txt says, and the late penalty is computed from it; the
student writes that file (nbgrader's submit does it for them, a folder made by hand can say
anything). The folder's ctime, which only the kernel sets and which only moves forward, bounds it:
a timestamp more than `backdating_tolerance` before the folder's last change, or none, is replaced
by that change's time, and the collect says so.

Every name logged here (a folder's, a user's, a timestamp's) is the students' to choose; the
collect's logger makes each record printable (grading/text.py), nbgrader's own records included.
"""
import glob
import os
import pwd
from datetime import datetime, timedelta, timezone

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import check_mode, parse_utc
from traitlets import Float

from grading.submission_files import copy_submission
from grading.text import keep_records_printable, printable


TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"  # nbgrader's own


def owner_name(path):
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except KeyError:
        return f"uid {os.lstat(path).st_uid}"


class CollectOwnSubmissionsOnly(ExchangeCollect):
    """nbgrader's ExchangeCollect.init_src with one more step: records whose folder the named student does not own
    are dropped before the newest one per student is chosen (the rest is nbgrader 0.9.6's own logic)."""

    backdating_tolerance = Float(
        120.0, help="Seconds a submission's timestamp.txt may lie before its folder's last change: nbgrader's submit "
                    "writes the time it started, then copies and changes the folder's mode; the room left is for a "
                    "student's clock a little behind the file server's.").tag(config=True)

    def owned(self, record):
        path = os.path.join(self.inbound_path, record["filename"])
        if os.path.islink(path) or not os.path.isdir(path):
            self.log.error("Not collected: %s is not a folder; it is left in the exchange", path)
            return False
        owner = owner_name(path)
        if owner == record["username"] or not self.check_owner:
            return True
        self.log.error("Not collected: %s is named for %s but owned by %s; the folder is left in the exchange",
                       path, record["username"], owner)
        return False

    def records(self, paths):
        """nbgrader's record of each submission folder; a name that is not a submission's is said and left."""
        found = []
        for path in paths:
            try:
                found.append(self._path_to_record(path))
            except Exception as error:  # nbgrader's parser raises on a name whose timestamp is not one
                self.log.error("Not collected: %s is not named as a submission (%s)", path, error)
        return found

    def do_copy(self, src, dest, log=None):
        """Regular files only, never following a link; a problem is said and the class's collect goes on."""
        try:
            problems = copy_submission(src, dest, skip=self.coursedir.ignore)
        except Exception as error:  # one student's folder, whatever is wrong with it, never stops the collect
            problems = [f"copying stopped: {printable(error, 200)}"]
        for problem in problems:
            self.log.error("Collected %s without something: %s", src, problem)
        self.bound_the_timestamp(src, dest)

    def bound_the_timestamp(self, src, dest):
        changed = datetime.fromtimestamp(os.lstat(src).st_ctime, timezone.utc).replace(tzinfo=None)
        stamp = os.path.join(dest, "timestamp.txt")
        try:
            with open(stamp) as handle:
                claimed = parse_utc(handle.read().strip())
        except (OSError, ValueError, OverflowError):
            claimed = None
        if claimed is not None and claimed >= changed - timedelta(seconds=self.backdating_tolerance):
            return
        self.log.error("%s: its timestamp.txt says %s, but the folder was last changed at %s UTC; the submission's "
                       "time is that change's", src, claimed or "nothing", changed)
        with open(stamp, "w") as handle:
            handle.write(changed.strftime(TIMESTAMP_FORMAT))

    def init_src(self):
        keep_records_printable(self.log)
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail("Course not found: {}".format(self.inbound_path))
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail("You don't have read permissions for the directory: {}".format(self.inbound_path))
        student_id = self.coursedir.student_id if self.coursedir.student_id else "*"
        pattern = os.path.join(self.inbound_path, "{}+{}+*".format(student_id, self.coursedir.assignment_id))
        records = self.records(glob.glob(pattern))
        usergroups = groupby([r for r in records if self.owned(r)], lambda item: item["username"])

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for group in usergroups.values():
            newest_first = self._sort_by_timestamp(group)
            on_time = [r for r in newest_first if self.duedate is not None and r["timestamp"] <= self.duedate]
            self.src_records.append(on_time[0] if self.before_duedate and on_time else newest_first[0])
