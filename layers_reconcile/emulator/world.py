"""The simulated GitHub: who installed the Layers app, which repos exist, what they contain.

Installation 48271993 belongs to `quinns-coffee`. Any org can install through an install URL
(and gets a stable installation id derived from its login). Every repo of an installed org exists
and has `ios` and `web`; a name ending `-private` is not covered by the installation and one
ending `-nosdk` has no platform the SDK patcher can detect.
"""

from __future__ import annotations

import re

from layers_reconcile.emulator.common import JSON, iso, stable_int
from layers_reconcile.emulator.store import Store

QUINN_LOGIN = "quinns-coffee"
QUINN_INSTALLATION = 48271993
DEFAULT_LOGIN = QUINN_LOGIN
SDK_PLATFORMS = ("ios", "android", "web", "react-native", "flutter", "expo")
_REPO = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/([A-Za-z0-9._-]{1,100})$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")


def seed(store: Store, now: float) -> None:
    if store.get("gh_install", str(QUINN_INSTALLATION)) is None:
        store.put("gh_install", _install_doc(QUINN_INSTALLATION, QUINN_LOGIN, now))


def _install_doc(installation_id: int, login: str, now: float) -> JSON:
    return {
        "id": str(installation_id),
        "installationId": installation_id,
        "login": login,
        "type": "Organization",
        "createdAt": iso(now),
    }


def valid_login(login: str) -> bool:
    return bool(_LOGIN.match(login))


def installation(store: Store, installation_id: int) -> JSON | None:
    return store.get("gh_install", str(installation_id))


def install(store: Store, login: str, now: float) -> JSON:
    """The installation of the Layers GitHub App on `login`, creating it on first consent."""
    for doc in store.iter("gh_install"):
        if doc["login"].lower() == login.lower():
            return doc
    candidate = 40_000_000 + stable_int("github-installation", login.lower()) % 8_000_000
    while store.get("gh_install", str(candidate)) is not None:
        candidate += 1
    return store.put("gh_install", _install_doc(candidate, login, now))


def split_repo(full_name: str) -> tuple[str, str] | None:
    match = _REPO.match(full_name)
    return (match.group(1), match.group(2)) if match else None


def is_private(repo_name: str) -> bool:
    return repo_name.lower().endswith("-private")


def detected_platforms(repo_name: str) -> list[str]:
    return [] if repo_name.lower().endswith("-nosdk") else ["ios", "web"]
