"""The grader's end of the kernel's sockets: no frame the kernel sends is parsed before it is counted.

The kernel holds the session's signing key, so every frame of every message on shell, iopub
and control is the student's to write. jupyter_client's Session would json.loads each frame
of up to MAX_MESSAGE_BYTES (16 MiB): 16 MiB of "[[],[],...]" is about 380 MB of Python lists
in the grader, outside every limit of the sandbox. Here a large frame is counted first
(``plain_data.check_json_structure``), and a message the grader cannot read is dropped
where it is received, as if it had never come: the cell or call waiting for it times out
within its own limits.

libzmq itself holds every frame of a multipart message before the first can be read, and
its queue bound (RCVHWM) counts whole messages, not frames: see docs/attacks.md, class 3.
"""
import json
import time

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

from grading.plain_data import MalformedReply, check_json_structure

SMALL_FRAME = 64 * 1024  # bytes: smaller frames are parsed without counting (every ordinary message)
# JSON items one frame may hold: about 8 MB of Python objects. A print of any size is one string;
# ipykernel's own messages hold tens.
MAX_FRAME_ITEMS = 200_000


class MessageRefused(ValueError):
    """A frame from the kernel that the grader does not parse."""


def bounded_unpack(frame):
    """Session.unpack for frames the kernel wrote: json.loads, once the frame's structure is counted."""
    if isinstance(frame, str):
        frame = frame.encode()
    frame = bytes(frame)
    try:
        if len(frame) > SMALL_FRAME:
            check_json_structure(frame, MAX_FRAME_ITEMS)
        return json.loads(frame)
    except MalformedReply as error:
        raise MessageRefused(f"a message from the kernel was dropped: {error}") from None
    except (ValueError, RecursionError) as error:
        raise MessageRefused(f"a message from the kernel was dropped: not JSON ({type(error).__name__})") from None


class BoundedChannel(AsyncZMQSocketChannel):
    """A channel that drops, and counts, each message it cannot read, and waits for the next."""

    refused = 0

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await super().get_msg(left)
            # A signed message can still be short, lack its header's keys, or be nested too deeply.
            except (MessageRefused, ValueError, KeyError, TypeError, RecursionError):
                self.refused += 1


class BoundedKernelClient(AsyncKernelClient):
    """The grader's client: every channel that reads what the kernel sends is bounded."""

    shell_channel_class = Type(BoundedChannel)
    iopub_channel_class = Type(BoundedChannel)
    control_channel_class = Type(BoundedChannel)
    stdin_channel_class = Type(BoundedChannel)


def bound_session(session):
    """Make a jupyter_client Session parse kernel frames with bounded_unpack; the session."""
    session.unpack = bounded_unpack
    return session
