"""What a kernel's reply can make the grader allocate (issue 18, class 3): hostile replies through the
real decoder, each refused with a clear message at a small multiple of its own size.

The grader pays these costs outside every limit of the sandbox: a reply is parsed in the grader's
own process. Each test measures the tracemalloc peak of decoding one hostile reply and compares it
with the reply's size. A few seconds in all.
"""
import asyncio
import base64
import json
import tracemalloc

import pytest
import zmq
import zmq.asyncio
from jupyter_client.session import DELIM, Session

from grading import kernel_messages, plain_data
from grading.limits import MAX_MESSAGE_BYTES
from grading.sandbox import SandboxedKernelManager, bound_sockets

MB = 10 ** 6
RATIO = 4  # the grader may allocate at most this many times the reply's size


def reply_text(content):
    """The text a kernel returns for one call: base64 JSON, as grading.kernel_side makes it."""
    return base64.b64encode(json.dumps(content).encode()).decode()


def raw_reply_text(json_bytes):
    return base64.b64encode(json_bytes).decode()


def decode_call(text):
    """What the grader does with a call's reply: decode_reply, then every returned value."""
    reply = plain_data.decode_reply(text)
    return [plain_data.decode(one.get("result")) for one in reply.get("replies", [])]


def peak_of(function, *args):
    """(the exception the call raised, or None; the tracemalloc peak in bytes above the start)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        try:
            function(*args)
            raised = None
        except Exception as error:  # the refusal is the result under test
            raised = error
        return raised, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def refused_cheaply(function, hostile, size, refusal):
    raised, peak = peak_of(function, hostile)
    print(f"{function.__name__} on {size / MB:.1f} MB: peak {peak / MB:.1f} MB ({peak / size:.2f}x), {raised}")
    assert peak <= RATIO * size, f"{peak / MB:.0f} MB allocated for a {size / MB:.1f} MB reply"
    assert isinstance(raised, refusal), raised
    return raised


def test_a_giant_dtype_text_is_refused_before_numpy_parses_it():
    array = {"t": "ndarray", "dtype": "f8," * 1_400_000, "shape": [1], "b64": ""}
    text = reply_text({"status": "called", "replies": [{"status": "returned", "result": array}]})
    error = refused_cheaply(decode_call, text, len(text), plain_data.MalformedReply)
    assert "dtype" in str(error)


@pytest.mark.parametrize("dtype", ["<f8", ">i4", "|b1", "|u1", "<c16", "<f4", "<i8"])
def test_every_dtype_the_kernel_side_sends_is_accepted(dtype):
    import numpy as np

    array = np.arange(3).astype(dtype)
    decoded = plain_data.decode({"t": "ndarray", "dtype": array.dtype.str, "shape": [3],
                                 "b64": base64.b64encode(array.tobytes()).decode()})
    assert decoded.dtype == array.dtype and np.array_equal(decoded, array)


@pytest.mark.parametrize("dtype", ["f8,f8", "(2,)f8", "|O", "<U3", "|V8", "<M8[s]", "<c32"])
def test_a_dtype_off_the_list_is_refused(dtype):
    with pytest.raises(plain_data.MalformedReply, match="dtype"):
        plain_data.decode({"t": "npscalar", "dtype": dtype, "b64": ""})


MILLIONS_OF_ITEMS = {"empty lists": (b"[],", 4_000_000), "zeros": (b"0,", 6_000_000),
                     "empty objects": (b"{},", 4_000_000), "one-key objects": (b'{"":0},', 1_700_000)}


@pytest.mark.parametrize("name", MILLIONS_OF_ITEMS)
def test_a_reply_of_12_mb_of_json_items_is_refused_before_json_loads(name):
    item, count = MILLIONS_OF_ITEMS[name]
    text = raw_reply_text(b'{"status": "called", "replies": [' + item * count + b"0]}")
    error = refused_cheaply(decode_call, text, len(text), plain_data.MalformedReply)
    assert "JSON of more than" in str(error)


def test_deep_nesting_is_refused():
    text = raw_reply_text(b"[" * 3_000_000 + b"]" * 3_000_000)
    refused_cheaply(decode_call, text, len(text), plain_data.MalformedReply)


def test_nesting_deeper_than_json_loads_recursion_is_refused():
    text = raw_reply_text(b'{"status": "x", "v": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    refused_cheaply(decode_call, text, len(text), plain_data.MalformedReply)


def test_a_non_ascii_reply_is_refused():
    # json.loads would widen its copy of the whole text to 4 bytes a character for one emoji.
    text = raw_reply_text(b'{"status": "called", "x": "' + b"a" * 9_000_000 + "\U0001F600".encode() + b'"}')
    refused_cheaply(decode_call, text, len(text), plain_data.MalformedReply)


def test_a_long_type_name_is_refused():
    with pytest.raises(plain_data.MalformedReply, match="type"):
        plain_data.decode({"t": "opaque", "type": "A" * 5 * MB})


def test_a_large_honest_reply_still_decodes():
    """An 8 MB array and a 1 MB string, the largest values the decoder accepts: within the ratio too."""
    import numpy as np

    values = [np.random.default_rng(0).standard_normal(MB), "a, b: [c]" * 100_000]
    from grading.kernel_side import _cnn_grading_encode as encode

    text = reply_text({"status": "called", "replies": [{"status": "returned", "result": encode(v)} for v in values]})
    raised, peak = peak_of(decode_call, text)
    assert raised is None
    print(f"an honest {len(text) / MB:.1f} MB reply: peak {peak / MB:.1f} MB")
    assert peak <= RATIO * len(text)


# ----------------------------------------------------------------- message frames (jupyter_client's Session)
FRAMES = {"empty lists": b"[]," * (MAX_MESSAGE_BYTES // 3 - 2), "zeros": b"0," * (MAX_MESSAGE_BYTES // 2 - 2),
          "deep nesting": b"[" * 1_000_000 + b"]" * 1_000_000}


@pytest.mark.parametrize("name", FRAMES)
def test_a_16_mib_frame_of_json_items_is_refused_before_json_loads(name):
    frame = b"[" + FRAMES[name] + b"0]"
    refused_cheaply(kernel_messages.bounded_unpack, frame, len(frame), kernel_messages.MessageRefused)


def test_ordinary_frames_parse_as_before():
    big_print = json.dumps({"name": "stdout", "text": "x, y: [z]\n" * 1_000_000}).encode()
    assert kernel_messages.bounded_unpack(big_print)["name"] == "stdout"
    assert kernel_messages.bounded_unpack(b'{"a": [1, 2]}') == {"a": [1, 2]}


def test_the_graders_session_and_client_channels_are_bounded():
    manager = SandboxedKernelManager()
    client = manager.client()
    assert manager.session.unpack is kernel_messages.bounded_unpack
    assert client.session.unpack is kernel_messages.bounded_unpack
    for name in ("shell", "iopub", "control"):
        assert issubclass(getattr(client, f"{name}_channel_class"), kernel_messages.BoundedChannel), name


def test_a_channel_drops_a_message_it_cannot_read_and_returns_the_next(tmp_path):
    """A signed message (the kernel holds the key) with a 16 MiB content of empty lists, then an honest one."""
    session = kernel_messages.bound_session(Session(key=b"secret"))
    kernel_side = zmq.Context()
    sender = kernel_side.socket(zmq.PUB)
    sender.bind(f"ipc://{tmp_path}/iopub")
    receiver = bound_sockets(zmq.asyncio.Context()).socket(zmq.SUB)
    receiver.setsockopt(zmq.SUBSCRIBE, b"")
    receiver.connect(f"ipc://{tmp_path}/iopub")
    channel = kernel_messages.BoundedChannel(receiver, session)

    async def exchange():
        await asyncio.sleep(0.3)  # the subscription reaches the publisher
        hostile = json.dumps([[]] * (MAX_MESSAGE_BYTES // 5)).encode()
        msg = session.msg("stream", content={})
        frames = [session.pack(msg["header"]), session.pack({}), session.pack({}), hostile]
        sender.send_multipart([DELIM, session.sign(frames), *frames])
        session.send(sender, "stream", content={"name": "stdout", "text": "honest"})
        return await channel.get_msg(timeout=10)

    tracemalloc.start()
    try:
        received = asyncio.run(exchange())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        sender.close(0)
        receiver.close(0)
    assert received["content"]["text"] == "honest" and channel.refused == 1
    print(f"a dropped 16 MiB message: peak {peak / MB:.1f} MB")
    assert peak <= RATIO * MAX_MESSAGE_BYTES


def test_a_frame_widened_by_one_emoji_stays_bounded():
    """Frames may hold any UTF-8 (a student's print): one emoji makes Python hold the whole text at 4 bytes
    a character, twice (the decoded frame and the string in it). Bounded, but not by RATIO: 9x at most."""
    frame = json.dumps({"name": "stdout", "text": "a" * (MAX_MESSAGE_BYTES - 100) + "\U0001F600"},
                       ensure_ascii=False).encode()
    raised, peak = peak_of(kernel_messages.bounded_unpack, frame)
    print(f"a 16 MiB print with one emoji: peak {peak / MB:.0f} MB ({peak / len(frame):.1f}x)")
    assert raised is None and peak <= 9 * len(frame)


# ------------------------------------------------------------------- replays after a kernel death
class FakeKernel:
    """A kernel client and manager in one: cells whose source is in `hangs` never answer, not even
    their interrupt; every other cell answers at once."""

    def __init__(self, hangs=()):
        self.hangs, self.run, self.interrupts = set(hangs), [], 0

    def execute(self, source, **options):
        self.run.append(source)
        return source

    async def interrupt_kernel(self):
        self.interrupts += 1


def replaying(sources, hangs=(), seconds_left=60.0):
    """A TrustedExecute in the middle of a notebook of code cells `sources`, its kernel just replaced."""
    import time

    import nbformat

    from grading.trusted_execute import TrustedExecute

    engine = TrustedExecute()
    engine.nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    engine.dont_replay, engine.test_sources, engine.budget_left = set(), {}, None
    engine.cell_deadline = time.monotonic() - 1  # the cell that killed the kernel used up its time
    engine.notebook_deadline = time.monotonic() + seconds_left
    engine.kc = engine.km = kernel = FakeKernel(hangs)

    async def reply_to(msg_id, timeout):
        if msg_id in kernel.hangs:
            await asyncio.sleep(min(timeout, 0.05))
            return None
        return {"msg_id": msg_id}

    engine._async_reply_to = reply_to
    return engine, kernel


def test_no_cell_is_replayed_past_the_notebooks_deadline():
    engine, kernel = replaying([f"x = {i}" for i in range(300)], seconds_left=-1)
    assert asyncio.run(engine._async_replay(300)) == "out of time"
    assert kernel.run == []


def test_a_replayed_cell_deaf_to_its_interrupt_ends_the_replay():
    cells = ["import numpy", "hang()", *[f"x = {i}" for i in range(300)]]
    engine, kernel = replaying(cells, hangs={"hang()"})
    assert asyncio.run(engine._async_replay(len(cells))) == "again"
    assert kernel.run == ["import numpy", "hang()"] and kernel.interrupts == 1
    assert engine.dont_replay == {1}  # the next replay leaves it out


def test_a_replayed_cells_floor_never_reaches_past_the_deadline():
    engine, _ = replaying(["x = 1"], seconds_left=0.2)
    assert engine.replay_timeout() <= 0.2
    engine.notebook_deadline += 60
    assert engine.replay_timeout() == 0.5  # the cell's own time is up: the floor, as before
