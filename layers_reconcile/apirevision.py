"""Which revision of the Layers API the tool speaks to, decided once per run.

Rev A is the onboarding guide's (content through one `POST …/content` with `format` + `brief`,
`/approval-policy`, bare ids); Rev B is today's public docs (one generation route per format,
`/content-review-policy`, prefixed ids, sub-organizations). `layers.yaml` may pin one
(`apiRevision: a | b`); `auto` (the default) reads it from the `GET /v1/whoami` every run
already makes, so deciding costs no request.

A pinned revision the server does not speak is refused before any write (`settle`): a
workspace that says `apiRevision: b` means "this is a Rev B API", and converging it against a
Rev A server would only fail later, half done.

Neutral: imports nothing of the project but `records` and `errors`, so the pure diff may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from layers_reconcile.errors import ReconcileError
from layers_reconcile.records import Whoami

ApiRevision = Literal["a", "b"]
RevisionSetting = Literal["auto", "a", "b"]

REVISIONS: tuple[ApiRevision, ...] = get_args(ApiRevision)
SETTINGS: tuple[RevisionSetting, ...] = get_args(RevisionSetting)


def detect(whoami: Whoami) -> ApiRevision:
    """The revision a whoami answer is written in.

    Rev B's whoami (CONTRACT.md §3.1) always carries `parentOrganizationId` (null for a
    top-level organization) and no longer the `killSwitch` / `apiAccessRevoked` booleans; Rev A's
    has those booleans and no parent. Ids are opaque: their spelling (`org_…`) is not read.
    """
    sent = whoami.model_fields_set | set(whoami.model_extra or ())
    if "parent_organization_id" in sent or "parentOrganizationId" in sent:
        return "b"
    return "a"


def decide(setting: RevisionSetting | None, whoami: Whoami) -> ApiRevision:
    """The pinned revision, or (`auto`, None) the one the whoami answer shows."""
    if setting == "a" or setting == "b":
        return setting
    return detect(whoami)


def label(revision: ApiRevision) -> str:
    """How people read a revision: `A`, `B`."""
    return revision.upper()


@dataclass(frozen=True)
class Pin:
    """What a run asks for and where it said so, for the error that names it.

    `source`: `--api-revision b`, or `layers.yaml:LINE:COL: apiRevision b` (empty: layers.yaml,
    line unknown)."""

    setting: RevisionSetting | None = None
    source: str = ""


class RevisionMismatch(ReconcileError):
    """A pinned revision the API does not speak (or a saved plan made against the other one)."""


def settle(pin: Pin, whoami: Whoami) -> ApiRevision:
    """The revision of this run: `decide`, refused when a pinned one is not what the API speaks."""
    spoken = detect(whoami)
    chosen = decide(pin.setting, whoami)
    if chosen != spoken:
        shape = "with" if spoken == "b" else "without"
        where = pin.source or f"apiRevision {chosen} in layers.yaml"
        raise RevisionMismatch(
            f"{where} pins Rev {label(chosen)}, but the API answered "
            f"GET /v1/whoami in Rev {label(spoken)}'s shape ({shape} parentOrganizationId); "
            "nothing was written. Set apiRevision to "
            f"{spoken} or auto (in layers.yaml or with --api-revision), or point --api-url at a "
            f"Rev {label(chosen)} API"
        )
    return chosen
