"""GitHub installations: which registered installation covers a repo's org.

An installation counts as registered only when its status is `active`; one without a status is
active (the guide's register answer carries none). Why not "anything but `uninstalled`":
`CONTRACT.md` (GET /v1/github/installation) lists the statuses `active | uninstalled`, and the
guide registers an installation so that the ingest can use it; only `active` is documented to
let it. The two rules agree on both documented statuses and differ on any other (GitHub
suspends installations; an API may come to say so). Counting such an installation as registered
planned no GitHub step, then the ingest failed in the middle of apply; counting it as not
registered shows the install link in plan, and apply waits for the person who can fix it (the
emulator, written from the same documents, also lets only an `active` registration cover an
ingest). Plan, apply and import all read installations through this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from layers_reconcile.records import Installation


def login_of(installation: Installation) -> str | None:
    """The GitHub account the installation is on (its spellings resolved by the record)."""
    return installation.login


def is_registered(installation: Installation) -> bool:
    """Whether the installation is registered and usable: `active`, or no status given."""
    return installation.status in (None, "active")


def registered(installations: Iterable[Installation]) -> list[Installation]:
    return [i for i in installations if is_registered(i)]


def covers(installation: Installation, org: str) -> bool:
    """Whether the installation is on `org` (GitHub logins are case-insensitive)."""
    return (installation.login or "").lower() == org.lower()


def covering(installations: Iterable[Installation], org: str) -> Installation | None:
    """The first registered installation on `org`, None when there is none."""
    return next((i for i in registered(installations) if covers(i, org)), None)
