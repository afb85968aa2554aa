"""A project and what hangs off it: the key (`Whoami`), installations, social accounts,
influencers, consent URLs, and the approval and review policies.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ModelWrapValidatorHandler,
    PrivateAttr,
    Strict,
    model_serializer,
    model_validator,
)

from layers_reconcile.records.base import (
    JsonObject,
    Model,
    Number,
    Object,
    Strings,
    Text,
    bool_or_none,
    id_from,
    int_or_none,
    object_or_none,
    sent,
    text_or_none,
)
from layers_reconcile.records.content import IngestRun, IngestState
from layers_reconcile.statuses import (
    InfluencerStatusField,
    InstallationStatusField,
    OAuthStatusField,
    ProjectStatusField,
    SocialAccountStatusField,
)


class Project(Model):
    """One project row (`GET /v1/projects/:id`, a list item, a create's or a PATCH's answer).

    `customer_external_id` is on every row (None: unbound). A list item may leave out the
    embedded objects (`metadata`, `approval_policy`, `brand_context`, `ingest_state`): which
    were sent is `model_fields_set`. Besides `metadata` (checked: the tool's record lives
    there), a field of the wrong type reads as absent."""

    id: Annotated[str, Strict()]
    customer_external_id: Annotated[str | None, Strict()]
    name: Annotated[str | None, Strict()] = None
    status: ProjectStatusField = None
    status_sent: Text = sent("status")
    metadata: JsonObject | None = None
    approval_policy: Annotated[ApprovalPolicy | None, BeforeValidator(object_or_none)] = None
    brand_context: Object = None
    ingest_state: Annotated[IngestState | None, BeforeValidator(object_or_none)] = None
    requires_approval: Annotated[bool | None, BeforeValidator(bool_or_none)] = None
    timezone: Text = None
    primary_language: Text = None
    owner_email: Text = None
    first_n_posts_blocked: Annotated[int | None, BeforeValidator(int_or_none)] = None
    auto_approve_after: Text = None

    @property
    def github_ingest(self) -> IngestRun | None:
        """`ingestState.github`, parsed with the row (None: no ingest, or not an object)."""
        return None if self.ingest_state is None else self.ingest_state.github


class Whoami(Model):
    """`GET /v1/whoami`: the key's scopes and rate-limit tier (None: unpaced)."""

    scopes: Strings = ()
    rate_limit_tier: Text = None
    organization_id: Text = None
    # Rev B only (null for a top-level organization); its presence marks Rev B (`apirevision`).
    parent_organization_id: Text = None


class Installation(Model):
    """One registered GitHub installation; `login` is the account it is on (Rev A `orgLogin`,
    else `githubAccount.login`); `status` None: registered (the API names no status)."""

    installation_id: Annotated[int, Strict()] | Annotated[str, Strict()]
    login: Text = None
    status: InstallationStatusField = None
    status_sent: Text = sent("status")

    @model_validator(mode="before")
    @classmethod
    def _login(cls, value: Any) -> Any:
        if not isinstance(value, dict) or isinstance(value.get("login"), str):
            return value
        login = value.get("orgLogin")
        account = value.get("githubAccount")
        if not (isinstance(login, str) and login) and isinstance(account, dict):
            login = account.get("login")
        return {**value, "login": login} if isinstance(login, str) and login else value


class InstallationAnswer(Installation):
    """`GET|POST /v1/github/installation`: the latest registration; the emulator also lists
    every registration (`installations`)."""

    installations: list[JsonObject] | None = None
    items: Any = None


class SocialAccount(Model):
    """One connected social account; `id` is Rev A's `socialAccountId` or Rev B's `id`."""

    id: Annotated[str, Strict()]
    platform: Text = None
    status: SocialAccountStatusField = None
    status_sent: Text = sent("status")
    handle: Text = None

    _canonical = model_validator(mode="before")(id_from("socialAccountId", "id"))


class Influencer(Model):
    """One influencer; `id` is Rev A's `influencerId` or Rev B's `id`."""

    id: Annotated[str, Strict()]
    name: Text = None
    status: InfluencerStatusField = None
    status_sent: Text = sent("status")
    error_message: Text = None

    _canonical = model_validator(mode="before")(id_from("influencerId", "id"))


class ConsentUrl(Model):
    """An install or OAuth URL to show a person (`GET install-url`, `POST oauth-url|reauth-url`)."""

    authorize_url: Text = None  # also spelled `installUrl` or `authUrl`
    state: Text = None
    expires_at: Text = None

    @model_validator(mode="before")
    @classmethod
    def _url(cls, value: Any) -> Any:
        if not isinstance(value, dict) or text_or_none(value.get("authorizeUrl")):
            return value
        other = text_or_none(value.get("installUrl")) or text_or_none(value.get("authUrl"))
        return {**value, "authorizeUrl": other} if other else value


class OAuthStatus(Model):
    """`GET /v1/projects/:id/social/oauth-status`: pending, completed or failed."""

    status: OAuthStatusField = None
    status_sent: Text = sent("status")
    social_account_id: Text = None


class ApprovalPolicy(Model):
    """`GET|PATCH /v1/projects/:id/approval-policy`, the policy a Rev A project row embeds, or
    Rev B's review policy in the file's words (`revb.approval_of`).

    Its fields mirror the file's `approval:`. The three the tool reads are parsed once, here (a
    value of the wrong type reads as None); the policy as sent is kept too (`values()`, what
    every dump gives back): the diff compares the file's fields with it by name, so a value the
    API sent of the wrong type shows as it was sent. Built by `model_validate` from the API's
    (the file's) names."""

    requires_approval: Annotated[bool | None, BeforeValidator(bool_or_none)] = None
    first_n_posts_blocked: Annotated[int | None, BeforeValidator(int_or_none)] = None
    auto_approve_after: Text = None
    _sent: JsonObject = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_sent(cls, value: Any, handler: ModelWrapValidatorHandler[ApprovalPolicy]) -> Any:
        policy = handler(value)
        if isinstance(value, dict):
            policy._sent = dict(value)
        return policy

    @model_serializer(mode="plain")
    def _as_sent(self) -> JsonObject:
        return self.values()

    def values(self) -> JsonObject:
        """The policy as the API sent it (the file's names)."""
        return dict(self._sent)


class ReviewPolicy(Model):
    """Rev B's `GET|PATCH /v1/projects/:id/content-review-policy` (CONTRACT-revb.md §6.3):
    `auto_approve | review_first_n | review_all`, `firstN` with `review_first_n` only;
    `pendingCount` is read-only. `revb` maps it to and from the file's `approval:`."""

    policy: Text = None  # absent: never set, which Layers answers as auto_approve
    first_n: Number = None
    pending_count: Number = None
