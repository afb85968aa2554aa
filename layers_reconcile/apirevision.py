"""Which revision of the Layers API the tool speaks to, decided once per run.

Rev A is the onboarding guide's (content through one `POST …/content` with `format` + `brief`,
`/approval-policy`, bare ids); Rev B is today's public docs (one generation route per format,
`/content-review-policy`, prefixed ids, sub-organizations). `layers.yaml` may pin one
(`apiRevision: a | b`); `auto` (the default) reads it from the `GET /v1/whoami` every run
already makes, so deciding costs no request.

Neutral: imports nothing of the project but `records`, so the pure diff may use it.
"""

from __future__ import annotations

from typing import Literal, get_args

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
