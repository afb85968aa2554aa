"""IANA time zones: existence checks with a suggestion for near misses."""

from __future__ import annotations

import functools
import importlib.resources
import zoneinfo

from pydantic_core import PydanticCustomError

from layers_reconcile.config.suggest import did_you_mean


@functools.cache
def known_timezones() -> frozenset[str]:
    """The IANA names of the tzdata package: the same on every machine, unlike the system's
    database (which adds names such as 'localtime' that no API accepts)."""
    try:
        listing = importlib.resources.files("tzdata").joinpath("zones").read_text("utf-8")
        names = frozenset(listing.split())
    except (ModuleNotFoundError, OSError):
        names = frozenset(zoneinfo.available_timezones()) - {"localtime", "posixrules", "Factory"}
    return names | {"UTC"}


def is_timezone(name: str) -> bool:
    return name in known_timezones()


def check_timezone(name: str) -> str:
    """Pydantic after-validator: the name must be an IANA time zone."""
    if not is_timezone(name):
        raise PydanticCustomError(
            "unknown_timezone",
            "unknown time zone '{name}'{hint}",
            {"name": name, "hint": did_you_mean(name, known_timezones()) or _generic_hint()},
        )
    return name


def _generic_hint() -> str:
    return " — use an IANA name such as 'America/Los_Angeles', 'Europe/Berlin' or 'UTC'"
