"""The options `plan` and `apply` share for CI: `--changed-since`, `--shard`, `--max-credits`,
and what a run records and writes for GitHub (the job summary, the tool version and commit)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from layers_reconcile import __version__
from layers_reconcile.cli.common import Endpoint, build_client, fail, noted
from layers_reconcile.cli.output import scrubbed
from layers_reconcile.config.gitdiff import changed_since, head_commit
from layers_reconcile.config.loader import SETTINGS_NAMES, Workspace
from layers_reconcile.config.scope import Shard, in_shard, parse_shard, touched
from layers_reconcile.errors import ConfigError, ReconcileError
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import DEFAULT_PRUNE_CAP, check_prune, make_plan
from layers_reconcile.plan.return_urls import missing_return_urls

F = TypeVar("F", bound=Callable[..., Any])


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


def scope_options(command: F) -> F:
    command = click.option(
        "--shard",
        callback=_shard,
        metavar="I/N",
        help="Only shard I of N (a stable split by customerExternalId, for a CI matrix); "
        "paces itself to 1/N of the rate tier.",
    )(command)
    return click.option(
        "--changed-since",
        metavar="REF",
        help="Only the customers whose files changed since the git REF (and the files deleted "
        "since); a change to layers.yaml covers every customer.",
    )(command)


def ownership_options(command: F) -> F:
    """`--prune`, `--max-archives` and `--take-over`: what a run may do to projects that are not
    plainly this workspace's (plan shows it, apply does it)."""
    command = click.option(
        "--take-over",
        metavar="WORKSPACE",
        help="Adopt the projects that workspace WORKSPACE stamped (they are conflicts otherwise).",
    )(command)
    command = click.option(
        "--max-archives",
        type=click.IntRange(min=1),
        default=DEFAULT_PRUNE_CAP,
        show_default=True,
        help="With --prune: archive at most this many projects in one run.",
    )(command)
    return click.option(
        "--prune",
        is_flag=True,
        help="Archive the projects stamped with this workspace whose file is gone.",
    )(command)


@dataclass(frozen=True)
class Scope:
    """The customers a run covers."""

    customers: tuple[str, ...]  # for make_plan: () = the whole workspace
    # for make_plan: the customers of the files deleted since the ref (None: the usual orphans)
    orphans_of: tuple[str, ...] | None
    changed_since: str | None
    skipped: int | None
    shard: Shard | None
    everything: bool = False  # layers.yaml changed: the whole workspace, as without a filter
    whole_shard: bool = False  # a shard of the whole workspace: it lists its share of orphans
    settings_changed: bool = False  # layers.yaml changed since the ref: every customer planned

    @property
    def orphans_in(self) -> Callable[[str], bool] | None:
        """For make_plan: the orphans this shard lists (None: not a shard of everything)."""
        return self.shard.holds if self.whole_shard and self.shard is not None else None

    @property
    def empty(self) -> bool:
        """Nothing to plan at all: a filtered selection that selected nobody."""
        filtered = self.changed_since is not None or self.shard is not None
        # A shard with no customer file may still hold orphans.
        return filtered and not self.customers and not self.everything and not self.whole_shard

    @property
    def rate_share(self) -> float:
        return 1.0 / self.shard.count if self.shard else 1.0

    def stamp(self, plan: Plan, workspace: Workspace) -> Plan:
        """Record the tool, the commit and what the plan covers in the plan itself."""
        return plan.model_copy(
            update={
                "tool_version": __version__,
                "commit": head_commit(workspace.root),
                "changed_since": self.changed_since,
                "skipped_customers": self.skipped,
                "shard": str(self.shard) if self.shard else None,
                "settings_changed": True if self.settings_changed else None,
            }
        )

    def empty_plan(self, workspace: Workspace, api_url: str, root: str) -> Plan:
        return Plan(workspace=workspace.settings.workspace, workspace_root=root, api_url=api_url)


def resolve_scope(
    ctx: click.Context,
    errors: Console,
    workspace: Workspace,
    customers: tuple[str, ...],
    ref: str | None,
    shard: Shard | None,
    *,
    prune: bool = False,
) -> Scope:
    """What a run covers; with `prune`, refused (before any request) unless it is the whole
    workspace or a shard or `--changed-since` of it."""
    if prune:
        try:
            check_prune(workspace, customers=customers)
        except ReconcileError as exc:
            fail(ctx, errors, exc)
    every = [(c.spec.customerExternalId, c.path) for c in workspace.customers]
    wanted = set(customers)
    base = [ext for ext, _ in every if not wanted or ext in wanted]
    if ref is None:
        chosen = in_shard(base, shard)
        if shard is None:
            return Scope(customers, None, None, None, None)
        return Scope(tuple(chosen), None, None, None, shard, whole_shard=not wanted)
    try:
        changes, settings = changed_since(workspace.root, ref, settings_names=SETTINGS_NAMES)
    except ReconcileError as exc:
        fail(ctx, errors, exc)
    hit = touched(every, changes, settings_changed=settings, named=workspace.named)
    if hit.everything and not wanted and shard is None:
        # one projects-list read
        return Scope((), None, ref, 0, None, everything=True, settings_changed=True)
    planned = in_shard([ext for ext in hit.planned if not wanted or ext in wanted], shard)
    deleted = in_shard([ext for ext in hit.deleted if not wanted or ext in wanted], shard)
    skipped = len(in_shard(base, shard)) - len(planned)
    return Scope(
        tuple(planned + deleted), tuple(deleted), ref, skipped, shard, settings_changed=settings
    )


def check_credits(ctx: click.Context, errors: Console, plan: Plan) -> None:
    """`--max-credits N`: exit 1, naming who spends what, when applying would spend more."""
    if not plan.over_credits:
        return
    from layers_reconcile.render.format import credits_breach

    fail(
        ctx, errors, ReconcileError(credits_breach(plan) + "; split the change or raise the limit")
    )


def step_summary_wanted() -> bool:
    return bool(os.environ.get("GITHUB_STEP_SUMMARY"))


STEP_SUMMARY_LIMIT = 1_000_000  # GitHub shows at most 1 MiB of summary per step


def append_step_summary(parts: list[str]) -> None:
    """In GitHub Actions, add the markdown `parts` to the job's summary page
    (GITHUB_STEP_SUMMARY), whole parts only, as many as fit under GitHub's limit."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    kept: list[str] = []
    size = 0
    for part in parts:
        size += len(part.encode("utf-8")) + 1
        if kept and size > STEP_SUMMARY_LIMIT:
            left = len(parts) - len(kept)
            kept.append(f"_{left} more part(s) left out: the job summary holds 1 MiB._\n")
            break
        kept.append(part)
    try:
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(scrubbed("\n".join(p.rstrip("\n") + "\n" for p in kept) + "\n"))
    except OSError as exc:
        raise ReconcileError(
            f"cannot append to GITHUB_STEP_SUMMARY ({target}): {exc.strerror}"
        ) from exc


def locator(workspace: Workspace) -> Callable[[str, str], tuple[str, int, int] | None]:
    """Where in its file an address of a customer is written: the deepest key the address
    names (`ext/content/launch-hook/schedule/tiktok` → the `schedule:` key of `launch-hook`)."""
    by_id = {c.spec.customerExternalId: c for c in workspace.customers}

    def locate(customer: str, address: str) -> tuple[str, int, int] | None:
        loaded = by_id.get(customer)
        if loaded is None:
            return None
        entries = loaded.source.entries
        path: tuple[str | int, ...] = ()
        for part in address.split("/")[1:]:
            if (*path, part) not in entries:
                break
            path = (*path, part)
        mark = loaded.source.mark(path or ("customerExternalId",), key=True)
        return mark.file, mark.line, mark.col

    return locate


async def scoped_plan(
    endpoint: Endpoint,
    workspace: Workspace,
    scope: Scope,
    *,
    parallelism: int,
    prune: bool,
    prune_cap: int,
    take_over: str | None,
    root: str,
    timeout: float | None = None,  # noqa: ASYNC109 (apply's --timeout, reported as such)
) -> Plan:
    """The plan of what `scope` covers, as plan shows it and apply executes it: stamped, with the
    endpoint's note, and refused when it needs a return URL the files lack (real API only)."""
    if scope.empty:  # nothing changed: nothing to read
        made = scope.empty_plan(workspace, endpoint.url, root)
    else:
        try:
            async with (
                build_client(endpoint, rate_share=scope.rate_share) as client,
                asyncio.timeout(timeout),
            ):
                made = await make_plan(
                    client,
                    workspace,
                    customers=scope.customers,
                    orphans_of=scope.orphans_of,
                    orphans_in=scope.orphans_in,
                    parallelism=parallelism,
                    prune=prune,
                    now=datetime.now(UTC),
                    api_url=endpoint.url,
                    workspace_root=root,
                    take_over=take_over,
                    prune_cap=prune_cap,
                )
        except TimeoutError:
            if timeout is None:
                raise
            raise ReconcileError(
                f"gave up at --timeout ({timeout:g} s) while planning; nothing was changed"
            ) from None
    plan = noted(scope.stamp(made, workspace), endpoint)
    if not endpoint.emulator:
        guessed = missing_return_urls(plan, workspace.customers)
        if guessed:
            raise ConfigError(guessed)
    return plan
