"""The simulated people: a customer installing the GitHub App, a creator authorizing TikTok.

A consent completes when its `authorizeUrl` is opened (routes/people.py) or, with
`--auto-consent`, by itself shortly after the URL is issued. Auto-consent also performs the
installation registration a partner's callback would make.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from layers_reconcile.emulator import fakes, world
from layers_reconcile.emulator.common import JSON, iso, new_uuid
from layers_reconcile.emulator.state import Emulator

GITHUB_STATE_TTL = 15 * 60.0
SOCIAL_STATE_TTL = 30 * 60.0
TOKEN_LIFETIME = 60 * 86400.0


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def auto_delay(emu: Emulator) -> float:
    return 1.0 / emu.settings.speed


def is_expired(state: JSON, now: float) -> bool:
    return bool(state["status"] == "pending" and now >= state["_expiresTs"])


# --- GitHub -------------------------------------------------------------------------------


def complete_github(emu: Emulator, state: JSON, login: str, now: float) -> JSON:
    installation = world.install(emu.store, login, now)
    state.update(
        status="completed",
        installationId=installation["installationId"],
        login=installation["login"],
        completedAt=iso(now),
    )
    emu.store.put("gh_state", state)
    return installation


def deny(emu: Emulator, kind: str, state: JSON, now: float) -> None:
    state.update(
        status="failed" if kind == "oauth_state" else "denied",
        error={"code": "access_denied", "message": "The user refused to authorize."},
        completedAt=iso(now),
    )
    emu.store.put(kind, state)


def register(emu: Emulator, installation: JSON, now: float) -> JSON:
    ident = str(installation["installationId"])
    doc = emu.store.get("gh_registration", ident) or {"id": ident}
    doc.update(
        installationId=installation["installationId"],
        login=installation["login"],
        type=installation["type"],
        status="active",
        registeredAt=iso(now),
        lastVerifiedAt=iso(now),
        _registeredTs=now,
    )
    return emu.store.put("gh_registration", doc)


def registrations(emu: Emulator) -> list[JSON]:
    """Registered installations of the Layers organization, most recent first."""
    docs = emu.store.all("gh_registration")
    return sorted(docs, key=lambda d: (d["_registeredTs"], d["_seq"]), reverse=True)


def registration_view(doc: JSON) -> JSON:
    return {
        "installationId": doc["installationId"],
        "orgLogin": doc["login"],
        "githubAccount": {"login": doc["login"], "type": doc["type"]},
        "status": doc["status"],
        "registeredAt": doc["registeredAt"],
        "lastVerifiedAt": doc["lastVerifiedAt"],
    }


def covering_registration(emu: Emulator, owner: str) -> JSON | None:
    for doc in registrations(emu):
        if doc["status"] == "active" and doc["login"].lower() == owner.lower():
            return doc
    return None


# --- social -------------------------------------------------------------------------------


def default_handle(emu: Emulator, project_id: str) -> str:
    project = emu.store.get("project", project_id) or {}
    brand = project.get("brandContext") or {}
    return fakes.handle_from(str(brand.get("appName") or project.get("name") or "layers"))


def complete_social(emu: Emulator, state: JSON, handle: str | None, now: float) -> JSON:
    """Connect (or, for a reauth state, re-bind) the account the person authorized."""
    account = None
    if state.get("reauthAccountId"):
        account = emu.store.get("social_account", state["reauthAccountId"])
    if account is not None:
        handle = account["handle"]
    handle = (handle or default_handle(emu, state["projectId"])).lstrip("@")
    for doc in emu.store.children("social_account", state["projectId"]):
        if (
            account is None
            and doc["platform"] == state["platform"]
            and doc["handle"].lower() == handle.lower()
        ):
            account = doc
    if account is None:
        account = {"id": new_uuid(), "projectId": state["projectId"]}
    account.update(
        platform=state["platform"],
        handle=handle,
        displayName=handle,
        avatarUrl=f"https://cdn.layers.com/avatars/{state['platform']}/{handle}.jpg",
        status="connected",
        leased=False,
        connectedAt=iso(now),
        tokenExpiresAt=iso(now + TOKEN_LIFETIME),
        disconnectedAt=None,
        disconnectedReason=None,
    )
    emu.store.put("social_account", account)
    state.update(status="completed", socialAccountId=account["id"], completedAt=iso(now))
    emu.store.put("oauth_state", state)
    return account


def auto_consent(emu: Emulator, kind: str, ident: str, now: float) -> None:
    state = emu.store.get(kind, ident)
    if state is None or state["status"] != "pending" or is_expired(state, now):
        return
    if kind == "gh_state":
        installation = complete_github(
            emu, state, state.get("loginHint") or world.DEFAULT_LOGIN, now
        )
        register(emu, installation, now)
    else:
        complete_social(emu, state, None, now)
