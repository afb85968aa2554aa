"""`layers-reconcile import --update PATH`: write what people changed in Layers back into the
existing customer files (comments, key order and layout kept; untouched files not rewritten)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from layers_reconcile.apply.import_update import edits_for, pinned_influencers
from layers_reconcile.cli.common import (
    build_client,
    endpoint_for,
    fail,
    load_or_exit,
    revision_pin,
)
from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.cli.exits import ExitCode
from layers_reconcile.cli.scope import reading_progress
from layers_reconcile.cli.writes import write_whole
from layers_reconcile.config.yamledit import set_values
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.ids import bare_id
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import RunScope, make_plan


def update_files(
    ctx: click.Context, path: Path, options: GlobalOptions, console: Console, errors: Console
) -> None:
    workspace = load_or_exit(ctx, path, errors)
    try:
        with (
            endpoint_for(options, workspace) as endpoint,
            reading_progress(errors, options.runtime) as progress,
        ):

            async def observe() -> tuple[Plan, dict[str, str]]:
                async with build_client(endpoint, options.runtime) as client:
                    plan = await make_plan(
                        client,
                        workspace,
                        RunScope(customers=options.customers, partial=workspace.partial),
                        now=datetime.now(UTC),
                        revision=revision_pin(options, workspace),
                        observer=progress,
                    )
                    names: dict[str, str] = {}
                    for customer in plan.customers:
                        if customer.project_id and pinned_influencers(customer):
                            for item in await client.list_influencers(customer.project_id):
                                if item.name:
                                    names[item.id] = names[bare_id(item.id) or item.id] = item.name
                    return plan, names

            plan, names = asyncio.run(observe())
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    files = {c.spec.customerExternalId: Path(c.path) for c in workspace.customers}
    written = 0
    for customer in plan.customers:
        edits = edits_for(customer, names)
        file = files.get(customer.customer_external_id)
        if not edits or file is None:
            continue
        try:
            # newline="": the file's own line endings reach set_values, which keeps them.
            with file.open(encoding="utf-8", newline="") as stream:
                before = stream.read()
            after = set_values(before, edits)
            if after != before:
                write_whole(file, after, newline="")
                written += 1
        except (OSError, ValueError) as exc:
            fail(ctx, errors, ReconcileError(f"{file}: cannot update it: {exc}"))
        if after != before:
            fields = ", ".join(str(e) for e in edits)
            console.print(Text(f"updated  {file}: {fields}", style="green"))
    console.print(
        f"{written} customer file{'s' if written != 1 else ''} updated from what changed in "
        f"Layers; review the diff, then commit it."
    )
    ctx.exit(ExitCode.OK)
