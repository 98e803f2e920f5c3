"""Trusted grading: the sandboxed kernel (sandbox.py), the verdict outside it (trusted_execute.py), and a
worker's private course for the class pipeline (worker_course.py)."""
