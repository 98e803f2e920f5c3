"""The grader never follows a path the kernel can change to reach the kernel's sockets (issue 18, class 2).

A kernel that replaced its socket files with links to a socket on the host, and then shut its
connections down, made ZeroMQ in the grader reconnect, every 10 ms, to that host socket: the grader
connected through /proc/<pid>/root/tmp/.kernel/ipc-N, in the kernel's own writable /tmp, and
an absolute link is resolved against the grader's root. A forked kernel now listens on sockets
made before its code runs, in a read-only /run/kernel, which the grader holds by a directory fd.
"""
import ast
import asyncio
import json
import socket
import threading
import time

import pytest
import zmq

from attacks import socket_swap
from test_kernel_template import forked_kernel, run

HOLD_SECONDS = 3.0


class HostListener:
    """A unix socket on the host that counts the connections it accepts."""

    def __init__(self, path):
        self.path = str(path)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(64)
        self.server.settimeout(0.1)
        self.accepts = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.accepts += 1
            connection.close()

    def close(self):
        self.stopping = True
        self.thread.join(2)
        self.server.close()


@pytest.fixture
def listener(tmp_path):
    host = HostListener(tmp_path / "host.sock")
    yield host
    host.close()


# Every way the kernel might swap the sockets the grader connects to, each expected to fail.
TRY_SOCKET_FOLDER = """
import errno, glob, os
_answer = {}
for path in sorted(glob.glob('/run/kernel/ipc-*')) or ['/run/kernel/ipc-1']:
    for what, act in [('unlink', lambda: os.unlink(path)), ('rename', lambda: os.rename(path, path + '.old')),
                      ('link', lambda: os.symlink(LISTENER, path + '.new')), ('chmod', lambda: os.chmod(path, 0))]:
        try:
            act()
            _answer[f'{what} {path}'] = 'done'
        except OSError as error:
            _answer[f'{what} {path}'] = errno.errorcode[error.errno]
"""

# What the red team did (tests/attacks/socket_swap.py): link the socket paths in /tmp to the host's
# socket, then shut down every connection the kernel holds; then wait, with the grader's channels open.
SWAP_AND_HANG_UP = socket_swap.SWAP_AND_HANG_UP + """
_cnnattack_swap_and_hang_up(LISTENER)
import time
time.sleep(30)
"""


def endpoints(kc):
    channels = [kc.shell_channel, kc.iopub_channel, kc.stdin_channel, kc.control_channel]
    return [channel.socket.getsockopt(zmq.LAST_ENDPOINT).decode() for channel in channels]


async def control_answers(kc):
    """Whether the kernel answers on the control channel (its own thread, while the cell sleeps)."""
    request = kc.session.msg("kernel_info_request")
    kc.control_channel.send(request)
    try:
        while True:
            reply = await kc.get_control_msg(timeout=5)
            if reply["parent_header"].get("msg_id") == request["header"]["msg_id"]:
                return True
    except Exception:  # queue.Empty: no answer
        return False


async def swap_sockets(listener, tmp_path):
    async with forked_kernel(tmp_path, every_channel=True) as kc:
        km = kc.parent
        define = f"LISTENER = {json.dumps(listener.path)}\n"
        tried = await run(kc, define + TRY_SOCKET_FOLDER)
        urls = endpoints(kc)
        kc.execute(define + SWAP_AND_HANG_UP)
        await asyncio.sleep(HOLD_SECONDS)  # the grader's channels stay open, reconnecting as they will
        await km.interrupt_kernel()  # the control socket of the manager, too, is connected by now
        await asyncio.sleep(0.5)
        return tried, urls, listener.accepts, await control_answers(kc), km


def test_a_kernel_cannot_send_the_graders_reconnects_to_a_host_socket(listener, tmp_path):
    started = time.monotonic()
    tried, urls, accepts, answers, km = asyncio.run(swap_sockets(listener, tmp_path))
    print(f"host accepts: {accepts}; the kernel's tries: {tried}; urls: {urls}; "
          f"{time.monotonic() - started:.1f} s")
    assert accepts == 0, f"the grader connected {accepts} times to a socket of the host"
    assert all(url.startswith("ipc:///proc/self/fd/") for url in urls), urls
    outcomes = ast.literal_eval(tried)  # the kernel's dict, as text
    assert outcomes and "done" not in outcomes.values(), outcomes
    assert answers, "the grader's reconnect did not reach the kernel's own socket"
    assert km.forked.sockets is None  # the directory fd is closed with the kernel
