"""The course's tools, one folder per stage in the order a submission travels: author/ (authoring/ into source/),
release/ (source/ into release/), grade/ (submitted/ to the workers to the gradebook), report/ (the gradebook into
feedback, CSV files and the class report). course.py (the course folder, its assignments and nbgrader commands)
and notebooks.py serve every stage; grade_and_report.py is `make grade`, grade/ then report/; system_packages.py
checks the machine before the environment exists; proof/ shows that the pipeline grades right. What each may
import: tests/test_grading_layout.py (MAY_IMPORT).
"""
