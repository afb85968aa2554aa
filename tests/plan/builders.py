"""Desired and actual state for diff tests: a customer file read like the loader does, and the
actual state an API would show once that file has been applied (what `observe_customer` reads)."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML

from layers_reconcile.config.models import CustomerSpec, InfluencerSpec
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.config.times import resolve_at
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.ids import (
    RESERVED_KEY,
    brief_hash,
    content_id_for,
    post_id_for,
    project_id_for,
)
from layers_reconcile.records import (
    ApprovalPolicy,
    Container,
    Influencer,
    Installation,
    Model,
    Project,
    ScheduledPost,
    SocialAccount,
)

M = TypeVar("M", bound=Model)


def changed(row: M, *drop: str, **fields: Any) -> M:
    """`row` with `fields` (the API's names) given new values and `drop` left out, parsed again
    (records are frozen, like the answers they are parsed from)."""
    raw = {k: v for k, v in row.raw().items() if k not in drop}
    return type(row).model_validate({**raw, **fields})


NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)
WORKSPACE = WorkspaceSpec(workspace="acme-agency-prod")
API_URL = "https://api.layers.test"


@dataclass(frozen=True)
class LoadedCase:
    """Stands in for `config.LoadedCustomer` so the goldens do not depend on the loader."""

    spec: CustomerSpec
    path: str
    fingerprint: str


def read_yaml(text: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    return yaml.load(StringIO(text))


def loaded(data: dict[str, Any], path: str = "customers/case.yaml") -> LoadedCase:
    spec = CustomerSpec.model_validate(data)
    digest = hashlib.sha256(
        json.dumps(spec.model_dump(exclude_unset=True, mode="json"), sort_keys=True).encode()
    ).hexdigest()
    return LoadedCase(spec=spec, path=path, fingerprint=digest)


def load_case_file(path: Path) -> LoadedCase:
    return loaded(read_yaml(path.read_text()), f"customers/{path.parent.name}.yaml")


def _org(repo: str) -> str:
    return repo.split("/", 1)[0]


def converged(spec: CustomerSpec, *, workspace: str | None = "acme-agency-prod") -> ActualCustomer:
    """The actual state right after a successful apply of `spec`."""
    ext = spec.customerExternalId
    pid = project_id_for(ext)
    project_spec = spec.project.model_dump(exclude_unset=True)
    reserved: dict[str, Any] = {"v": 1, "workspace": workspace}
    project: dict[str, Any] = {
        "id": pid,
        "organizationId": "0b7f5a52-6b55-4d4c-9a9f-2f6a3c0e8e11",
        "name": spec.project.name,
        "status": "active",
        "customerExternalId": ext,
        "timezone": spec.project.timezone or "UTC",
        "primaryLanguage": spec.project.primaryLanguage or "en",
        "ownerEmail": spec.project.ownerEmail,
        "brandContext": None,
        "ingestState": {"github": None, "website": None, "appstore": None},
        "requiresApproval": False,
        "firstNPostsBlocked": None,
        "approvalPolicy": {"requiresApproval": False, "firstNPostsBlocked": 0},
        "metadata": dict(project_spec.get("metadata") or {}),
        "createdAt": "2027-01-10T09:00:00Z",
        "updatedAt": "2027-01-10T09:05:00Z",
    }
    actual = ActualCustomer(customer_external_id=ext)
    if spec.approval is not None:
        policy = {
            "requiresApproval": False,
            "firstNPostsBlocked": 0,
            **spec.approval.model_dump(exclude_unset=True),
        }
        project["approvalPolicy"] = {**policy, "currentBlockedCount": 0}
        project["requiresApproval"] = policy["requiresApproval"]
        project["firstNPostsBlocked"] = policy["firstNPostsBlocked"]
        wanted = spec.approval.model_fields_set
        actual.approval_policy = ApprovalPolicy.model_validate(
            project["approvalPolicy"]
            if wanted <= project["approvalPolicy"].keys()
            else {"projectId": pid, "autoApproveAfter": None, **policy}
        )
    if spec.github is not None:
        gh = spec.github
        installation = gh.installationId or 90000001
        actual.github_installations = [
            Installation.model_validate(
                {
                    "installationId": installation,
                    "orgLogin": _org(gh.repo),
                    "githubAccount": {"login": _org(gh.repo), "type": "Organization"},
                    "status": "active",
                    "registeredAt": "2027-01-10T09:01:00Z",
                }
            )
        ]
        record: dict[str, Any] = {"repo": gh.repo, "jobId": "job_ingest0001", "status": "completed"}
        if "branch" in gh.model_fields_set:
            record["branch"] = gh.branch
        if "platforms" in gh.model_fields_set:
            record["platforms"] = list(gh.platforms or [])
        reserved["ingest"] = record
        project["ingestState"]["github"] = {
            "status": "completed",
            "jobId": "job_ingest0001",
            "completedAt": "2027-01-10T09:07:00Z",
        }
        project["brandContext"] = {
            "appName": "Ingested App",
            "appDescription": "What the ingest found.",
            "tagline": "Ingested tagline.",
            "audience": "Ingested audience.",
            "icp": "Ingested ICP.",
            "brandVoice": "Ingested voice.",
            "keywords": ["ingested"],
            "primaryLanguage": "en",
            "logoUrl": "https://cdn.layers.com/brand/logo.png",
        }
    if spec.brand is not None:
        project["brandContext"] = {
            **(project["brandContext"] or {}),
            **spec.brand.model_dump(exclude_unset=True),
        }
    if spec.influencer is not None:
        name = spec.influencer if isinstance(spec.influencer, str) else spec.influencer.name
        chosen = {
            "influencerId": "inf_00000000-0000-4000-8000-000000000001",
            "name": name,
            "status": "ready",
        }
        if isinstance(spec.influencer, InfluencerSpec):
            chosen.update(
                spec.influencer.model_dump(include={"gender", "ageRange"}, exclude_unset=True)
            )
        actual.influencers = [
            Influencer.model_validate(chosen),
            Influencer.model_validate(
                {
                    "influencerId": "inf_00000000-0000-4000-8000-000000000002",
                    "name": "Default ambassador",
                    "status": "ready",
                }
            ),
        ]
        reserved["influencerId"] = chosen["influencerId"]
    schedules = any(c.schedule for c in (spec.content or {}).values())
    accounts: dict[str, str] = {}
    if spec.social is not None or schedules:
        actual.social_accounts = []
        for n, platform in enumerate(sorted(spec.social or {}), start=1):
            account = f"sa_00000000-0000-4000-8000-00000000010{n}"
            accounts[platform] = account
            actual.social_accounts.append(
                SocialAccount.model_validate(
                    {
                        "socialAccountId": account,
                        "platform": platform,
                        "handle": f"@{ext}-{platform}",
                        "status": "connected",
                        "leased": False,
                        "connectedAt": "2027-01-11T10:00:00Z",
                    }
                )
            )
    if spec.content is not None:
        requires = bool((spec.approval and spec.approval.requiresApproval) or False)
        actual.content = []
        actual.scheduled_posts = [] if (schedules or spec.content) else None
        contents: dict[str, Any] = {}
        for key in spec.content:
            c = spec.content[key]
            first = content_id_for(pid, key)
            ids = [first] + [
                f"cnt_{hashlib.sha256(f'{first}/{v}'.encode()).hexdigest()[:24]}"
                for v in range(2, c.variants + 1)
            ]
            contents[key] = {
                "containerIds": ids,
                "jobId": f"job_content_{key}",
                "briefHash": brief_hash(c.brief.model_dump(exclude_unset=True)),
                "format": c.format,
                "variants": c.variants,
            }
            for cid in ids:
                actual.content.append(
                    Container.model_validate(
                        {
                            "id": cid,
                            "status": "completed",
                            "format": "video_remix" if c.format == "auto" else c.format,
                            "approvalStatus": "approved" if requires else "not_required",
                            "createdAt": "2027-01-12T10:00:00Z",
                        }
                    )
                )
            for entry in c.schedule:
                when = resolve_at(entry.at, spec.project.timezone)
                assert actual.scheduled_posts is not None
                actual.scheduled_posts.append(
                    ScheduledPost.model_validate(
                        {
                            "id": post_id_for(pid, key, entry.account, entry.variant, entry.id),
                            "containerId": ids[entry.variant - 1],
                            "socialAccountId": accounts.get(entry.account),
                            "platform": entry.account,
                            "mode": entry.mode,
                            "status": "queued",
                            "scheduledFor": when.isoformat().replace("+00:00", "Z"),
                        }
                    )
                )
        reserved["content"] = contents
    project["metadata"][RESERVED_KEY] = reserved
    actual.project = Project.model_validate(project)
    return actual


def edited(actual: ActualCustomer) -> ActualCustomer:
    """A deep copy to change behind the tool's back."""
    return ActualCustomer.model_validate(copy.deepcopy(actual.model_dump(by_alias=True)))
