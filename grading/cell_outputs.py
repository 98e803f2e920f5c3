"""The outputs the grader writes into a cell, and the bounds on those the kernel writes there.

``error_output`` and ``stdout_output`` make the grader's own outputs (an error as a ``GraderOutput``); ``name_the_limit`` says in an error
which of the sandbox's limits stopped the code. ``BoundedOutputs``, a part of ``TrustedExecute``, keeps a
cell's outputs within the per-cell and per-notebook byte limits, never updates a display in a test cell
and drops comm messages.
"""
import json
import re

from nbformat import NotebookNode, ValidationError
from nbformat.v4 import new_output
from nbgrader import utils as nbgrader_utils

from grading.text import printable

MAX_MESSAGE = 500


class GraderOutput(NotebookNode):
    """An output the grader made, its words its own: the kernel can send an error of any name and text, but
    never one of these."""


def error_output(ename, evalue):
    evalue = evalue[:MAX_MESSAGE]
    return GraderOutput(new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]))


def stdout_output(text):
    return new_output("stream", name="stdout", text=text)


LIMITS = [  # (what an error says when a limit stops it, the limit's name)
    (re.compile(r"MemoryError|Cannot allocate memory|\[Errno 12\]"), "memory limit"),
    (re.compile(r"Resource temporarily unavailable|\[Errno 11\]|can't start new thread"), "process limit"),
    (re.compile(r"File too large|\[Errno 27\]"), "file size limit"),
    (re.compile(r"No space left on device|\[Errno 28\]"), "disk limit"),
]


def name_the_limit(output, limits):
    """Say in an error's message which of the sandbox's limits caused it; the limit's name, or None."""
    for pattern, name in LIMITS:
        if pattern.search(f"{output.get('ename', '')}: {output.get('evalue', '')}"):
            note = f" (the grader's {name}: {limits[name]})"
            output["evalue"] = output.get("evalue", "")[:MAX_MESSAGE] + note
            output["traceback"] = list(output.get("traceback", []))[-20:] + [f"grader: {name} reached"]
            return name
    return None


class BoundedOutputs:
    """The outputs nbclient records for a cell, within the output limits (a part of ``TrustedExecute``)."""

    def output(self, outs, msg, display_id, cell_index):
        """Keep a cell's output up to the per-cell and per-notebook byte limits, then say so once. An output
        that is not valid notebook output (display data whose text is a number, say) is left out, with a note
        (an error stays an error): nbformat refused it, and its exception stopped the student's whole
        grading."""
        try:
            return self.bounded_output(outs, msg, display_id, cell_index)
        except ValidationError:
            if msg["msg_type"] == "error":
                outs.append(error_output("MalformedOutput", "the kernel sent an error that is not valid notebook "
                                                            "output"))
            else:
                outs.append(stdout_output(f"\n[grader: an output of this cell ({printable(msg['msg_type'], 40)}) was "
                                          "not valid notebook output and was left out]\n"))
            return None

    def bounded_output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "error":  # kept whatever the output so far: it decides a test cell
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.cell_output_bytes += size
        self.notebook_output_bytes += size
        if self.cell_output_bytes > self.cell_output_limit or self.notebook_output_bytes > self.notebook_output_limit:
            if not getattr(self, "_output_cut_noted", None) == cell_index:
                self._output_cut_noted = cell_index
                self.limits_reached.add("output limit")
                outs.append(stdout_output(f"\n[grader: output limit reached ({self.cell_output_limit // 1024} KiB "
                                          f"per cell, {self.notebook_output_limit // 2 ** 20} MiB per notebook); "
                                          "the rest of this cell's output was dropped]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):
        """Update an earlier display within the output limits, and never one in a test cell."""
        cells = self._display_id_map.get(display_id, {})
        if any(nbgrader_utils.is_grade(self.nb.cells[i]) for i in cells if i < len(self.nb.cells)):
            return
        self.notebook_output_bytes += len(json.dumps(msg.get("content", {}), default=str))
        if self.notebook_output_bytes > self.notebook_output_limit:
            return
        try:
            super()._update_display_id(display_id, msg)
        except (IndexError, KeyError, ValidationError):
            pass  # a display the grader did not keep, or an update that is not valid notebook output

    def handle_comm_msg(self, outs, msg, cell_index):
        """Widgets and other comms mean nothing to grading: their messages are not kept."""
