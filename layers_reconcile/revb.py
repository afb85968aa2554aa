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
from layers_reconcile.records import Project, ReviewPolicy

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


def approval_on_row(project: Project) -> dict[str, Any] | None:
    """The review policy as a Rev B project row shows it, in the file's words; None when the row
    leaves `requiresApproval` or `firstNPostsBlocked` out (read `/content-review-policy` then).

    CONTRACT.md §3.3 lists both fields on the project row of either revision (only
    `currentBlockedCount` as Rev A's), so a plan that reads the row needs no second read."""
    sent = project.model_fields_set
    if project.requires_approval is None or "first_n_posts_blocked" not in sent:
        return None
    row = {
        "requiresApproval": project.requires_approval,
        "firstNPostsBlocked": project.first_n_posts_blocked,
    }
    return approval_of(review_policy_body(row))


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


# Influencers. Rev B creates one from hints (§11: `gender`, `ageRange` from a fixed scale, a
# `prompt` of 1-60 characters) and names it itself; the file's attributes become those hints.
_GENDER_B = {"male": "male", "female": "female", "nonbinary": "non_binary"}
AGE_RANGES_B = ("teen", "young_adult", "adult", "mid_adult", "mature", "senior")
# The first age of each step of Rev B's scale (inferred: the docs name the steps, not the ages).
_AGE_STARTS = (
    (60, "senior"),
    (45, "mature"),
    (35, "mid_adult"),
    (25, "adult"),
    (18, "young_adult"),
)
PROMPT_MAX = 60
_VISUAL = ("hairColor", "hairStyle", "bodyType", "ethnicity", "style", "vibe")


def influencer_hints(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The Rev B creation body for the file's influencer attributes (no name: Layers names it)."""
    hints: dict[str, Any] = {}
    gender = _GENDER_B.get(str(attributes.get("gender")))
    if gender:
        hints["gender"] = gender
    age = _age_range(attributes.get("ageRange"))
    if age:
        hints["ageRange"] = age
    prompt = _prompt([str(attributes[k]) for k in _VISUAL if attributes.get(k)])
    if prompt:
        hints["prompt"] = prompt
    return hints


def _age_range(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    if word in AGE_RANGES_B:
        return word
    digits = "".join(c if c.isdigit() else " " for c in text).split()
    if not digits:
        return None
    first = int(digits[0])
    return next((name for start, name in _AGE_STARTS if first >= start), "teen")


def _prompt(parts: list[str]) -> str | None:
    """The visual attributes, joined, cut at a word within the prompt's 60 characters."""
    text = ", ".join(p.strip() for p in parts if p.strip())
    if len(text) <= PROMPT_MAX:
        return text or None
    cut = text[: PROMPT_MAX + 1].rsplit(" ", 1)[0].rstrip(" ,;")
    return cut or text[:PROMPT_MAX]


# Projects and brand (§11, from Layers' MCP server). Rev B's project `name` is 3-30 characters
# (Rev A took 1-128); its brand is four fields on the project itself, with limits and a fixed
# set of voices; the rest of Rev A's brand context has no Rev B field.
PROJECT_NAME_B = (3, 30)
BRAND_VOICES_B = ("authentic", "witty", "professional", "warm", "casual", "educational")
_BRAND_LENGTHS_B = {"appName": (3, 30), "appDescription": (100, 1000), "tagline": (0, 80)}
BRAND_FIELDS_B = (*_BRAND_LENGTHS_B, "brandVoice")


def project_problem_b(field: str, value: Any) -> str | None:
    """Why Rev B would refuse the file's project `field` (None: it takes it)."""
    if field == "name" and isinstance(value, str):
        return _length_problem(value, PROJECT_NAME_B)
    return None


def brand_problem_b(field: str, value: Any) -> str | None:
    """Why Rev B cannot take the file's brand `field` (None: it takes it as it is)."""
    if field in _BRAND_LENGTHS_B:
        return _length_problem(str(value), _BRAND_LENGTHS_B[field])
    if field == "brandVoice":
        if value in BRAND_VOICES_B:
            return None
        return f"is not one of Rev B's voices ({', '.join(BRAND_VOICES_B)})"
    return f"has no Rev B field (Rev B's brand is {', '.join(BRAND_FIELDS_B)})"


def brand_sendable_b(brand: Mapping[str, Any]) -> dict[str, Any]:
    """The file's brand fields Rev B takes (the others are said by config.revision)."""
    return {k: v for k, v in brand.items() if brand_problem_b(k, v) is None}


def brand_of_b(project: Mapping[str, Any]) -> dict[str, Any]:
    """The brand a Rev B project row has (its fields on the project itself)."""
    return {k: project.get(k) for k in BRAND_FIELDS_B}


def _length_problem(text: str, limits: tuple[int, int]) -> str | None:
    low, high = limits
    if low <= len(text) <= high:
        return None
    size = f"{len(text)} character{'s' if len(text) != 1 else ''}"
    return (
        f"is {size}; Rev B takes {low}–{high}" if low else f"is {size}; Rev B takes at most {high}"
    )
