"""`nbgrader collect` that takes a student's submission only from a folder that student owns.

nbgrader's exchange inbound is writable by every student, and a submission's folder is named
`<student>+<assignment>+<timestamp>+<random>`: `nbgrader submit --student=ada`, run by ben, makes a
folder named for ada, owned by ben. nbgrader's collect takes the newest folder by the name in it and
only logs "cheating attempt?" (CollectApp.check_owner), so ben could replace ada's work with his own
or with nothing. This collect leaves such a folder where it is, says so as an error, and collects
the student's newest folder of their own. nbgrader_config.py selects it (ExchangeFactory.collect).
"""
import glob
import os
import pwd

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import check_mode


def owner_name(path):
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except KeyError:
        return f"uid {os.lstat(path).st_uid}"


class CollectOwnSubmissionsOnly(ExchangeCollect):
    """nbgrader's ExchangeCollect.init_src with one more step: records whose folder the named student does not own
    are dropped before the newest one per student is chosen (the rest is nbgrader 0.9.6's own logic)."""

    def owned(self, record):
        path = os.path.join(self.inbound_path, record["filename"])
        owner = owner_name(path)
        if owner == record["username"] and not os.path.islink(path):
            return True
        self.log.error("Not collected: %s is named for %s but owned by %s; the folder is left in the exchange",
                       path, record["username"], owner)
        return False

    def init_src(self):
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
        records = [self._path_to_record(f) for f in glob.glob(pattern)]
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
