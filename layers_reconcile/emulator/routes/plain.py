"""The wrapper of routes outside the Layers API (`/_emulator/...`): no auth, faults or stats."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from layers_reconcile.emulator.dispatcher import advance
from layers_reconcile.emulator.http import ApiError
from layers_reconcile.emulator.pipeline import error_response, rid_of
from layers_reconcile.emulator.state import Emulator

PlainHandler = Callable[[Emulator, Request, float], Awaitable[Response]]


def plain(emu: Emulator, handler: PlainHandler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        now = emu.clock.now()
        advance(emu, now)
        try:
            response = await handler(emu, request, now)
        except ApiError as err:
            response = error_response(err, rid_of(request.scope))
        emu.store.commit()
        return response

    return endpoint
