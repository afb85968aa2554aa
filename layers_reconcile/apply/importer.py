"""`import`: desired state written back from actual state, so existing projects can be adopted.

For each active project with a `customerExternalId` it builds the mapping of a customer file:
the project's own fields and user metadata, the approval policy, the GitHub repo the tool
ingested (and the installation registered for its org), the pinned influencer, the connected
social platforms, and the content the tool recorded in its reserved key with the briefs and
schedule entries that made it. Brand context is left out (ingest wrote it; overrides are the
user's to add). What cannot be traced back is listed in `notes`, never guessed.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from layers_reconcile.apply.reserved import Reserved, reserved_of, user_metadata
from layers_reconcile.client import LayersClient
from layers_reconcile.config.fieldtypes import ORG_EXTERNAL_ID_KEY
from layers_reconcile.errors import AuthError, NotFoundError, leaf_exception
from layers_reconcile.plan import orgs
from layers_reconcile.plan.ids import bare_id
from layers_reconcile.plan.installations import covering
from layers_reconcile.plan.links import github_key, recorded, social_key
from layers_reconcile.plan.model import CustomerPlan
from layers_reconcile.plan.orgs import ARCHIVED
from layers_reconcile.plan.planner import DEFAULT_PARALLELISM
from layers_reconcile.plan.progress import UNOBSERVED, PlanObserver
from layers_reconcile.plan.rounds import Entry, round_of
from layers_reconcile.records import (
    ApprovalPolicy,
    ContentRecord,
    CreditLimits,
    Installation,
    Organization,
    Project,
    ScheduledPost,
)
from layers_reconcile.revb import approval_of, file_mode

JsonDict = dict[str, Any]
TODO_SOCIAL = (
    "TODO returnUrl: where the customer lands after consenting (a real Layers API needs one)"
)
TODO_GITHUB = (
    "TODO returnUrl: where someone lands after installing the GitHub App (a real Layers API "
    "needs one)"
)
BRIEF_FIELDS = (
    "hook",
    "cta",
    "topic",
    "angle",
    "valuePropositions",
    "targetPlatforms",
    "themeTags",
    "language",
)


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_MAX = 80
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)]
)


def file_stem(customer_external_id: str, *, hashed: bool = False) -> str:
    """The name (without `.yaml`) of the file `import` writes for a customer: the id itself when
    it is a plain name (letters, digits, '.', '_', '-'), else a slug of it and a short hash of
    the id, so that no id, however crafted (`../../x`, an ESC, a newline), leaves the folder or
    makes a name that acts on a terminal, and two ids never share a file. `hashed`: the hash
    even for a plain name (one that differs from another only in case: `Acme`, `acme`); a
    name Windows keeps for a device (`CON`, `aux.x`, `COM1`) always gets it, its dots made
    dashes (`aux-x-…`: Windows reads `aux.x-…` as the device too)."""
    slug = _UNSAFE_IN_NAME.sub("-", customer_external_id).strip("-.")[:_NAME_MAX]
    device = slug.split(".", 1)[0].upper() in _WINDOWS_DEVICES  # `CON.yaml`: no file there
    if slug == customer_external_id and not hashed and not device:
        return slug
    if device:
        slug = slug.replace(".", "-")
    digest = hashlib.sha256(customer_external_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{slug or 'customer'}-{digest[:8]}"


@dataclass
class Imported:
    customer_external_id: str
    project_id: str
    data: JsonDict
    notes: list[str] = field(default_factory=list)
    workspace: str | None = None  # the workspace stamped in the project's reserved key
    # (path of a key, comment): a value import could not learn, written as a TODO at that key
    todos: list[tuple[tuple[str, ...], str]] = field(default_factory=list)


async def import_customers(
    client: LayersClient,
    *,
    customers: Collection[str] = (),
    parallelism: int = DEFAULT_PARALLELISM,
    observer: PlanObserver = UNOBSERVED,
) -> list[Imported]:
    """Every importable customer, sorted by customerExternalId. The reads every customer shares
    come first (the projects list, the installations, Rev B's child organizations); then each
    customer's own reads, `parallelism` customers at once through the one client (its pacer and
    retries), `observer` told how many there are and each one as it is read. The first read
    that fails stops the others and is raised: nothing is imported then."""
    api = client
    rows = await api.list_projects(status="active")
    wanted = set(customers)
    chosen = [
        r
        for r in rows
        if r.customer_external_id and (not wanted or r.customer_external_id in wanted)
    ]
    installations = await _installations(api)
    children = await _child_organizations(api, wanted)
    gate = asyncio.Semaphore(max(1, parallelism))

    async def one(row: Project) -> Imported:
        async with gate:
            project = await api.get_project(row.id)
            made = await _customer(api, project, installations)
        observer.planned(
            CustomerPlan(customer_external_id=made.customer_external_id, project_id=made.project_id)
        )
        return made

    async def child(organization: Organization) -> Imported | None:
        async with gate:
            made = await _child(api, organization, installations)
        ext = str(organization.meta(ORG_EXTERNAL_ID_KEY))
        observer.planned(
            CustomerPlan(customer_external_id=ext, project_id=made and made.project_id)
        )
        return made

    observer.reading(len(chosen) + len(children))
    try:
        async with asyncio.TaskGroup() as group:
            flat = [
                group.create_task(one(r))
                for r in sorted(chosen, key=lambda r: str(r.customer_external_id))
            ]
            inside = [group.create_task(child(c)) for c in children]
    except BaseExceptionGroup as failed:
        raise leaf_exception(failed) from None
    out = [t.result() for t in flat]
    out += [made for t in inside if (made := t.result()) is not None]
    return sorted(out, key=lambda i: i.customer_external_id)


async def _installations(api: LayersClient) -> list[Installation] | None:
    """The account's GitHub installations; None for a read-only key (import works without the
    installation ids)."""
    try:
        return await api.installations()
    except AuthError as exc:
        if exc.code != "FORBIDDEN_SCOPE":
            raise
        return None


async def _child_organizations(api: LayersClient, wanted: Collection[str]) -> list[Organization]:
    """The live child organizations naming a customer (Rev B), in id order: each one's project
    is read inside it, with the `organization:` block from the child (`_child`). Left out,
    their files would be missing, and a `--prune` of the imported workspace would archive
    every child."""
    if api.revision != "b":
        return []
    try:
        children = await api.list_organizations()
    except AuthError as exc:
        if exc.code != "FORBIDDEN_SCOPE":
            raise
        return []  # without org:admin no child can be read (nor archived by a --prune)
    out = []
    for child in sorted(children, key=lambda c: c.id):
        ext = child.meta(ORG_EXTERNAL_ID_KEY)
        if child.status == ARCHIVED or not ext or (wanted and ext not in wanted):
            continue
        out.append(child)
    return out


async def _child(
    api: LayersClient, child: Organization, installations: list[Installation] | None
) -> Imported | None:
    """The customer of a child organization: its active project read inside it, and the
    `organization:` block from the child (name, billing email, the partner's metadata, credit
    config, the transfers its ledger holds, suspended); None when it holds no active project."""
    ext = str(child.meta(ORG_EXTERNAL_ID_KEY))
    inside = api.inside(child.id)
    rows = [r for r in await inside.find_projects(ext) if (r.status or "active") == "active"]
    if not rows:
        return None
    project = await inside.get_project(rows[0].id)
    imported = await _customer(inside, project, installations)
    block = await _organization(api, child)
    data = imported.data
    # the block right after `project:` (a file reads customer, project, organization, …)
    imported.data = dict([*list(data.items())[:2], ("organization", block)]) | data
    return imported


async def _organization(api: LayersClient, child: Organization) -> JsonDict:
    block: JsonDict = {"name": child.name}
    if child.billing_email:
        block["billingEmail"] = child.billing_email
    partner = orgs.partner_metadata(child)
    if partner:
        block["metadata"] = partner
    config = (await api.get_credit_config(child.id)).limits or CreditLimits()
    credits: JsonDict = {}
    if config.monthly_credit_cap is not None:
        credits["monthlyCap"] = config.monthly_credit_cap
    threshold, amount = config.refill_threshold, config.refill_amount
    if threshold is not None and amount is not None:
        credits["autoRefill"] = {"threshold": threshold, "amount": amount}
    done = orgs.carried_out(await api.list_allocations(child.id))
    if done:  # carried out: written so the file's history is the ledger's; they move nothing
        credits["transfers"] = [{"id": k, "credits": v} for k, v in sorted(done.items())]
    if credits:
        block["credits"] = credits
    if child.status == "suspended":
        block["suspended"] = True
    return block


async def _customer(
    api: LayersClient, project: Project, installations: list[Installation] | None
) -> Imported:
    pid = project.id
    ext = str(project.customer_external_id)
    reserved = reserved_of(project)
    stamp = reserved.get("workspace")
    result = Imported(ext, pid, {"customerExternalId": ext})
    result.workspace = stamp if isinstance(stamp, str) and stamp else None
    data = result.data
    data["project"] = _project(project)
    data["approval"] = _approval(
        ApprovalPolicy.model_validate(approval_of(await api.get_review_policy(pid)))
        if api.revision == "b"
        else _policy_of(project)
    )
    github = _github(reserved, installations, result.notes)
    if github:
        data["github"] = github
        if "returnUrl" not in github and "installationId" not in github:
            result.todos.append((("github",), TODO_GITHUB))
    influencer = await _influencer(api, pid, reserved)
    if influencer:
        data["influencer"] = influencer
    accounts = await api.list_social_accounts(pid)
    platforms = sorted({a.platform for a in accounts if a.platform and a.status == "connected"})
    if platforms:
        social: JsonDict = {}
        for platform in platforms:
            learned = _return_url(reserved, social_key(platform))
            social[platform] = {"returnUrl": learned} if learned else {}
            if not learned:
                result.todos.append((("social", platform), TODO_SOCIAL))
        data["social"] = social
    content = await _content(api, pid, reserved, result.notes)
    if content:
        data["content"] = content
    return result


def _project(project: Project) -> JsonDict:
    out: JsonDict = {"name": project.name}
    for name, value in (
        ("timezone", project.timezone),
        ("primaryLanguage", project.primary_language),
        ("ownerEmail", project.owner_email),
    ):
        if value is not None:
            out[name] = value
    metadata = user_metadata(project)
    if metadata:
        out["metadata"] = metadata
    return out


def _approval(policy: ApprovalPolicy) -> JsonDict:
    """The file's `approval:` from the policy Layers has: a field it does not hold as its type
    (a number, a duration) is left out, as `requiresApproval` not a boolean reads as false."""
    out: JsonDict = {"requiresApproval": bool(policy.requires_approval)}
    if policy.first_n_posts_blocked is not None:
        out["firstNPostsBlocked"] = policy.first_n_posts_blocked
    if policy.auto_approve_after is not None:
        out["autoApproveAfter"] = policy.auto_approve_after
    return out


def _policy_of(project: Project) -> ApprovalPolicy:
    """Rev A's policy: the one the row embeds, else the row's own fields."""
    embedded = project.approval_policy
    if embedded is not None and embedded.values():
        return embedded
    flat = {
        "requiresApproval": project.requires_approval,
        "firstNPostsBlocked": project.first_n_posts_blocked,
        "autoApproveAfter": project.auto_approve_after,
    }
    return ApprovalPolicy.model_validate(flat)


def _github(
    reserved: Reserved, installations: list[Installation] | None, notes: list[str]
) -> JsonDict:
    """`installations` None: not readable with this key (no github:admin)."""
    ingest = reserved.get("ingest") or {}
    repo = ingest.get("repo")
    if not repo:
        return {}
    out: JsonDict = {}
    org = str(repo).split("/")[0].lower()
    installation = covering(installations or [], org)
    if installation is not None:
        out["installationId"] = installation.installation_id
    out["repo"] = repo
    learned = _return_url(reserved, github_key())
    if learned:
        out["returnUrl"] = learned
    if ingest.get("branch"):
        out["branch"] = ingest["branch"]
    platforms = ingest.get("platforms")
    if platforms:
        out["platforms"] = list(platforms)
    if installations is None:
        notes.append(
            f"the key lacks github:admin, so the installation of {org} was not read: add "
            "github.installationId (or github.returnUrl) if it is not registered yet"
        )
    elif "installationId" not in out and "returnUrl" not in out:
        notes.append(f"no registered installation covers {org}: add github.returnUrl")
    return out


def _return_url(reserved: Reserved, key: str) -> str | None:
    """The return URL of the last link the tool made for this gate (kept in the reserved key)."""
    link = recorded(reserved, key)
    return link.return_url if link is not None and link.return_url else None


async def _influencer(api: LayersClient, pid: str, reserved: Reserved) -> str | None:
    pinned = reserved.get("influencerId")
    if not pinned:
        return None
    for influencer in await api.list_influencers(pid):
        if bare_id(influencer.id) == bare_id(pinned):
            return influencer.name or str(pinned)
    return str(pinned)


async def _content(api: LayersClient, pid: str, reserved: Reserved, notes: list[str]) -> JsonDict:
    recorded = reserved.get("content") or {}
    if not recorded:
        return {}
    posts = await api.list_scheduled_posts(pid)
    out: JsonDict = {}
    for key in sorted(recorded):
        entry = recorded[key] or {}
        ids = [str(i) for i in entry.get("containerIds") or []]
        if not ids:
            continue
        try:
            first = await api.get_content(ids[0])
        except NotFoundError:
            notes.append(f"content {key!r}: its containers are gone; left out")
            continue
        raw_brief = first.brief or {}
        brief = {k: raw_brief[k] for k in BRIEF_FIELDS if raw_brief.get(k) is not None}
        item: JsonDict = {
            "format": entry.get("format") or first.format or "auto",
            "variants": int(entry.get("variants") or len(ids)),
            "brief": brief,
        }
        if first.tiktok_video_id:  # Rev B: the post a remix started from
            item["source"] = {"tiktokVideoId": first.tiktok_video_id}
        statuses = []
        for cid in ids:
            container = first if cid == ids[0] else await api.get_content(cid)
            statuses.append(container.approval_status)
        if statuses and all(s == "approved" for s in statuses):
            item["approve"] = True
        schedule = _schedule(pid, key, ids, entry, posts, notes)
        if schedule:
            item["schedule"] = schedule
        out[key] = item
    return out


def _schedule(
    pid: str,
    key: str,
    ids: list[str],
    entry: ContentRecord,
    posts: Sequence[ScheduledPost],
    notes: list[str],
) -> list[JsonDict]:
    names = {bare_id(k): v for k, v in (entry.get("entryIds") or {}).items()}
    index = {bare_id(c): i + 1 for i, c in enumerate(ids)}
    present = {bare_id(p.id) for p in posts}
    out = []
    for post in sorted(posts, key=lambda p: (str(p.scheduled_for), p.id)):
        variant = index.get(bare_id(post.container_id))
        if variant is None or post.status == "canceled":
            continue
        account = str(post.platform)
        entry_id = names.get(bare_id(post.id))
        if round_of(Entry(pid, key, account, variant, entry_id), post.id, present) is None:
            notes.append(
                f"content {key!r}: post {post.id} was not scheduled by this tool; "
                "left out (a plan would cancel it if it is still queued)"
            )
            continue
        item: JsonDict = {}
        if entry_id:
            item["id"] = entry_id
        item.update(account=account, mode=file_mode(post.mode, account), at=post.scheduled_for)
        if variant != 1:
            item["variant"] = variant
        if post.caption_override:
            item["captionOverride"] = post.caption_override
        out.append(item)
    return out
