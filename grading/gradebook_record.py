"""What a worker's autograde saved in its private gradebook (read there), written into the course's gradebook
by the coordinator (course_tools/grade/grade_class.py), as nbgrader itself would have saved it there."""


def read_record(gradebook, assignment, student):
    """What nbgrader's autograde saved for one submission: its timestamp, and per notebook the
    automatic scores, the automatic comments and the late penalty."""
    submission = gradebook.find_submission(assignment, student)
    return {
        "timestamp": submission.timestamp.isoformat() if submission.timestamp else None,
        "notebooks": {nb.name: {"auto_scores": {g.name: g.auto_score for g in nb.grades},
                                "auto_comments": {c.name: c.auto_comment for c in nb.comments},
                                "late_penalty": nb.late_submission_penalty}
                      for nb in submission.notebooks},
    }


def save_record(gradebook, assignment, student, record):
    """Write what a worker's autograde saved (read_record) into the course's gradebook, as nbgrader's
    SaveAutoGrades and AssignLatePenalties would have: a manual score, if any, is kept and flagged."""
    from datetime import datetime

    gradebook.update_or_create_student(student)
    if insert_first_submission(gradebook, assignment, student, record):
        gradebook.db.commit()
        return
    if record["timestamp"]:
        gradebook.update_or_create_submission(assignment, student,
                                              timestamp=datetime.fromisoformat(record["timestamp"]))
    else:
        gradebook.update_or_create_submission(assignment, student)
    for name, notebook in record["notebooks"].items():
        # One query for the notebook, its grades and comments: asking for each cell's row (find_grade) took
        # half of the coordinator's time per student.
        submitted = gradebook.find_submission_notebook(name, assignment, student)
        grades = {grade.name: grade for grade in submitted.grades}
        comments = {comment.name: comment for comment in submitted.comments}
        for cell, score in notebook["auto_scores"].items():
            grade = grades[cell]
            grade.auto_score = score
            grade.needs_manual_grade = grade.manual_score is not None or score is None
        for cell, comment in notebook["auto_comments"].items():
            comments[cell].auto_comment = comment
        submitted.late_submission_penalty = notebook["late_penalty"]
    gradebook.db.commit()


def insert_first_submission(gradebook, assignment, student, record):
    """A student's first submission of the assignment, written as the rows nbgrader's add_submission and
    save_record's updates leave (the submission, each notebook of the assignment, a grade per grade and task
    cell, a comment per solution and task cell), with their scores, comments and penalties, in one insert per
    table. nbgrader's ORM made each row, flushed and then updated it: 11 of a student's 17 ms of saving in
    the coordinator (cProfile, batches of 64). False, and nothing written, if the student has a submission
    already or the record's cells are not the gradebook's: save_record's ORM path then."""
    from datetime import datetime

    from nbgrader import utils as nbgrader_utils
    from nbgrader.api import Assignment, Comment, Grade, SubmittedAssignment, SubmittedNotebook, new_uuid

    db = gradebook.db
    if db.query(SubmittedAssignment.id).join(Assignment).filter(
            Assignment.name == assignment, SubmittedAssignment.student_id == student).first() is not None:
        return False
    assignment_id, notebooks = assignment_layout(gradebook, assignment)
    if sorted(record["notebooks"]) != sorted(notebooks):
        return False
    for name, (_, grades, solutions, tasks) in notebooks.items():
        saved = record["notebooks"][name]
        if (sorted(saved["auto_scores"]) != sorted(grade for _, grade in grades + tasks)
                or sorted(saved["auto_comments"]) != sorted(cell for _, cell in solutions + tasks)):
            return False
    submission_id = new_uuid()
    timestamp = nbgrader_utils.parse_utc(datetime.fromisoformat(record["timestamp"])) if record["timestamp"] else None
    rows = {SubmittedNotebook: [], Grade: [], Comment: []}
    for name, (notebook_id, grades, solutions, tasks) in notebooks.items():
        saved, submitted_id = record["notebooks"][name], new_uuid()
        rows[SubmittedNotebook].append({"id": submitted_id, "assignment_id": submission_id, "notebook_id": notebook_id,
                                        "flagged": False, "late_submission_penalty": saved["late_penalty"]})
        for cell_id, cell in grades + tasks:
            score = saved["auto_scores"][cell]
            rows[Grade].append({"id": new_uuid(), "notebook_id": submitted_id, "cell_id": cell_id, "auto_score": score,
                                "manual_score": None, "extra_credit": None, "needs_manual_grade": score is None})
        for cell_id, cell in solutions + tasks:
            rows[Comment].append({"id": new_uuid(), "notebook_id": submitted_id, "cell_id": cell_id,
                                  "auto_comment": saved["auto_comments"][cell], "manual_comment": None})
    db.execute(SubmittedAssignment.__table__.insert(), [{"id": submission_id, "assignment_id": assignment_id,
                                                          "student_id": student, "timestamp": timestamp,
                                                          "extension": None}])
    for table, values in rows.items():
        if values:
            db.execute(table.__table__.insert(), values)
    return True


def assignment_layout(gradebook, assignment):
    """(the assignment's id, {notebook: (its id, [(id, name)] of its grade cells, solution cells, task
    cells)}), read once per gradebook object: the pipeline's gradebook stays open for the whole run."""
    layouts = gradebook.__dict__.setdefault("_cnn_layouts", {})
    if assignment not in layouts:
        found = gradebook.find_assignment(assignment)
        layouts[assignment] = (found.id, {
            notebook.name: (notebook.id, [(cell.id, cell.name) for cell in notebook.grade_cells],
                            [(cell.id, cell.name) for cell in notebook.solution_cells],
                            [(cell.id, cell.name) for cell in notebook.task_cells])
            for notebook in found.notebooks})
    return layouts[assignment]
