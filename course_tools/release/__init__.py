"""Release: source/ into release/ through nbgrader (generate_assignment), the student version of each assignment.

It reads source/ files, not authoring code: it may import course.py and notebooks.py, never author/, grade/,
report/ or proof/.
"""
