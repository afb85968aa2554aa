"""`listening_socket(host, port)`: a bound, listening TCP socket for uvicorn to serve on.

Neutral ground: the emulator's server and apply's GitHub callback listener both make their
sockets here (the emulator must not import the reconciler, nor apply the emulator), so the one
rule below holds for both.
"""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int, *, backlog: int) -> socket.socket:
    """Bound to `host` (IPv6 when it has a ':') and `port` (0: any free one); OSError if taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol named, as `getaddrinfo` would give it: asyncio turns Nagle off (TCP_NODELAY)
    # only on a socket whose `proto` says TCP. Without it every answer uvicorn writes in two
    # pieces (head, then body) waits for the client's delayed ACK: about 40 ms a request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock
