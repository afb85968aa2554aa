"""Which advice a failed API call gets: decided once, for plan (a customer not planned), apply
(a failed step's recovery, its `--report`) and the CLI (a command's error line).

Pure, no I/O. `advice_for` reads the error (its class, code, `details` and what its attempts
met) and answers the kind of failure and what to do about it; each caller keeps only its own
framing (the sentence around it). The texts themselves are `layers_reconcile.guidance`.

| situation                                     | kind        | what to do                     |
|-----------------------------------------------|-------------|--------------------------------|
| a status this version does not know           | newer_api   | NEWER_API                      |
| 403 FORBIDDEN_SCOPE (requiredScopes, else     | scope       | missing_scope: the scope, the  |
|   org:admin on /v1/organizations…)            |             |   command (and org:admin's note) |
| a code the guide has a recovery for (also the | guide       | recovery_for (KILL_SWITCH: the |
|   one in details.code: NOT_A_SLIDESHOW …)     |             |   key or org is suspended)     |
| 401 (any other refusal of the key)            | key         | CHECK_KEY                      |
| only 429s                                     | slow_down   | SLOW_DOWN                      |
| never connected (or nothing known of it)      | reach       | CHECK_REACH                    |
| several attempts that met different failures  | flaky       | FLAKY                          |
| one 5xx, one lost answer                      | api_side    | API_SIDE                       |
| an answer not of the contract's shape, a 4xx  | unexpected  | UNEXPECTED                     |
|   without the error envelope (not the API)    |             |                                |
| any other 4xx                                 | (none)      | the API's message says it      |
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from layers_reconcile.errors import (
    ApiError,
    AuthError,
    RateLimitedError,
    TransportError,
    UnexpectedAnswerError,
    UnknownStatusError,
    is_transient,
)
from layers_reconcile.guidance import (
    API_SIDE,
    CHECK_KEY,
    CHECK_REACH,
    FLAKY,
    NEWER_API,
    ORG_ADMIN_SCOPE,
    SLOW_DOWN,
    UNEXPECTED,
    missing_scope,
    recovery_for,
)

Kind = Literal[
    "newer_api", "scope", "guide", "key", "slow_down", "reach", "flaky", "api_side", "unexpected"
]

# A code in `details` (`code`, or CONFLICT's `subcode`): the contract's shape of a code.
_CODE = re.compile(r"[A-Z][A-Z0-9_]{2,63}")


@dataclass(frozen=True)
class Advice:
    kind: Kind
    text: str  # a clause: lower-case first letter, no full stop (`guidance.sentence` makes one)


def specific_code(exc: ApiError) -> str | None:
    """The code in the error's `details` (`details.code`, `details.subcode`) when it says more
    than the error's own code: `422 VALIDATION` with `details.code: NOT_A_SLIDESHOW`."""
    for key in ("code", "subcode"):
        value = exc.details.get(key)
        if isinstance(value, str) and _CODE.fullmatch(value) and value != exc.code:
            return value
    return None


def shown_code(exc: ApiError) -> str | None:
    """The code a user is shown: the error's, then the more specific one from its details
    (`VALIDATION/NOT_A_SLIDESHOW`)."""
    detail = specific_code(exc)
    if exc.code is None or detail is None:
        return exc.code or detail
    return f"{exc.code}/{detail}"


def advice_for(
    exc: ApiError,
    *,
    command: str | None = None,
    repo: str | None = None,
    quote_request: bool = False,
) -> Advice | None:
    """What to do about `exc`, or None when the API's own message is all there is to say.
    `command`: the command a missing scope is named for; `repo`: the repo a GitHub recovery
    names; `quote_request`: a missing scope names the request (method, path, requestId)."""
    if isinstance(exc, UnknownStatusError):
        return Advice("newer_api", NEWER_API)
    if exc.code == "FORBIDDEN_SCOPE":
        return Advice("scope", _missing_scope(exc, command, quote_request=quote_request))
    blob = " ".join([exc.code or "", exc.message, _text(exc.details)])
    detail = specific_code(exc)
    guide = (detail and recovery_for(detail, blob, repo=repo)) or recovery_for(
        exc.code, blob, repo=repo
    )
    if guide is not None:
        return Advice("key" if guide == CHECK_KEY else "guide", guide)
    if isinstance(exc, AuthError):
        return Advice("key", CHECK_KEY)
    if is_transient(exc):
        return Advice(*_transient(exc))
    if isinstance(exc, UnexpectedAnswerError) or (exc.status is not None and exc.code is None):
        return Advice("unexpected", UNEXPECTED)  # the API's every 4xx has its error envelope
    return None


def _transient(exc: ApiError) -> tuple[Kind, str]:
    """A failure that trying again may fix, by what every attempt met."""
    attempts = exc.attempts
    if isinstance(exc, RateLimitedError) and (attempts is None or attempts.only_rate_limited):
        return "slow_down", SLOW_DOWN
    if isinstance(exc, TransportError) and (attempts is None or attempts.never_reached):
        return "reach", CHECK_REACH
    if attempts is not None and len(attempts) > 1:
        return "flaky", FLAKY
    return "api_side", API_SIDE


def _missing_scope(exc: ApiError, command: str | None, *, quote_request: bool) -> str:
    """The scope the key lacks: the API's `requiredScopes`, else org:admin for the control
    plane (`/v1/organizations…` needs nothing else), else "a scope"."""
    scopes = list(exc.required_scopes)
    if not scopes and (exc.path or "").startswith("/v1/organizations"):
        scopes = [ORG_ADMIN_SCOPE]
    where = ""
    if quote_request:
        where = f" for {exc.method} {exc.path}" if exc.method and exc.path else ""
        where += f" (requestId {exc.request_id})" if exc.request_id else ""
    return missing_scope(scopes, command, where)


def _text(value: object) -> str:
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)
