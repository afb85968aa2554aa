"""What differs between the two revisions of the Layers API at the wire: ids, formats, auth.

The world (store, jobs, containers) is one; a revision is a route table (`RouteSpec.revisions`)
and this codec. Rev A (the onboarding guide) answers as the world stores things: bare project and
organization uuids, underscored format names. Rev B (today's docs, CONTRACT-revb.md §9) prefixes
every id (`prj_`, `org_`, `key_`, beside the `cnt_`/`inf_`/`sa_`/`sp_`/`job_` both revisions
use) and hyphenates format names (`slideshow-builder`). Inputs take both forms on both revisions
(`lookups.bare_id`), so only answers are encoded, here, once per response.
"""

from __future__ import annotations

from typing import Any

from layers_reconcile.emulator.common import parse_uuid, pid

# Fields holding the id of a resource whose Rev A form is a bare uuid.
PREFIXED_FIELDS = {
    "projectId": "prj",
    "organizationId": "org",
    "workspaceId": "org",
    "parentOrganizationId": "org",
    "apiKeyId": "key",
    "approvedBy": "key",  # the approving key (or `auto_approve`, left as is)
    "rejectedBy": "key",
}
FORMAT_FIELDS = ("format", "requestedFormat")
STORED_FORMATS = ("slideshow_builder", "slideshow_remix", "video_remix", "ugc_remix")
# Partner data: never rewritten, whatever keys it holds.
OPAQUE_FIELDS = ("metadata", "brief")


def wire_format(stored: str) -> str:
    """`slideshow_builder` as Rev B names it: `slideshow-builder`."""
    return stored.replace("_", "-") if stored in STORED_FORMATS else stored


def stored_format(wire: str) -> str:
    """The stored name of a Rev B (hyphenated) format name."""
    return wire.replace("-", "_")


def _prefixed(prefix: str, value: Any) -> Any:
    if isinstance(value, str) and parse_uuid(value) == value.lower():
        return pid(prefix, value)
    return value


def encode_b(body: Any, id_prefix: str = "") -> Any:
    """`body` as Rev B answers it. `id_prefix` prefixes bare `id`s (the route's own resource)."""
    if isinstance(body, list):
        return [encode_b(item, id_prefix) for item in body]
    if not isinstance(body, dict):
        return body
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in OPAQUE_FIELDS:
            out[key] = value
        elif key in PREFIXED_FIELDS:
            out[key] = _prefixed(PREFIXED_FIELDS[key], value)
        elif key == "id" and id_prefix:
            out[key] = _prefixed(id_prefix, value)
        elif key in FORMAT_FIELDS and isinstance(value, str):
            out[key] = wire_format(value)
        else:
            out[key] = encode_b(value, id_prefix)
    return out


def bearer_token(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def credential(revision: str, x_api_key: str | None, authorization: str) -> str | None:
    """The key a request presents: Rev A takes `X-Api-Key` (it wins) or Bearer; Rev B Bearer only."""
    if revision == "a" and x_api_key:
        return x_api_key.strip()
    return bearer_token(authorization)
