"""Trusted grading: the student's code runs in a sandboxed kernel, the verdict is computed outside it.

Runs as the student: the kernel, forked from a warm template in a bubblewrap sandbox, with its own user, pid,
net, ipc and mount namespaces, a seccomp filter, rlimits and, as root, cgroup limits. template_inside.py and
kernel_side.py run there too, so they are the student's once student code has run: nothing they do is trusted
(the grader imports kernel_side.py's encoder only to write its requests).
Runs as the grader: nbgrader's autograde and its preprocessors, TrustedExecute and its parts, the kits' hidden
tests, which compute the expected values on the grader's own copies of the inputs, and the decoder of replies.
What crosses: requests, code the grader wrote carrying the inputs as plain data; replies, decoded strictly, as
data (plain_data.py for values, kernel_messages.py for frames), every size bounded before anything is parsed;
the kernel's sockets, which the grader reaches by a file descriptor of a folder the kernel cannot write; the
notebook folder's other files, copied as regular files, read-only. Nothing the kernel says about itself is
trusted: the limits it hit are read from its cgroup and its mounts, its end from its process.

The modules, by responsibility:
  the cell loop and verdict   trusted_execute.py (TrustedExecute), verdict.py (a test cell's hidden part in the
                              grader), deferred_cells.py and cell_names.py (test cells run at the end),
                              cell_outputs.py (outputs and their limits), feedback_page.py (what feedback shows),
                              returned_values.py (a digest per test cell of what the functions returned)
  kernel lifecycle, replay    kernel_lifecycle.py (start, replace, replay), sandbox.py (SandboxedKernelManager),
                              bwrap.py, kernel_template.py, template_inside.py, kernel_pause.py
  the channel, the decoder    kernel_calls.py (the hidden tests' calls), kernel_side.py (the kernel's end),
                              kernel_messages.py (sockets and frames), plain_data.py (the strict decoder)
  limits                      limits.py (sizes), cgroups.py (processes, memory, CPU), notebook_clock.py (time)
  per-student limits          student_process.py (the worker's grading host: each student under a deadline and
                              a memory bound that cover nbgrader's own work)
  submissions, the pipeline   submission_files.py and owned_collect.py (regular files, owners' folders only),
                              worker_course.py (a worker's private course), worker_runs.py (a worker's runs),
                              gradebook_record.py (what a worker's autograde saved, saved again in the course's
                              gradebook), owned_folders.py, text.py
"""
