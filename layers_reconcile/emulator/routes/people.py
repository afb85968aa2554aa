"""The people behind the authorize URLs: a plain GET consents and redirects to the returnUrl.

`login=` names the GitHub account that installs (default: the install URL's `login` hint, else
quinns-coffee), `handle=` the social account, `deny=1` refuses.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from layers_reconcile.emulator import consent, world
from layers_reconcile.emulator.common import JSON
from layers_reconcile.emulator.http import ApiError, invalid, not_found
from layers_reconcile.emulator.queries import ConsentQuery, parse_query
from layers_reconcile.emulator.routes.plain import plain
from layers_reconcile.emulator.state import Emulator


def _state(emu: Emulator, kind: str, request: Request, now: float) -> JSON:
    token = parse_query(ConsentQuery, request.query_params).state
    doc = emu.store.get(kind, token)
    if doc is None:
        raise not_found("authorization state", token)
    if consent.is_expired(doc, now):
        raise ApiError(
            410, "STATE_EXPIRED", "This authorization link has expired; ask for a new one."
        )
    return doc


def _denied(request: Request) -> bool:
    return request.query_params.get("deny", "").lower() in ("1", "true", "yes")


async def github_install(emu: Emulator, request: Request, now: float) -> Response:
    doc = _state(emu, "gh_state", request, now)
    if doc["status"] == "pending" and _denied(request):
        consent.deny(emu, "gh_state", doc, now)
    elif doc["status"] == "pending":
        login = request.query_params.get("login") or doc.get("loginHint") or world.DEFAULT_LOGIN
        if not world.valid_login(login):
            raise invalid("login", "must be a GitHub login")
        consent.complete_github(emu, doc, login, now)
    if doc["status"] != "completed":
        target = consent.with_query(doc["returnUrl"], state=doc["id"], error="access_denied")
    else:
        target = consent.with_query(
            doc["returnUrl"],
            installation_id=str(doc["installationId"]),
            setup_action="install",
            state=doc["id"],
        )
    return RedirectResponse(target, status_code=302)


async def social_authorize(emu: Emulator, request: Request, now: float) -> Response:
    doc = _state(emu, "oauth_state", request, now)
    if doc["status"] == "pending" and _denied(request):
        consent.deny(emu, "oauth_state", doc, now)
    elif doc["status"] == "pending":
        consent.complete_social(emu, doc, request.query_params.get("handle"), now)
    if doc["status"] != "completed":
        target = consent.with_query(
            doc["returnUrl"],
            layers_state=doc["id"],
            status="error",
            layers_oauth_error="access_denied",
        )
    else:
        target = consent.with_query(doc["returnUrl"], layers_state=doc["id"], status="success")
    return RedirectResponse(target, status_code=302)


def routes(emu: Emulator) -> list[Route]:
    return [
        Route("/_emulator/github/install", plain(emu, github_install), methods=["GET"]),
        Route("/_emulator/social/authorize", plain(emu, social_authorize), methods=["GET"]),
    ]
