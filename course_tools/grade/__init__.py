"""Grade: submitted/ to the workers (a Dask cluster, local by default) and their results into autograded/ and the
gradebook.

It may import course.py, notebooks.py and grading/ (the workers' course, the submission copy, the sandbox's
availability), never author/, release/, report/ or proof/: the feedback and the CSV files are written by report/,
which course_tools/grade_and_report.py (`make grade`) runs after it.
"""
