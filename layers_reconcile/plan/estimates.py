"""Documented job durations and credit prices (guide; CONTRACT.md Rev A §2.11; Rev B:
CONTRACT-revb.md §6.2, the same prices per container)."""

from __future__ import annotations

from layers_reconcile.plan.model import JobEstimate

# Credits per generated variant, by format (Rev A). Ingest and influencers are not billed.
CREDITS_PER_FORMAT: dict[str, int] = {
    "slideshow_builder": 50,  # Rev B (CONTRACT-revb.md §6.2)
    "slideshow_remix": 50,
    "video_remix": 120,
    "ugc_remix": 120,
    "auto": 120,
}


def ingest() -> JobEstimate:
    return JobEstimate(
        kind="project_ingest_github", expected_seconds_min=180, expected_seconds_max=480
    )


def content(fmt: str, containers: int, *, regenerate: bool = False) -> JobEstimate:
    return JobEstimate(
        kind="content_regenerate" if regenerate else "content_generate",
        expected_seconds_min=90,
        expected_seconds_max=180,
        credits=CREDITS_PER_FORMAT.get(fmt, CREDITS_PER_FORMAT["auto"]) * containers,
    )


def influencer() -> JobEstimate:
    return JobEstimate(kind="influencer_create", expected_seconds_min=60, expected_seconds_max=60)
