"""Find a resource named in a path, accepting both the prefixed and the bare uuid form."""

from __future__ import annotations

import zoneinfo
from urllib.parse import urlsplit

from layers_reconcile.emulator import tenancy
from layers_reconcile.emulator.common import JSON, parse_uuid
from layers_reconcile.emulator.http import ApiError, conflict, invalid, not_found
from layers_reconcile.emulator.state import Emulator

PREFIXES = {
    "project": "prj",
    "container": "cnt",
    "influencer": "inf",
    "social_account": "sa",
    "post": "sp",
    "job": "job",
}
LABELS = {
    "project": "project",
    "container": "content container",
    "influencer": "influencer",
    "social_account": "social account",
    "post": "scheduled post",
    "job": "job",
}


def bare_id(kind: str, raw: str, param: str) -> str:
    ident = parse_uuid(raw, PREFIXES[kind])
    if ident is None and kind == "project":
        ident = parse_uuid(raw, "proj")
    if ident is None:
        raise invalid(param, f"must be a {LABELS[kind]} id ({PREFIXES[kind]}_<uuid> or <uuid>)")
    return ident


def find(emu: Emulator, kind: str, raw: str, param: str = "id") -> JSON:
    ident = bare_id(kind, raw, param)
    doc = emu.store.get(kind, ident)
    if doc is None or (kind == "influencer" and doc["status"] == "deleted"):
        raise not_found(LABELS[kind], raw)
    if not tenancy.visible(emu.store, kind, doc):  # another organization's: it does not exist
        raise not_found(LABELS[kind], raw)
    return doc


def project(emu: Emulator, raw: str, *, active: bool = False, param: str = "id") -> JSON:
    doc = find(emu, "project", raw, param)
    if active and doc["status"] != "active":
        raise conflict(
            "the project is archived; reactivate it with PATCH status=active", projectId=doc["id"]
        )
    return doc


def valid_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def return_url(allowed: tuple[str, ...], raw: object, param: str = "returnUrl") -> str:
    """A return URL whose host is on the key's allowlist; 403 RETURN_URL_NOT_ALLOWED otherwise."""
    if not isinstance(raw, str) or not raw:
        raise invalid(param, "is required")
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket: https://[::1/cb
        raise invalid(param, "must be an absolute https URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise invalid(param, "must be an absolute https URL")
    if parts.scheme == "http" and host not in ("localhost", "127.0.0.1"):
        raise invalid(param, "must use https (http is allowed for localhost only)")
    if host not in allowed:
        raise ApiError(
            403,
            "RETURN_URL_NOT_ALLOWED",
            f"{param} host {host} is not on this API key's allowlist",
            {"returnUrl": raw, "host": host, "allowedReturnDomains": list(allowed)},
        )
    return raw


def connected_account(ctx: JSON, raw: str) -> JSON | None:
    """The project's account named `raw` unless it is disconnected (or unknown)."""
    ident = parse_uuid(raw, "sa")
    account: JSON | None = ctx["emu"].store.get("social_account", ident) if ident else None
    if account is None or account["projectId"] != ctx["project"]["id"]:
        return None
    return None if account["status"] == "disconnected" else account


def target_account(ctx: JSON, raw: str) -> JSON | None:
    ident = parse_uuid(raw, "sa")
    account: JSON | None = ctx["emu"].store.get("social_account", ident) if ident else None
    if account is None or account["projectId"] != ctx["container"]["projectId"]:
        return None
    return account
