"""Outstanding links: the GitHub install URL and the OAuth consent URLs a person must open.

Each link the tool makes is kept in the reserved key (`links`, by the address tail of its step:
`github`, `social/tiktok`) with the `expiresAt` the API gave it, so the next apply reuses it while
it is valid (one URL to send the customer, not a new one per run), `plan` shows it, and `links`
lists it and makes a new one once it has expired. This module is the pure part (plan reads it);
`apply.links` makes and records links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from layers_reconcile.plan.ids import parse_instant
from layers_reconcile.records import LinkRecord

Reserved = Mapping[str, Any]  # the reserved record, read (records.ReservedRecord)

LINKS: Final = "links"  # reserved key: "github" | "social/PLATFORM" -> Link.record()
# A link about to expire is not handed out again: the person needs time to open it.
MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Link:
    """One URL a person opens, with what it was made for (a link made for another return URL,
    org or account is not reused)."""

    key: str  # github | social/PLATFORM
    url: str
    state: str
    expires_at: str | None
    return_url: str
    subject: str  # the org (github) or the socialAccountId to re-authorise ("" for a connect)

    def record(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "state": self.state,
            "expiresAt": self.expires_at,
            "returnUrl": self.return_url,
            "subject": self.subject,
        }

    def valid_at(self, now: datetime) -> bool:
        """True while the person still has time to open it (an unknown expiry counts as not)."""
        when = parse_instant(self.expires_at)
        return when is not None and when - MARGIN > now

    @classmethod
    def of(cls, key: str, record: Any) -> Link | None:
        """The link recorded for `key` (None: none, or it has no URL)."""
        read = LinkRecord.model_validate(record) if isinstance(record, dict) else None
        if read is None or read.url is None:
            return None
        return cls(
            key=key,
            url=read.url,
            state=read.state or "",
            expires_at=read.expires_at,
            return_url=read.return_url or "",
            subject=read.subject or "",
        )


def github_key() -> str:
    return "github"


def social_key(platform: str) -> str:
    return f"social/{platform}"


def recorded(reserved: Reserved, key: str) -> Link | None:
    links = reserved.get(LINKS)
    return Link.of(key, links.get(key)) if isinstance(links, dict) else None


def reusable(
    reserved: Reserved, key: str, now: datetime, *, return_url: str, subject: str = ""
) -> Link | None:
    """The recorded link for `key` when it is still valid and made for the same return URL and
    subject; None when a new one is needed."""
    link = recorded(reserved, key)
    if link is None or not link.valid_at(now):
        return None
    if link.return_url != return_url or link.subject.lower() != subject.lower():
        return None
    return link


def outstanding(
    reserved: Reserved, key: str, now: datetime, *, return_url: str | None, subject: str = ""
) -> Link | None:
    """What `plan` shows: the recorded link apply would reuse (any return URL when the file
    names none: apply then uses its own default)."""
    link = recorded(reserved, key)
    if link is None:
        return None
    return reusable(reserved, key, now, return_url=return_url or link.return_url, subject=subject)


def shown_expiry(reserved: Reserved, key: str, link: Link | None, now: datetime) -> str | None:
    """When the shown link expires; with no link, when the last one expired (None: never made)."""
    if link is not None:
        return str(link.expires_at)
    old = recorded(reserved, key)
    return old.expires_at if old is not None and not old.valid_at(now) else None


def link_reason(reason: str, reserved: Reserved, key: str, link: Link | None, now: datetime) -> str:
    """Say whether apply reuses the link a person already has, or why it makes a new one."""
    if link is not None:
        return f"{reason}; the link sent earlier is still valid (apply reuses it)"
    old = recorded(reserved, key)
    if old is None:
        return reason
    if not old.valid_at(now):
        return f"{reason}; the last link expired at {old.expires_at}: apply makes a new one"
    return f"{reason}; the last link was made for another return URL: apply makes a new one"
