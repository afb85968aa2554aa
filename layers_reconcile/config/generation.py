"""What each API revision's generation call takes from a content entry: ONE pure mapping.

Rev A (the onboarding guide): one `POST /v1/projects/:id/content` with `format`, `variantCount`
and the whole `brief`, the customer's pinned influencer inside it. Rev B (CONTRACT-revb.md
§6.2): one route per format and one container per call, so `variants: N` is N calls; the body
is the hook (on the routes that take one), `tiktokVideoId` (the remixes), `mediaId`
(ugc-remix) and who speaks: the `socialAccountId` of the entry's `account:`, else the
customer's `influencerId`.

A field the revision does not take is not sent: `dropped` names each. `problems` are what no
request of that revision can carry out (`format: auto` on Rev B, a remix without its source
post). Plan uses this for what it shows and estimates, apply for what it sends; `config.revision`
reports both at their lines, with what the revision cannot take of the customer's other sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.source import YamlPath

# The Rev B route of each format (the format is the URL: CONTRACT-revb.md §6.2).
ROUTES_B: dict[str, str] = {
    "slideshow_builder": "slideshow-builder",
    "slideshow_remix": "slideshow-remix",
    "video_remix": "video-remix",
    "ugc_remix": "ugc-remix",
}
FORMATS_A: tuple[str, ...] = ("auto", "slideshow_remix", "video_remix", "ugc_remix")
FORMATS_B: tuple[str, ...] = tuple(ROUTES_B)
_REMIXES = ("slideshow_remix", "video_remix")  # start from a post, take no hook
_HOOKED = ("slideshow_builder", "ugc_remix")  # the Rev B routes that take a hook


@dataclass(frozen=True)
class Note:
    """A field of the entry a revision does not take, or cannot do without: at its YAML path."""

    path: YamlPath
    message: str


@dataclass(frozen=True)
class Speaker:
    """Who speaks in the content: the customer's influencer or a connected account.

    `influencer`: the customer file has an `influencer:` (its id: `influencer_id`, None until it
    is pinned). `social_account_id`: the connected account of the entry's `account:` (None: not
    connected yet)."""

    influencer: bool = False
    influencer_id: str | None = None
    social_account_id: str | None = None


@dataclass(frozen=True)
class GenerationRequest:
    """The calls that generate one content entry on one revision.

    `route`: Rev B's route (`slideshow-builder`, …); None on Rev A (the generic route). `body`:
    one call's body (Rev A without the partner-chosen `id`, which apply derives). `calls`: how
    many such calls (Rev B: one per variant). `inputs`: what of the file the body carries, as
    written; its hash is what apply records and plan compares (a change regenerates)."""

    revision: ApiRevision
    format: str
    route: str | None
    body: dict[str, Any]
    calls: int
    containers: int
    inputs: dict[str, Any]
    dropped: tuple[Note, ...] = field(default=())
    problems: tuple[Note, ...] = field(default=())


def _either(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


def generation_request(
    key: str, entry: ContentSpec, revision: ApiRevision, speaker: Speaker = Speaker()
) -> GenerationRequest:
    """The request(s) generating content `key` on `revision`, and what the entry says that the
    revision does not take (`dropped`) or cannot do (`problems`)."""
    if revision == "b":
        return _rev_b(key, entry, speaker)
    return _rev_a(key, entry, speaker)


def _rev_a(key: str, entry: ContentSpec, speaker: Speaker) -> GenerationRequest:
    here: YamlPath = ("content", key)
    written = entry.model_fields_set
    dropped = [
        Note((*here, name), f"`{name}` {why}; Rev A does not take it")
        for name, why in (
            ("source", "names the post a remix starts from (Rev B)"),
            ("media", "picks ugc-remix's app-demo media (Rev B)"),
            ("account", "speaks through a social account (Rev B)"),
        )
        if name in written and getattr(entry, name) is not None
    ]
    problems = []
    if entry.format not in FORMATS_A:
        problems.append(
            Note(
                (*here, "format"),
                f"format {entry.format} has no Rev A equivalent: choose {_either(FORMATS_A)}",
            )
        )
    brief: dict[str, Any] = entry.brief.model_dump(exclude_unset=True, exclude_none=True)
    if speaker.influencer and speaker.influencer_id:
        brief["influencerId"] = speaker.influencer_id
    body = {"format": entry.format, "variantCount": entry.variants, "brief": brief}
    return GenerationRequest(
        revision="a",
        format=entry.format,
        route=None,
        body=body,
        calls=1,
        containers=entry.variants,
        inputs=entry.brief.model_dump(exclude_unset=True),
        dropped=tuple(dropped),
        problems=tuple(problems),
    )


def _rev_b(key: str, entry: ContentSpec, speaker: Speaker) -> GenerationRequest:
    here: YamlPath = ("content", key)
    fmt = entry.format
    brief = entry.brief.model_dump(exclude_unset=True, exclude_none=True)
    body: dict[str, Any] = {}
    inputs: dict[str, Any] = {}
    if fmt in _HOOKED and "hook" in brief:
        body["hook"] = inputs["hook"] = brief["hook"]
    if fmt in _REMIXES and entry.source is not None:
        body["tiktokVideoId"] = inputs["tiktokVideoId"] = entry.source.tiktokVideoId
    if fmt == "ugc_remix" and entry.media is not None:
        body["mediaId"] = inputs["mediaId"] = entry.media
    if entry.account is not None:
        inputs["account"] = entry.account
        if speaker.social_account_id:
            body["socialAccountId"] = speaker.social_account_id
    elif speaker.influencer and speaker.influencer_id:
        body["influencerId"] = speaker.influencer_id
    return GenerationRequest(
        revision="b",
        format=fmt,
        route=ROUTES_B.get(fmt),
        body=body,
        calls=entry.variants,
        containers=entry.variants,
        inputs=inputs,
        dropped=tuple(_dropped_b(here, entry, brief)),
        problems=tuple(_problems_b(here, entry, brief, speaker)),
    )


def _dropped_b(here: YamlPath, entry: ContentSpec, brief: dict[str, Any]) -> list[Note]:
    """What the entry says that its Rev B route does not take."""
    fmt = entry.format
    dropped: list[Note] = []
    for name in brief if fmt in ROUTES_B else ():  # no route: the format is the problem
        if name == "hook" and fmt in _HOOKED:
            continue
        why = (
            "the remix routes take no hook (the source post's text is adapted)"
            if name == "hook"
            else "Rev B's routes take only the hook"
        )
        dropped.append(Note((*here, "brief", name), f"`brief.{name}` is not sent: {why}"))
    if entry.media is not None and fmt != "ugc_remix":
        dropped.append(Note((*here, "media"), "`media` is taken only by ugc_remix"))
    if entry.source is not None and fmt not in _REMIXES:
        dropped.append(
            Note(
                (*here, "source"),
                "`source` is taken only by slideshow_remix and video_remix",
            )
        )
    return dropped


def _problems_b(
    here: YamlPath, entry: ContentSpec, brief: dict[str, Any], speaker: Speaker
) -> list[Note]:
    """What keeps Rev B from generating the entry at all."""
    fmt = entry.format
    problems: list[Note] = []
    if fmt not in ROUTES_B:
        problems.append(
            Note(
                (*here, "format"),
                f"format {fmt} has no Rev B route: choose {_either(FORMATS_B)}",
            )
        )
    if fmt in _REMIXES and entry.source is None:
        problems.append(
            Note(
                here,
                f"{fmt} starts from a TikTok post on Rev B: add `source: {{tiktokVideoId: …}}`",
            )
        )
    if fmt == "slideshow_builder" and "hook" not in brief:
        problems.append(Note(here, "slideshow_builder needs `brief.hook` (its only text)"))
    if fmt in ROUTES_B and fmt != "slideshow_builder" and not (entry.account or speaker.influencer):
        problems.append(
            Note(
                here,
                f"{fmt} needs someone to speak on Rev B: add `account: "
                "PLATFORM` (an account under `social`) or give the customer an `influencer:`",
            )
        )
    return problems
