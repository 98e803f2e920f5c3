"""The sizes the sandbox and the grader's sockets are bounded by, shared by the modules that set them."""

GiB = 1024 ** 3
MiB = 1024 ** 2
MAX_MESSAGE_BYTES = 16 * MiB  # the largest message the grader reads from a kernel
SHM_SIZE = 16 * MiB  # /dev/shm, for multiprocessing; the rest of /dev is read-only
RECEIVE_QUEUE = 16  # messages a grader socket holds before it drops more (pub/sub) or stops reading
