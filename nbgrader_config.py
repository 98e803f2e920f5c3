"""nbgrader configuration for the course. Read by every nbgrader command run from this folder."""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "cnn-step-by-step"
# The folder layout (source/, release/, submitted/, autograded/, feedback/) and the
# gradebook.db file are nbgrader's defaults, relative to the folder the command runs in.

# Seconds a single cell may run during autograde before it is stopped. A naive
# four-loop solution needs well under a second per test cell (see the README).
c.Execute.timeout = 30

# A student who deletes a test cell (or the grading kit cell) gets it back when
# graded, instead of silently skipping those tests.
c.OverwriteCells.add_missing_cells = True
