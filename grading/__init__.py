"""Trusted grading: the sandboxed kernel (sandbox.py, with bwrap.py, cgroups.py, kernel_pause.py and limits.py),
the verdict outside it (trusted_execute.py, its calls into the kernel in kernel_calls.py), and a worker's
private course for the class pipeline (worker_course.py)."""
