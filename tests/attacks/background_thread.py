"""A background thread forges a result into every test cell while it runs; nothing implemented.

A thread started in the zero_pad cell watches which cell the kernel is running; when
a function's check cell starts, it publishes an ``execute_result`` holding that
function's points on the kernel's output channel, addressed to that cell. The functions
wait half a second before failing, so the forged result is the cell's first output and
nbgrader's partial-credit rule scores it. The thread stops after 5 minutes.
Without protection: 100 points with nothing implemented.
"""
BASE = "release"
EXPECT = set()
SIGNATURES = {"zero_pad": "X, pad", "conv_single_step": "a_slice_prev, W, b", "conv_forward": "A_prev, W, b, hparameters",
              "pool_forward": 'A_prev, hparameters, mode="max"', "conv_backward": "dZ, cache",
              "create_mask_from_window": "x", "distribute_value": "dz, shape", "pool_backward": 'dA, cache, mode="max"'}
ANSWERS = {name: f'''def {name}({args}):
    import time
    time.sleep(0.5)
    raise NotImplementedError()
''' for name, args in SIGNATURES.items()}
ANSWERS["zero_pad"] += '''

import re as _re
import threading as _threading
import time as _time

_POINTS = {"zero_pad": 10, "conv_single_step": 10, "conv_forward": 20, "pool_forward": 20, "conv_backward": 20,
           "create_mask_from_window": 5, "distribute_value": 5, "pool_backward": 10}


def _current_request(shell):
    kernel = shell.kernel
    for get in (lambda: kernel.get_parent("shell"), lambda: kernel.get_parent(), lambda: shell.parent_header):
        try:
            parent = get()
        except Exception:
            continue
        if parent:
            return parent
    return {}


def _forger(shell):
    kernel, seen = shell.kernel, set()
    end = _time.monotonic() + 300
    while _time.monotonic() < end:
        parent = _current_request(shell)
        msg_id = parent.get("header", {}).get("msg_id")
        if msg_id and msg_id not in seen:
            seen.add(msg_id)
            code = parent.get("content", {}).get("code", "")
            checked = _re.search(r"(\\w+): visible checks passed", code)
            if checked and checked.group(1) in _POINTS:
                content = {"data": {"text/plain": str(_POINTS[checked.group(1)])}, "metadata": {},
                           "execution_count": 1}
                kernel.session.send(kernel.iopub_socket, "execute_result", content, parent=parent,
                                    ident=b"execute_result")
        _time.sleep(0.002)


_threading.Thread(target=_forger, args=(get_ipython(),), daemon=True).start()
'''
