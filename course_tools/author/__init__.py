"""Author: the course's text form in authoring/ into source/ (the notebooks, their figures, part 2's data files).

The first stage: it may import course.py and notebooks.py, never grading/ or a later stage (release/, grade/,
report/), and nothing of proof/.
"""
