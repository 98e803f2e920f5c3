"""Report: the gradebook and autograded/ into what the instructor sends and imports (feedback pages, the grades
CSV files, the class report, the LMS files of `nbgrader export`).

The last stage: it may import course.py and notebooks.py, never author/, release/, grade/ or proof/. Of grading/
it takes grading/text.py alone (standard library only, the escaping of student text), which a course folder holds
beside nbgrader_config.py. This file imports nothing, so that `nbgrader export` needs only it, lms_export.py,
course_tools/__init__.py and grading/ in the course folder.
"""
