"""``GRADED`` defines ``_cnnattack_graded()`` in the kernel: whether the function calling it was called by the
grader's hidden checks (through the kernel side's ``_cnn_grading_call``) rather than by a visible check."""
GRADED = """
def _cnnattack_graded():
    import sys
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_cnn_grading_call":
            return True
        frame = frame.f_back
    return False
"""
