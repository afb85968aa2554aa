"""Checks that span fields, run on the merged document (so they work even when parts of it are
invalid, and every problem is reported at once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from layers_reconcile.config.fieldtypes import MODES_BY_PLATFORM
from layers_reconcile.config.quoting import short
from layers_reconcile.config.source import YamlPath
from layers_reconcile.config.times import InvalidTimeError, parse_at, resolve_at
from layers_reconcile.config.zones import is_timezone

_ALL_MODES = frozenset(mode for modes in MODES_BY_PLATFORM.values() for mode in modes)
# Severity of a finding that is an error against a real Layers API and nothing with the embedded
# emulator (`--emulator`), whose loopback default return URL is fine: `validate` decides.
REAL_API = "real-api"


@dataclass(frozen=True)
class Finding:
    path: YamlPath
    message: str
    severity: str = "error"
    at_key: bool = False


def check_customer(data: dict[str, Any], *, now: datetime) -> list[Finding]:
    """Cross-field checks of one merged customer document.

    A time in the past is not reported here: offline, validate cannot tell a post already
    published (history, kept in the file) from a new one; `plan` warns where apply would
    schedule a post whose time has passed. `now` stays for checks that need the clock.
    """
    del now
    findings: list[Finding] = _return_urls(data) + _transfer_ids(data)
    content = data.get("content")
    if not isinstance(content, dict):
        return findings
    social = data.get("social")
    platforms = (
        sorted(p for p in social if p in MODES_BY_PLATFORM) if isinstance(social, dict) else []
    )
    project = data.get("project")
    timezone = project.get("timezone") if isinstance(project, dict) else None
    for key, piece in content.items():
        if isinstance(piece, dict) and isinstance(piece.get("schedule"), list):
            findings += _check_schedule(key, piece, platforms, timezone)
        speaker = piece.get("account") if isinstance(piece, dict) else None
        if isinstance(speaker, str) and speaker in MODES_BY_PLATFORM and speaker not in platforms:
            present = f" (it has {', '.join(platforms)})" if platforms else ""
            findings.append(
                Finding(
                    ("content", key, "account"),
                    f"content account '{speaker}' is not connected under 'social'{present}; "
                    f"add social.{speaker} to connect it, or drop `account` to speak through "
                    "the customer's influencer",
                )
            )
    return findings


def _check_schedule(
    key: str, piece: dict[str, Any], platforms: list[str], timezone: Any
) -> list[Finding]:
    variants = _int(piece.get("variants", 1))
    entries: list[Any] = piece["schedule"]
    findings: list[Finding] = []
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            base: YamlPath = ("content", key, "schedule", index)
            findings += _check_account(base, entry, platforms)
            findings += _check_variant(base, key, entry, variants)
            at = entry.get("at")
            if isinstance(at, str):
                findings += _check_at((*base, "at"), at, timezone)
    return findings + _duplicate_schedule_ids(key, entries) + _same_slot(key, entries)


def _check_account(base: YamlPath, entry: dict[str, Any], platforms: list[str]) -> list[Finding]:
    """The entry's account is connected, and its mode is one that platform has."""
    account, mode = entry.get("account"), entry.get("mode")
    if not isinstance(account, str) or account not in MODES_BY_PLATFORM:
        return []
    findings: list[Finding] = []
    if account not in platforms:
        findings.append(Finding((*base, "account"), _not_connected(account, platforms)))
    allowed = MODES_BY_PLATFORM[account]
    if isinstance(mode, str) and mode in _ALL_MODES and mode not in allowed:
        findings.append(
            Finding(
                (*base, "mode"),
                f"mode '{mode}' is not available on {account}: use {_either(allowed)}",
            )
        )
    return findings


def _check_variant(
    base: YamlPath, key: str, entry: dict[str, Any], variants: int | None
) -> list[Finding]:
    """The entry posts a variant the content has."""
    variant = _int(entry.get("variant", 1))
    if variants is None or variant is None or not 1 <= variants < variant <= 5:
        return []
    return [
        Finding(
            (*base, "variant"),
            f"variant {variant} does not exist: '{short(key)}' has {variants} "
            f"variant{'s' if variants > 1 else ''}; raise 'variants' or pick 1"
            + (f"–{variants}" if variants > 1 else ""),
        )
    ]


def _duplicate_schedule_ids(key: str, entries: list[Any]) -> list[Finding]:
    """An entry's `id:` names it among the content's entries: two with one id are one post."""
    findings: list[Finding] = []
    ids: dict[str, int] = {}
    for index, entry in enumerate(entries):
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(entry_id, str):
            continue
        if entry_id in ids:
            findings.append(
                Finding(
                    ("content", key, "schedule", index, "id"),
                    f"duplicate schedule id '{short(entry_id)}' (entry {ids[entry_id] + 1} has it "
                    "too); ids must be unique within one content's schedule",
                )
            )
        else:
            ids[entry_id] = index
    return findings


def _same_slot(key: str, entries: list[Any]) -> list[Finding]:
    """Entries without an `id:` are told apart by account and variant: two alike are one post
    (entries with an `id:` have addresses, and posts, of their own)."""
    slots: dict[tuple[str, int], list[int]] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "id" in entry:
            continue
        account, variant = entry.get("account"), _int(entry.get("variant", 1))
        if isinstance(account, str) and account in MODES_BY_PLATFORM and variant is not None:
            slots.setdefault((account, variant), []).append(index)
    findings: list[Finding] = []
    for (account, variant), indexes in slots.items():
        if len(indexes) < 2:
            continue
        numbers = ", ".join(str(i + 1) for i in indexes[:-1]) + f" and {indexes[-1] + 1}"
        for index in indexes:
            findings.append(
                Finding(
                    ("content", key, "schedule", index),
                    f"entries {numbers} of this schedule {'both' if len(indexes) == 2 else 'all'} "
                    f"post variant {variant} to "
                    f"{account}; give each an 'id:' to tell them apart",
                )
            )
    return findings


def _transfer_ids(data: dict[str, Any]) -> list[Finding]:
    """Each transfer id moves credits once, ever: two entries with one id would be one transfer."""
    org = data.get("organization")
    credits = org.get("credits") if isinstance(org, dict) else None
    transfers = credits.get("transfers") if isinstance(credits, dict) else None
    findings: list[Finding] = []
    first: dict[str, int] = {}
    for index, entry in enumerate(transfers if isinstance(transfers, list) else []):
        ident = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in first:
            findings.append(
                Finding(
                    ("organization", "credits", "transfers", index, "id"),
                    f"transfer id '{short(ident)}' is already used by entry {first[ident] + 1}: each "
                    "transfer needs its own id (an id moves credits once, ever)",
                )
            )
        else:
            first[ident] = index
    return findings


def _check_at(path: YamlPath, at: str, timezone: Any) -> list[Finding]:
    try:
        parsed = parse_at(at)
    except InvalidTimeError as exc:
        return [Finding(path, str(exc))]
    if parsed.tzinfo is None:
        if timezone is None:
            return [
                Finding(
                    path,
                    f"'{at}' has no offset and project.timezone is not set: add an offset "
                    f"(e.g. '{at}Z') or set project.timezone",
                )
            ]
        if not isinstance(timezone, str) or not is_timezone(timezone):
            return []
    try:
        resolve_at(parsed, timezone if isinstance(timezone, str) else None)
    except InvalidTimeError as exc:
        return [Finding(path, str(exc))]
    return []


def _return_urls(data: dict[str, Any]) -> list[Finding]:
    """Where a person lands after a consent or an install is never guessed against a real API:
    every social account needs `returnUrl` (a consent or re-authorisation can be needed at any
    time), and so does `github` without `installationId` (someone installs the app)."""
    findings: list[Finding] = []
    social = data.get("social")
    if isinstance(social, dict):
        for platform, account in social.items():
            if account is None or (isinstance(account, dict) and "returnUrl" not in account):
                findings.append(
                    Finding(
                        ("social", platform),
                        f"social.{short(platform)}.returnUrl is missing: the customer lands there after "
                        "consenting; set it here or under `defaults` in layers.yaml (only the "
                        "embedded emulator, --emulator, has a default)",
                        severity=REAL_API,
                        at_key=True,
                    )
                )
    github = data.get("github")
    if isinstance(github, dict) and "returnUrl" not in github and "installationId" not in github:
        findings.append(
            Finding(
                ("github",),
                "github.returnUrl is missing: without installationId someone installs the "
                "GitHub App and lands there; set it here or under `defaults` in layers.yaml (only "
                "the embedded emulator, --emulator, has a default)",
                severity=REAL_API,
                at_key=True,
            )
        )
    return findings


def _not_connected(account: str, platforms: list[str]) -> str:
    present = f" (it has {', '.join(platforms)})" if platforms else ""
    return (
        f"schedule account '{account}' is not connected under 'social'{present}; "
        f"add social.{account} to connect it"
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _either(choices: tuple[str, ...]) -> str:
    if len(choices) == 1:
        return choices[0]
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"
