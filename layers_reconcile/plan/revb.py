"""The customer file's words and Rev B's, mapped both ways: one rule each for plan (what Layers
has, in the file's words), apply (what to send) and import (what to write).

The file speaks Rev A, the onboarding guide's API; on Rev B (CONTRACT-revb.md) the same file
converges through these mappings.

Approval. Rev B (§6.3) has one review policy where Rev A had three fields:
`requiresApproval: false` is `auto_approve`; required with `firstNPostsBlocked: N` (N ≥ 1) is
`review_first_n` N; required with no N (absent, null or 0) is `review_all`. Rev B has no
auto-approve timer: `autoApproveAfter` has no Rev B form (`REV_A_ONLY`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.records import ReviewPolicy

# The approval fields Rev B has no place for.
REV_A_ONLY = ("autoApproveAfter",)


def review_policy_body(approval: Mapping[str, Any]) -> dict[str, Any]:
    """The `PATCH …/content-review-policy` body that stores `approval` (the file's fields)."""
    if not approval.get("requiresApproval"):
        return {"policy": "auto_approve"}
    first_n = approval.get("firstNPostsBlocked")
    if isinstance(first_n, int) and not isinstance(first_n, bool) and first_n > 0:
        return {"policy": "review_first_n", "firstN": first_n}
    return {"policy": "review_all"}


def approval_of(policy: ReviewPolicy | Mapping[str, Any]) -> dict[str, Any]:
    """The review policy Layers has, in the file's `approval:` words (a policy never set is
    `auto_approve`, as Layers answers it)."""
    if isinstance(policy, ReviewPolicy):
        name, first_n = policy.policy, policy.first_n
    else:
        name, first_n = policy.get("policy"), policy.get("firstN")
    if name == "review_first_n" and isinstance(first_n, int | float) and first_n >= 1:
        return {"requiresApproval": True, "firstNPostsBlocked": int(first_n)}
    if name in ("review_first_n", "review_all"):
        return {"requiresApproval": True, "firstNPostsBlocked": None}
    return {"requiresApproval": False, "firstNPostsBlocked": None}


def as_stored(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> dict[str, Any]:
    """The file's fields as Rev B would hold them once applied over `actual` (the file's form):
    `firstNPostsBlocked: 0` reads back as null, a first N beside `requiresApproval: false` as
    none. Only the fields the file sets (Rev B's), so a field it leaves out stays unmanaged."""
    stored = approval_of(review_policy_body({**actual, **desired}))
    return {k: stored[k] for k in desired if k in stored}


# Publish modes. Rev B's targets take `publish | draft | managed` (§11) where Rev A's took a mode
# per platform; `managed` is Rev B's alone (config.revision refuses it on Rev A).
_MODE_B = {
    "direct_publish": "publish",
    "reels": "publish",
    "feed": "publish",
    "draft_to_device": "draft",
}
# Import on Rev B: the file's word for a Rev B mode, per platform (Rev B does not say which of
# Rev A's publishing modes it replaced; a reel is Instagram's default).
_MODE_FILE = {
    ("tiktok", "publish"): "direct_publish",
    ("instagram", "publish"): "reels",
}
REV_B_ONLY_MODES = ("managed",)


def wire_mode(mode: str, revision: ApiRevision) -> str:
    """The mode a schedule target sends for the file's `mode`."""
    return _MODE_B.get(mode, mode) if revision == "b" else mode


def file_mode(mode: str | None, platform: str | None) -> str | None:
    """The file's `mode` for a post's mode as the API has it (Rev A's words pass unchanged)."""
    if mode == "draft":
        return "draft_to_device"
    return _MODE_FILE.get((str(platform), str(mode)), mode)
