"""Deterministic fake content: brand context, influencers, captions, media and platform posts.

The same repo name, brief and seed always give the same text and URLs, so demos and tests are
stable. Quinn's Coffee (the onboarding guide's customer) gets exactly the guide's examples.
"""

from __future__ import annotations

import re
from typing import Any

from layers_reconcile.emulator.common import JSON, derived_uuid, digest, pick, stable_int

QUINN_REPO = "quinns-coffee/quinns-app"
QUINN_BRAND: JSON = {
    "appName": "Quinn's Coffee",
    "appDescription": "Order-ahead for third-wave coffee shops in the PNW.",
    "tagline": "Your cafe, skip the line.",
    "audience": "Urban coffee drinkers 24–40, iPhone-first.",
    "icp": "Commuters, freelancers, students.",
    "brandVoice": "Warm, specific, lightly opinionated about beans.",
    "keywords": ["coffee", "cafe", "order ahead", "pacific northwest"],
    "primaryLanguage": "en",
    "logoUrl": "https://cdn.layers.com/brand/quinns-coffee/logo.png",
}
QUINN_INFLUENCER: JSON = {
    "name": "Maya — PNW cafe regular",
    "gender": "female",
    "ageRange": "25-34",
    "vibe": "Morning-person barista energy",
    "style": "Oversized knits, enamel pins, always a cup in hand",
}
QUINN_CAPTIONS = {
    "tiktok": "Walk in, grab it, walk out. ☕️ Free on the App Store.",
    "instagram": "The fastest coffee in the PNW. Link in bio.",
}
FORMATS = ("video_remix", "slideshow_remix", "ugc_remix")
CREDITS_PER_FORMAT = {
    "slideshow_builder": 50,
    "slideshow_remix": 50,
    "video_remix": 120,
    "ugc_remix": 120,
    "auto": 120,
}
_NOISE = {"app", "ios", "web", "mobile", "private", "nosdk", "frontend", "backend", "client"}
_FIRST_NAMES = (
    ("Maya", "female"),
    ("Jordan", "male"),
    ("Priya", "female"),
    ("Leo", "male"),
    ("Ava", "female"),
    ("Mateo", "male"),
    ("Zoe", "female"),
    ("Kai", "male"),
)


def _words(repo_name: str) -> list[str]:
    words = [w for w in re.split(r"[-_.]+", repo_name.lower()) if w and w not in _NOISE]
    return words or ["studio"]


def app_name(repo_full_name: str) -> str:
    return " ".join(w.capitalize() for w in _words(repo_full_name.split("/")[-1]))


def brand_context(repo_full_name: str, language: str, seed: int) -> JSON:
    if repo_full_name.lower() == QUINN_REPO:
        return dict(QUINN_BRAND, keywords=list(QUINN_BRAND["keywords"]))
    words = _words(repo_full_name.split("/")[-1])
    name = app_name(repo_full_name)
    noun = words[-1]
    key = (seed, repo_full_name.lower())
    icp = pick(
        (
            "Commuters, freelancers, students.",
            "Founders, operators, team leads.",
            "Hobbyists and weekend tinkerers.",
            "Local shoppers and regulars.",
        ),
        "icp",
        *key,
    )
    return {
        "appName": name,
        "appDescription": f"{name} is the {noun} app for {icp.lower().rstrip('.')}.",
        "tagline": pick(
            (
                f"{name}, minus the busywork.",
                f"Everything {noun}, one tap away.",
                f"The {noun} app people actually keep.",
                f"Less scrolling, more {noun}.",
            ),
            "tagline",
            *key,
        ),
        "audience": pick(
            (
                "Busy professionals 25–45, mobile-first.",
                "Students and early-career creatives 18–30.",
                "Small-business owners 30–55.",
                "Parents juggling schedules, 28–45.",
            ),
            "audience",
            *key,
        ),
        "icp": icp,
        "brandVoice": pick(
            (
                "Warm, specific, a little playful.",
                "Crisp, confident, no jargon.",
                "Friendly, practical, quietly funny.",
                "Bold, upbeat, straight to the point.",
            ),
            "voice",
            *key,
        ),
        "keywords": [*words, pick(("productivity", "community", "local", "lifestyle"), "kw", *key)],
        "primaryLanguage": language,
        "logoUrl": f"https://cdn.layers.com/brand/{digest(*key)[:16]}/logo.png",
    }


def default_influencer(repo_full_name: str, brand: JSON, seed: int) -> JSON:
    if repo_full_name.lower() == QUINN_REPO:
        return dict(QUINN_INFLUENCER)
    first, gender = pick(_FIRST_NAMES, "influencer", seed, repo_full_name.lower())
    return {
        "name": f"{first} — {brand.get('appName') or app_name(repo_full_name)} regular",
        "gender": gender,
        "ageRange": pick(("18-24", "25-34", "35-44"), "age", seed, repo_full_name.lower()),
        "vibe": "Easygoing early adopter",
        "style": "Casual, everyday",
    }


def generated_influencer(ident: str, gender: str, age_range: str, seed: int) -> JSON:
    """The persona Layers makes up for a Rev B influencer (created from hints, without a name)."""
    names = [n for n, g in _FIRST_NAMES if g == gender] or [n for n, _ in _FIRST_NAMES]
    first = pick(names, "generated-influencer", seed, ident)
    return {"name": first, "gender": gender, "ageRange": age_range, "style": "Casual, everyday"}


def resolve_format(requested: str, brief: JSON) -> str:
    """`auto` picks slideshow_remix when the brief brings reference media, else video_remix."""
    if requested != "auto":
        return requested
    return "slideshow_remix" if brief.get("referenceMediaIds") else "video_remix"


def captions(brand: JSON, brief: JSON, platforms: list[str], variant: int, seed: int) -> list[JSON]:
    is_quinn = brand.get("appName") == QUINN_BRAND["appName"]
    hook = str(brief.get("hook") or brief.get("topic") or brand.get("tagline") or "New drop.")
    cta = str(brief.get("cta") or "Link in bio.")
    out = []
    for platform in platforms:
        if is_quinn and variant == 0 and platform in QUINN_CAPTIONS:
            out.append({"platform": platform, "text": QUINN_CAPTIONS[platform]})
            continue
        key = (seed, brand.get("appName"), hook, cta, platform, variant)
        emoji = pick(("✨", "🔥", "👀", "🙌", "☕️"), "emoji", *key)
        if platform == "tiktok":
            options = (
                f"{hook} {emoji} {cta}",
                f"POV: {hook[:1].lower()}{hook[1:]} {emoji} {cta}",
                f"{hook} Here's how. {emoji} {cta}",
            )
        else:
            options = (
                f"{hook} {cta}",
                f"{hook} — {brand.get('appName') or 'us'}. {cta}",
                f"Saving this one: {hook} {cta}",
            )
        out.append({"platform": platform, "text": pick(options, "caption", *key)})
    return out


def media_assets(container_id: str, fmt: str, generation: int, seed: int) -> list[JSON]:
    base = f"https://cdn.layers.com/content/cnt_{container_id}/g{generation}"
    if fmt in ("slideshow_remix", "slideshow_builder"):
        count = 5
        kind, ext, mime = "image", "jpg", "image/jpeg"
    else:
        count = 1
        kind, ext, mime = "video", "mp4", "video/mp4"
    assets = []
    for index in range(count):
        asset_id = "asset_" + derived_uuid(container_id, f"asset/{generation}/{index}")
        asset: dict[str, Any] = {
            "id": asset_id,
            "assetId": asset_id,
            "kind": kind,
            "url": f"{base}/{kind}-{index + 1}.{ext}",
            "thumbnailUrl": f"{base}/thumb-{index + 1}.jpg",
            "width": 1080,
            "height": 1920,
            "mimeType": mime,
        }
        if kind == "video":
            asset["durationMs"] = (
                8000 + (stable_int("ms", seed, container_id, generation) % 70) * 100
            )
        assets.append(asset)
    return assets


def pr_number(repo_full_name: str, ordinal: int) -> int:
    base = (
        142
        if repo_full_name.lower() == QUINN_REPO
        else 100 + stable_int("pr", repo_full_name) % 800
    )
    return base + ordinal


def handle_from(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "", name.lower())
    return slug[:24] or "layersuser"


def published_post(platform: str, handle: str, post_id: str, seed: int) -> tuple[str, str]:
    number = stable_int("external", seed, post_id)
    if platform == "instagram":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        code = "".join(alphabet[(number >> (6 * i)) & 63] for i in range(11))
        return str(
            17_000_000_000_000_000 + number % 10**16
        ), f"https://www.instagram.com/reel/{code}/"
    external_id = str(7_200_000_000_000_000_000 + number % 10**18)
    return external_id, f"https://www.tiktok.com/@{handle}/video/{external_id}"


# --- Rev B discovery: hooks and TikTok source posts -----------------------------------------

_HOOK_TEMPLATES = (
    "POV: you found {app} before everyone else",
    "Stop scrolling if you still {verb} the old way",
    "I tried {app} for a week.\\nHere's what happened",
    "3 reasons {app} lives on my home screen",
    "Nobody talks about this {app} trick",
    "The {app} feature I wish I knew sooner",
    "Things that just make sense: {app}",
    "Me before {app} vs. me after",
    "Why is nobody talking about {app}?",
    "Tell me you use {app} without telling me",
)


def hook_bank(app_name: str, seed: int, *key: object) -> list[str]:
    """About twenty hooks for the app, in a stable order for the same project and seed."""
    hooks = [t.format(app=app_name, verb="do it") for t in _HOOK_TEMPLATES]
    hooks += [f"{h} #{app_name.replace(' ', '').lower()}" for h in hooks]
    return sorted(hooks, key=lambda h: stable_int("hook", seed, *key, h))


def tiktok_kind(tiktok_id: str) -> str:
    """Whether a TikTok post is a `video` or a `slideshow`: fixed by its id (a third are slides)."""
    return "slideshow" if stable_int("tiktok-kind", tiktok_id) % 3 == 0 else "video"


def source_posts(seed: int, *key: object, count: int = 60) -> list[JSON]:
    """TikTok posts worth remixing, for a project's portfolio or a keyword search."""
    posts = []
    for index in range(count):
        tiktok_id = str(
            7_000_000_000_000_000_000 + stable_int("tiktok", seed, *key, index) % 10**18
        )
        views = 10_000 + stable_int("views", tiktok_id) % 5_000_000
        posts.append(
            {
                "tiktokId": tiktok_id,
                "kind": tiktok_kind(tiktok_id),
                "url": f"https://www.tiktok.com/@creator{index}/video/{tiktok_id}",
                "stats": {"views": views, "likes": views // 12, "shares": views // 150},
            }
        )
    return posts
