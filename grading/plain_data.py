"""Decode what the kernel sends back, strictly: plain data or a failure, never code.

A reply is base64 JSON made by ``grading.kernel_side``. Everything in it is
checked against limits before it becomes a value: arrays only of numeric or
boolean dtypes whose bytes match their shape, bounded sizes and nesting, and
any other object as a placeholder that carries only its type's name. Decoded
values are ordinary numpy arrays and Python scalars, so nothing the student
wrote runs when the grader compares them (no lying ``__eq__``).
"""
import base64
import binascii
import json
import re

import numpy as np

from grading.text import type_name

MAX_REPLY_CHARS = 16 * 1024 * 1024
MAX_ARRAY_BYTES = 8 * 1024 * 1024
MAX_ITEMS = 1000
MAX_VALUES_PER_REPLY = 10000
MAX_DEPTH = 8
MAX_INT_DIGITS = 100
MAX_TYPE_NAME = 200
BASE64 = re.compile(r"[A-Za-z0-9+/=]*")
# Every dtype the kernel side sends (numeric or boolean, either byte order, at most 16 bytes), as text.
# A reply's dtype is looked up here before numpy parses it: numpy's parser takes any text, and a
# 4 MB one made the grader grow 1.8 GiB.
DTYPES = frozenset(np.dtype(code).newbyteorder(order).str for code in "?bBhHiIlLqQefdgFD" for order in "<>")
# What json.loads makes one object or slot for: a string, a comma, a colon, a bracket. Possessive, so
# that re keeps no state per character of a long string.
JSON_ITEM = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[{,:]')
# JSON items one reply may hold: every reply within MAX_VALUES_PER_REPLY (an array's description is
# about 24), and at most about 10 MB of Python objects (40 bytes an item at worst).
MAX_JSON_ITEMS = 24 * MAX_VALUES_PER_REPLY


class MalformedReply(ValueError):
    """The kernel's answer is not well-formed plain data."""


class Budget:
    """How many values one reply may still hold: a reply cannot make the grader build more."""

    def __init__(self, values=MAX_VALUES_PER_REPLY):
        self.values = values

    def spend(self):
        self.values -= 1
        if self.values < 0:
            raise MalformedReply(f"a reply holds more than {MAX_VALUES_PER_REPLY} values")


class Placeholder:
    """Something the grader does not read, standing in for the student's object."""


def placeholder(name, known_only=False):
    """An instance of an empty class named like the student's type, for messages such as 'got Foo'.

    The class is made for this one value and cached nowhere, so the names a kernel sends
    cannot pile up in the grader. Its name is what a page may quote of it (grading/text.py
    ``type_name``): an ASCII identifier; with `known_only`, a known one or "object".
    """
    return type(type_name(name, "object", known_only), (Placeholder,), {})()


def decode_reply(text):
    """The reply dict of one kernel call, from the text the kernel returned."""
    if not isinstance(text, str) or len(text) > MAX_REPLY_CHARS or not BASE64.fullmatch(text):
        raise MalformedReply("the kernel's reply is not base64 text of a bounded size")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise MalformedReply("the kernel's reply is not base64") from None
    check_json_structure(raw, MAX_JSON_ITEMS, ascii_only=True)
    try:
        reply = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise MalformedReply(f"the kernel's reply is not JSON ({type(error).__name__})") from None
    if not isinstance(reply, dict) or not isinstance(reply.get("status"), str):
        raise MalformedReply("the kernel's reply has no status")
    return reply


def check_json_structure(raw, limit, ascii_only=False):
    """Refuse JSON text (bytes) from which json.loads would build more than `limit` items.

    An empty list costs 64 bytes and is written in 3: 12 MB of "[],[],..." would grow the grader by
    about 300 MB before anything could check the values. Counting stops at the limit and copies
    nothing. The kernel side writes ASCII only (json.dumps' default); one character beyond it would
    make json.loads widen its copy of the whole text to 2 or 4 bytes a character.
    """
    if ascii_only and not raw.isascii():
        raise MalformedReply("the kernel's reply is not ASCII JSON")
    # Counting the characters that can start an item is done at memory speed and never counts fewer
    # items than the scan below (a quote, bracket, comma or colon inside a string counts too): the
    # scan, about 60 MB/s, is needed only when this bound is over the limit.
    if sum(map(raw.count, (b'"', b"[", b"{", b",", b":"))) <= limit:
        return
    count = 0
    for _ in JSON_ITEM.finditer(raw):
        count += 1
        if count > limit:
            raise MalformedReply(f"the kernel sent JSON of more than {limit} items")


def decode(item, budget=None, depth=0, known_names_only=False):
    """One value from its plain-data form; `budget` bounds how many values a whole reply may hold. With
    `known_names_only` (reference helpers are in the kernel), a placeholder is named only as a known type."""
    budget = budget or Budget()
    budget.spend()
    if depth > MAX_DEPTH:
        raise MalformedReply("a value is nested too deeply")
    if not isinstance(item, dict):
        raise MalformedReply("a value is not described as a JSON object")
    kind = item.get("t")
    if kind == "none":
        return None
    if kind == "bool":
        return _typed(item.get("v"), bool)
    if kind == "int":
        digits = _typed(item.get("v"), str)
        if not re.fullmatch(r"-?\d{1,%d}" % MAX_INT_DIGITS, digits):
            raise MalformedReply("an int is not a bounded decimal number")
        return int(digits)
    if kind == "float":
        try:
            return float(_typed(item.get("v"), str)[:40])
        except ValueError:
            raise MalformedReply("a float is not a number") from None
    if kind == "str":
        return _typed(item.get("v"), str)[:10000]
    if kind in ("tuple", "list"):
        values = [decode(v, budget, depth + 1, known_names_only) for v in _bounded_list(item.get("v"))]
        return tuple(values) if kind == "tuple" else values
    if kind == "dict":
        pairs = _bounded_list(item.get("v"))
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise MalformedReply("a dict is not a list of pairs")
        out = {}
        for key, value in pairs:
            key = decode(key, budget, depth + 1, known_names_only)
            try:
                out[key] = decode(value, budget, depth + 1, known_names_only)
            except TypeError:
                raise MalformedReply("a dict key is not hashable") from None
        return out
    if kind == "ndarray":
        dtype, data = _numeric_dtype(item.get("dtype")), _bytes(item.get("b64"))
        shape = item.get("shape")
        if (not isinstance(shape, list) or len(shape) > 32
                or not all(type(n) is int and 0 <= n <= MAX_ARRAY_BYTES for n in shape)):
            raise MalformedReply("an array's shape is not a short list of sizes")
        if int(np.prod(shape, dtype=object)) * dtype.itemsize != len(data):
            raise MalformedReply("an array's bytes do not match its shape")
        # An empty array's other sizes cost nothing to send, and a message may quote its shape: bounded as if
        # its zero sizes were ones, so that a shape says little more than an array's size could.
        if int(np.prod([max(n, 1) for n in shape], dtype=object)) * dtype.itemsize > MAX_ARRAY_BYTES:
            raise MalformedReply("an array's shape is larger than the grader accepts")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if kind == "npscalar":
        dtype, data = _numeric_dtype(item.get("dtype")), _bytes(item.get("b64"))
        if len(data) != dtype.itemsize:
            raise MalformedReply("a numpy scalar's bytes do not match its dtype")
        return np.frombuffer(data, dtype=dtype)[0]
    if kind == "opaque":
        name = _typed(item.get("type"), str)
        if len(name) > MAX_TYPE_NAME:
            raise MalformedReply("a type's name is too long")
        return placeholder(name, known_names_only)
    raise MalformedReply("unknown kind of value")  # the kind is the kernel's text: not quoted


def _typed(value, kind):
    if type(value) is not kind:
        raise MalformedReply(f"expected a {kind.__name__} in the reply")
    return value


def _bounded_list(value):
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise MalformedReply("a sequence is not a list of bounded length")
    return value


def _numeric_dtype(text):
    if _typed(text, str) not in DTYPES:
        raise MalformedReply("an array's dtype is not a plain numeric or boolean dtype")
    return np.dtype(text)


def _bytes(text):
    text = _typed(text, str)
    if len(text) > MAX_ARRAY_BYTES * 4 // 3 + 4:
        raise MalformedReply("an array is larger than the grader accepts")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise MalformedReply("an array's bytes are not base64") from None
