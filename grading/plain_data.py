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

MAX_REPLY_CHARS = 16 * 1024 * 1024
MAX_ARRAY_BYTES = 8 * 1024 * 1024
MAX_ITEMS = 1000
MAX_VALUES_PER_REPLY = 10000
MAX_DEPTH = 8
MAX_INT_DIGITS = 100
BASE64 = re.compile(r"[A-Za-z0-9+/=]*")


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


def placeholder(type_name):
    """An instance of an empty class named like the student's type, for messages such as 'got Foo'.

    The class is made for this one value and cached nowhere, so the names a kernel sends
    cannot pile up in the grader.
    """
    name = re.sub(r"\W", "_", str(type_name))[:60] or "object"
    return type(name, (Placeholder,), {})()


def decode_reply(text):
    """The reply dict of one kernel call, from the text the kernel returned."""
    if not isinstance(text, str) or len(text) > MAX_REPLY_CHARS or not BASE64.fullmatch(text):
        raise MalformedReply("the kernel's reply is not base64 text of a bounded size")
    try:
        reply = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, RecursionError) as error:
        raise MalformedReply(f"the kernel's reply is not JSON ({type(error).__name__})") from None
    if not isinstance(reply, dict) or not isinstance(reply.get("status"), str):
        raise MalformedReply("the kernel's reply has no status")
    return reply


def decode(item, budget=None, depth=0):
    """One value from its plain-data form; `budget` bounds how many values a whole reply may hold."""
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
        values = [decode(v, budget, depth + 1) for v in _bounded_list(item.get("v"))]
        return tuple(values) if kind == "tuple" else values
    if kind == "dict":
        pairs = _bounded_list(item.get("v"))
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise MalformedReply("a dict is not a list of pairs")
        out = {}
        for key, value in pairs:
            key = decode(key, budget, depth + 1)
            try:
                out[key] = decode(value, budget, depth + 1)
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
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if kind == "npscalar":
        dtype, data = _numeric_dtype(item.get("dtype")), _bytes(item.get("b64"))
        if len(data) != dtype.itemsize:
            raise MalformedReply("a numpy scalar's bytes do not match its dtype")
        return np.frombuffer(data, dtype=dtype)[0]
    if kind == "opaque":
        return placeholder(_typed(item.get("type"), str))
    raise MalformedReply(f"unknown kind of value {str(kind)[:20]!r}")


def _typed(value, kind):
    if type(value) is not kind:
        raise MalformedReply(f"expected a {kind.__name__} in the reply")
    return value


def _bounded_list(value):
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise MalformedReply("a sequence is not a list of bounded length")
    return value


def _numeric_dtype(text):
    try:
        dtype = np.dtype(_typed(text, str))
    except TypeError:
        raise MalformedReply("an array's dtype is not a dtype") from None
    if dtype.kind not in "biufc" or dtype.itemsize > 16 or dtype.fields is not None or dtype.subdtype:
        raise MalformedReply("an array's dtype is not a plain numeric or boolean dtype")
    return dtype


def _bytes(text):
    text = _typed(text, str)
    if len(text) > MAX_ARRAY_BYTES * 4 // 3 + 4:
        raise MalformedReply("an array is larger than the grader accepts")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise MalformedReply("an array's bytes are not base64") from None
