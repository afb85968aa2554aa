"""The emulator's listening socket gives connections that answer at once.

asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections of a socket whose `proto`
says TCP. `bind_socket` once made its socket with `proto` 0, so every answer uvicorn wrote in two
pieces (the head, then the body) waited for the client's delayed ACK: about 40 ms a request,
which made every end-to-end run and the demo crawl and hid the tool's own cost in
`benchmarks/plan_noop.py` (it measured the stall, not the client).
"""

from __future__ import annotations

import asyncio
import socket

from layers_reconcile.emulator.server import bind_socket
from tests.meanwhile import GUARD


def test_connections_accepted_on_the_emulator_socket_have_nagle_off() -> None:
    async def accepted_nodelay() -> int:
        sock = bind_socket("127.0.0.1", 0)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def on_connection(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            raw = writer.get_extra_info("socket")
            seen.set_result(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=sock)
        async with server:
            port = sock.getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                return await asyncio.wait_for(seen, GUARD)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) != 0
