"""Where the API key may be sent: the checks on an API URL, wherever it comes from.

`layers.yaml` is a file anyone can change in a pull request, so its `apiUrl` decides where the
key goes: only https (plain http on this machine only), never credentials in the URL, and a URL
that is not the documented API host is pointed out to the reviewer.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

DEFAULT_API_URL = "https://api.layers.com"
DOCUMENTED_API_HOST = "api.layers.com"
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain")
_BRACKETED = re.compile(r"\[[^\[\]]*\](?::[0-9]*)?")  # `[::1]` and an optional `:port`
_USERINFO = re.compile(r"//[^/?#]*@")


def api_url_problem(
    url: str, *, secret: str = "the API key", home: str = "LAYERS_API_KEY"
) -> str | None:
    """Why `url` must not receive `secret` (a phrase after the URL's name), or None; `home`:
    where the secret goes instead of the URL.

    The phrase never quotes credentials: a URL carrying them is described, not shown.
    """
    parts = _split(url)
    host = None if parts is None else parts.hostname
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        return (
            f"'{shown_url(url)}' is not a valid URL; write it like {DEFAULT_API_URL} "
            "(scheme, host, optional port)"
        )
    if parts.username is not None or parts.password is not None:
        return (
            "carries credentials (user:password@ before the host; not shown); remove them: "
            f"{secret} goes in {home}, never in the URL"
        )
    if parts.query or url.strip().endswith("?"):
        return (
            f"'{shown_url(url)}' has a query string (?…, not shown), which a base URL cannot "
            "carry (the API's paths would land in it); remove it"
        )
    if parts.scheme.lower() == "http" and not is_loopback(host):
        return (
            f"'{shown_url(url)}' is plain http, which would send {secret} in clear text; use "
            "https (plain http is allowed only on this machine: localhost, 127.0.0.1, ::1)"
        )
    return None


def _split(url: str) -> SplitResult | None:
    """`url` in parts, or None when it is no URL: a bracketed host that is not closed or holds
    no IP address (`https://[::1`), text between `]` and the port, a port that is not a number."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return None
    hostport = parts.netloc.rpartition("@")[2]
    if "[" in hostport and not _BRACKETED.fullmatch(hostport):
        return None
    return parts


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_documented(url: str) -> bool:
    """The public Layers API (or this machine, where an emulator runs)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    return (parts.scheme.lower() == "https" and host == DOCUMENTED_API_HOST) or is_loopback(host)


def is_public_api(url: str) -> bool:
    """Exactly the documented host (no loopback): what CI accepts from a workspace file."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() == "https" and (parts.hostname or "").lower() == DOCUMENTED_API_HOST


def shown_url(url: str) -> str:
    """`url` without any user:password@ part nor query string, safe to print (also when it is
    no URL at all)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # no URL: drop whatever could be credentials or a query
        text = _USERINFO.sub("//", url.strip())
        return text.split("?", 1)[0]
    host = parts.netloc.rsplit("@", 1)[1] if "@" in parts.netloc else parts.netloc
    return urlunsplit((parts.scheme, host, parts.path, "", parts.fragment))
