"""`layers-reconcile links [PATH]`: every link a person must open, for someone to send on.

Lists each outstanding GitHub install and OAuth consent of the workspace (customer, what the
person must do, URL, until when it works). A read-only key lists; a key that may also make
links (github:admin for an install, social:write for a consent, projects:write to record it)
replaces the expired ones, so the list is ready to send.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from layers_reconcile.apply.links import mint_consent, mint_install, store
from layers_reconcile.apply.reserved import reserved_of
from layers_reconcile.apply.steps.base import DEFAULT_RETURN_URL
from layers_reconcile.cli.common import (
    build_client,
    check_customer_filter,
    command_options,
    endpoint_for,
    fail,
    load_or_exit,
    make_console,
    output_options,
    revision_option,
    revision_pin,
    run,
)
from layers_reconcile.cli.exits import ExitCode
from layers_reconcile.cli.scope import reading_progress
from layers_reconcile.client import LayersClient
from layers_reconcile.config import Workspace
from layers_reconcile.config.times import instant_text
from layers_reconcile.errors import ApiError, ReconcileError
from layers_reconcile.plan.links import github_key, recorded
from layers_reconcile.plan.model import LINKED_GATES, Action, CustomerPlan, Plan, Step
from layers_reconcile.plan.planner import RunScope, make_plan
from layers_reconcile.plan.targets import GithubTarget, SocialTarget
from layers_reconcile.printable import json_printable, printable, printable_value

PERSON_KINDS = LINKED_GATES
# What making (and recording) a link needs, by kind.
SCOPES = {
    "github_install": ("github:admin", "projects:write"),
    "social_oauth": ("social:write", "projects:write"),
}


@dataclass
class LinkRow:
    customer: str
    address: str
    kind: str  # github_install | social_oauth
    todo: str  # what the person must do
    url: str | None
    expires_at: str | None
    status: str  # valid | new | expired | missing
    note: str | None = None  # why no valid URL is shown

    def document(self) -> dict[str, Any]:
        raw = asdict(self)
        return {
            "customer": raw["customer"],
            "address": raw["address"],
            "kind": raw["kind"],
            "todo": raw["todo"],
            "url": raw["url"],
            "expiresAt": raw["expires_at"],
            "status": raw["status"],
            "note": raw["note"],
        }


@click.command()
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)
@click.option(
    "--no-renew",
    is_flag=True,
    help="Only list; do not replace expired links (also implied by a read-only key).",
)
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only this customer.")
@click.option("--api-url", help="Same as the global --api-url.")
@click.option("--api-key", help="Same as the global --api-key (prefer LAYERS_API_KEY).")
@click.option("--emulator", "use_emulator", is_flag=True, help="Same as the global --emulator.")
@revision_option
@output_options
@click.pass_context
def links(
    ctx: click.Context,
    path: Path,
    output_format: str,
    no_renew: bool,
    customers: tuple[str, ...],
    api_url: str | None,
    api_key: str | None,
    use_emulator: bool,
) -> None:
    """List the links people must open (GitHub installs, social consents) for the workspace at
    PATH, and replace the expired ones when the key may (exit 0; 1 on error)."""
    options = command_options(
        ctx, customers=customers, api_url=api_url, api_key=api_key, emulator=use_emulator
    )
    console = make_console(options)
    errors = make_console(options, stderr=True)
    workspace = load_or_exit(ctx, path, errors)
    check_customer_filter(ctx, errors, workspace, options.customers, False)
    try:
        with (
            endpoint_for(options, workspace) as endpoint,
            reading_progress(errors, options.runtime) as progress,
        ):

            async def listed() -> list[LinkRow]:
                async with build_client(endpoint, options.runtime) as client:
                    now = datetime.now(UTC)
                    plan = await make_plan(
                        client,
                        workspace,
                        RunScope(customers=options.customers, partial=workspace.partial),
                        now=now,
                        revision=revision_pin(options, workspace),
                        observer=progress,
                    )
                    granted = await _scopes(client)
                    rows = await collect(
                        client,
                        plan,
                        granted=granted,
                        renew=not no_renew,
                        emulator=endpoint.emulator,
                    )
                    if "github:admin" not in _missing(granted, "github_install"):
                        return rows
                    return await with_unchecked_installs(client, plan, workspace, rows, now)

            rows = run(listed())
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    if output_format == "json":
        doc = {"links": [r.document() for r in rows]}
        click.echo(json_printable(json.dumps(doc, indent=2, ensure_ascii=False)))
    else:
        zones = {c.spec.customerExternalId: c.spec.project.timezone for c in workspace.customers}
        zones = {printable(k): v for k, v in zones.items()}
        console.print(render_rows(printable_value(rows), zones), end="")
    ctx.exit(ExitCode.OK)


async def _scopes(client: LayersClient) -> frozenset[str]:
    who = await client.whoami()
    return frozenset(who.scopes)


def _missing(granted: frozenset[str], kind: str) -> list[str]:
    if "*" in granted:
        return []
    return [s for s in SCOPES[kind] if s not in granted]


def person_steps(plan: Plan) -> list[tuple[CustomerPlan, Step]]:
    return [
        (c, s)
        for c in plan.customers
        for s in c.steps
        if s.action == Action.WAIT_ON_PERSON and s.person and s.person.kind in PERSON_KINDS
    ]


async def collect(
    api: LayersClient, plan: Plan, *, granted: frozenset[str], renew: bool, emulator: bool
) -> list[LinkRow]:
    """One row per person-gated link; expired or missing ones are made anew when allowed."""
    rows = []
    for customer, step in person_steps(plan):
        assert step.person is not None
        row = LinkRow(
            customer=customer.customer_external_id,
            address=step.address,
            kind=step.person.kind,
            todo=step.person.message,
            url=step.person.url,
            expires_at=step.person.expires_at,
            status="valid" if step.person.url else "expired",
        )
        rows.append(row)
        if row.url:
            continue
        if not step.person.expires_at:
            row.status = "missing"  # never made (no apply reached this step yet)
        if not renew:
            row.note = "not replaced (--no-renew)"
            continue
        if customer.project_id is None:
            row.note = "the project does not exist yet: run apply, which makes the link"
            continue
        lacking = _missing(granted, step.person.kind)
        if lacking:
            row.note = f"not replaced: the key lacks {', '.join(lacking)}"
            continue
        target = step.target
        if not isinstance(target, GithubTarget | SocialTarget):
            continue  # person_steps: a GitHub install or a consent
        return_url = target.returnUrl or (DEFAULT_RETURN_URL if emulator else None)
        if not return_url:
            row.note = "not replaced: the file names no returnUrl for it"
            continue
        # A customer in a child organization: its links are made inside it, as apply does.
        where = api.inside(customer.organization_id) if customer.organization_id else api
        try:
            if isinstance(target, GithubTarget):
                link = await mint_install(where, return_url=return_url, org=target.org)
            else:
                link = await mint_consent(
                    where,
                    project_id=customer.project_id,
                    platform=target.platform,
                    return_url=return_url,
                    reauth=target.socialAccountId,
                )
            await store(where, customer.project_id, link)
        except ApiError as exc:
            row.note = f"not replaced: {exc}"
            continue
        row.url, row.expires_at, row.status = link.url, link.expires_at, "new"
    return rows


async def with_unchecked_installs(
    api: LayersClient, plan: Plan, workspace: Workspace, rows: list[LinkRow], now: datetime
) -> list[LinkRow]:
    """`rows` and, for a key without github:admin (the plan cannot tell whether an install is
    still needed), the GitHub install link apply recorded on each customer's project while its
    ingest, which needs the installation, is still to run: a read-only key lists it rather
    than leaving it out (one project read per such customer)."""
    specs = {c.spec.customerExternalId: c.spec for c in workspace.customers}
    listed = {r.address for r in rows}
    found: list[LinkRow] = []
    for customer in plan.customers:
        spec = specs.get(customer.customer_external_id)
        gh = spec.github if spec is not None else None
        address = f"{customer.customer_external_id}/github"
        ingesting = any(
            s.address == f"{customer.customer_external_id}/ingest" for s in customer.steps
        )
        if gh is None or gh.installationId is not None or customer.project_id is None:
            continue
        if address in listed or not ingesting:
            continue
        where = api.inside(customer.organization_id) if customer.organization_id else api
        link = recorded(reserved_of(await where.get_project(customer.project_id)), github_key())
        if link is None:
            continue
        org = gh.repo.split("/", 1)[0]
        valid = link.valid_at(now)
        why = "not checked whether it is still needed: the key lacks github:admin"
        found.append(
            LinkRow(
                customer=customer.customer_external_id,
                address=address,
                kind="github_install",
                todo=f"someone with admin rights on {org!r} installs the Layers GitHub App",
                url=link.url if valid else None,
                expires_at=link.expires_at,
                status="valid" if valid else "expired",
                note=why if valid else f"not replaced, and {why}",
            )
        )
    order = {c.customer_external_id: i for i, c in enumerate(plan.customers)}
    # the install first within each customer, as apply and plan show it
    return sorted(
        [*found, *rows], key=lambda r: (order.get(r.customer, 0), r.kind != "github_install")
    )


def render_rows(rows: list[LinkRow], zones: dict[str, str | None]) -> Text:
    out = Text()
    if not rows:
        out.append("No outstanding links: nobody has to install or consent to anything.\n")
        return out
    for row in rows:
        out.append(row.customer, style="bold")
        out.append(f"  {row.address}\n", style="dim")
        out.append(f"  to do: {row.todo}\n")
        if row.url:
            out.append(f"  url: {row.url}\n")
            if row.expires_at:
                label = "new, valid until" if row.status == "new" else "valid until"
                shown = instant_text(row.expires_at, zones.get(row.customer))
                out.append(f"  {label}: {shown}\n")
        else:
            out.append(f"  url: none ({row.status})\n", style="yellow")
        if row.note:
            out.append(f"  ! {row.note}\n", style="yellow")
        out.append("\n")
    valid = sum(1 for r in rows if r.url)
    out.append(
        f"{len(rows)} link{'s' if len(rows) != 1 else ''} outstanding, {valid} ready to send.\n"
    )
    return out
