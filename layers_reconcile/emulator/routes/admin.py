"""Emulator administration, not part of the Layers API: stats, test keys, health."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from layers_reconcile.emulator import lookups
from layers_reconcile.emulator.common import JSON, iso, pid
from layers_reconcile.emulator.pipeline import json_response, read_json_body
from layers_reconcile.emulator.requests.shared import CreateKey, SetHold
from layers_reconcile.emulator.resources import account_view
from layers_reconcile.emulator.routes.plain import plain
from layers_reconcile.emulator.state import Emulator
from layers_reconcile.emulator.validation import parse


async def stats(emu: Emulator, request: Request, now: float) -> Response:
    return json_response(200, emu.stats.snapshot(emu.faults.counts))


async def reset_stats(emu: Emulator, request: Request, now: float) -> Response:
    emu.stats.reset()
    emu.faults.reset()
    return json_response(200, emu.stats.snapshot(emu.faults.counts))


async def create_key(emu: Emulator, request: Request, now: float) -> Response:
    body = parse(CreateKey, await read_json_body(request))
    scopes, domains, name = body.scopes, body.allowedReturnDomains, body.name
    raw, doc = emu.create_key(["*"] if scopes is None else scopes, domains, name)
    return json_response(
        201,
        {
            "apiKey": raw,
            "apiKeyId": doc["id"],
            "name": doc["name"],
            "scopes": doc["scopes"],
            "allowedReturnDomains": doc["allowedReturnDomains"],
        },
    )


async def set_hold(emu: Emulator, request: Request, now: float) -> Response:
    body = parse(SetHold, await read_json_body(request))
    emu.hold.set(body.route, body.count)
    return await hold(emu, request, now)


async def hold(emu: Emulator, request: Request, now: float) -> Response:
    held = emu.hold
    return json_response(200, {"route": held.route, "count": held.count, "held": held.held})


async def end_hold(emu: Emulator, request: Request, now: float) -> Response:
    return json_response(200, {"dropped": emu.hold.release()})


async def health(emu: Emulator, request: Request, now: float) -> Response:
    return json_response(
        200,
        {"status": "ok", "time": iso(now), "apiUrl": str(request.base_url).rstrip("/")},
    )


async def expire_account(emu: Emulator, request: Request, now: float) -> Response:
    """Simulate a platform token expiring: queued posts on the account will fail."""
    doc = lookups.find(
        emu, "social_account", request.path_params["socialAccountId"], "socialAccountId"
    )
    doc.update(status="reauth_required", tokenExpiresAt=iso(now))
    emu.store.put("social_account", doc)
    return json_response(200, {**account_view(doc), "socialAccountId": pid("sa", doc["id"])})


def routes(emu: Emulator, openapi: JSON) -> list[Route]:
    async def document(emu: Emulator, request: Request, now: float) -> Response:
        return json_response(200, openapi)

    return [
        Route("/_emulator/openapi.json", plain(emu, document), methods=["GET"]),
        Route("/_emulator/stats", plain(emu, stats), methods=["GET"]),
        Route("/_emulator/stats/reset", plain(emu, reset_stats), methods=["POST"]),
        Route("/_emulator/keys", plain(emu, create_key), methods=["POST"]),
        Route("/_emulator/health", plain(emu, health), methods=["GET"]),
        Route("/_emulator/hold", plain(emu, hold), methods=["GET"]),
        Route("/_emulator/hold", plain(emu, set_hold), methods=["POST"]),
        Route("/_emulator/hold", plain(emu, end_hold), methods=["DELETE"]),
        Route(
            "/_emulator/social-accounts/{socialAccountId}/expire",
            plain(emu, expire_account),
            methods=["POST"],
        ),
    ]
