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

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

Row = TypeVar("Row", bound=Mapping[str, Any])


def login_of(installation: Mapping[str, Any]) -> str | None:
    """The GitHub account the installation is on (Rev A `orgLogin`, else `githubAccount.login`)."""
    account = installation.get("githubAccount")
    login = installation.get("orgLogin") or (
        account.get("login") if isinstance(account, Mapping) else None
    )
    return None if login is None else str(login)


def is_registered(installation: Mapping[str, Any]) -> bool:
    """Whether the installation is registered and usable: `active`, or no status given."""
    return bool(installation.get("status", "active") == "active")


def registered(installations: Iterable[Row]) -> list[Row]:
    return [i for i in installations if is_registered(i)]


def covers(installation: Mapping[str, Any], org: str) -> bool:
    """Whether the installation is on `org` (GitHub logins are case-insensitive)."""
    return (login_of(installation) or "").lower() == org.lower()


def covering(installations: Iterable[Row], org: str) -> Row | None:
    """The first registered installation on `org`, None when there is none."""
    return next((i for i in registered(installations) if covers(i, org)), None)
