"""The options `plan` and `apply` share for CI: `--changed-since`, `--shard`, `--max-credits`,
and what a run records and writes for GitHub (the job summary, the tool version and commit)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

import click
from rich.console import Console

from layers_reconcile import __version__
from layers_reconcile.apirevision import Pin
from layers_reconcile.cli.common import Endpoint, Runtime, customer_filter_problem, fail, noted
from layers_reconcile.cli.output import scrubbed
from layers_reconcile.client import LayersClient
from layers_reconcile.config.gitdiff import changed_since, head_commit
from layers_reconcile.config.loader import SETTINGS_NAMES, Workspace
from layers_reconcile.config.revision import check_revision
from layers_reconcile.config.scope import Shard, in_shard, parse_shard, touched
from layers_reconcile.errors import ConfigError, ReconcileError
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import (
    DEFAULT_PRUNE_CAP,
    RunScope,
    check_prune,
    make_plan,
    selected,
)
from layers_reconcile.plan.progress import UNOBSERVED, PlanObserver
from layers_reconcile.plan.return_urls import missing_return_urls
from layers_reconcile.printable import printable
from layers_reconcile.render.reading import ReadingProgress

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


def resolve_scope(
    ctx: click.Context,
    errors: Console,
    workspace: Workspace,
    customers: tuple[str, ...],
    ref: str | None,
    shard: Shard | None,
    **what: Any,
) -> RunScope:
    """`run_scope`, its refusal shown as the command's error (exit 1); and a job summary that
    could never be written (`check_step_summary`), refused as early, before any request."""
    try:
        check_step_summary()
        return run_scope(workspace, customers, ref, shard, **what)
    except ReconcileError as exc:
        fail(ctx, errors, exc)


def run_scope(
    workspace: Workspace,
    customers: tuple[str, ...],
    ref: str | None,
    shard: Shard | None,
    *,
    prune: bool = False,
    prune_cap: int = DEFAULT_PRUNE_CAP,
    take_over: str | None = None,
    root: str | None = None,
) -> RunScope:
    """What a run covers, computed once from the command line: `--customer` (each must name a
    file, unless --prune looks for projects without one), `--changed-since REF`, `--shard`,
    `--prune` (refused, before any request, unless it is the whole workspace or a shard or
    `--changed-since` of it). ReconcileError (ConfigError for layers.yaml) with the fix."""
    problem = customer_filter_problem(workspace, customers, prune)
    if problem is not None:
        raise ReconcileError(problem)
    base = RunScope(
        customers=customers,
        picked=customers,
        partial=workspace.partial,
        prune=prune,
        prune_cap=prune_cap,
        take_over=take_over,
        root=root,
    )
    if prune:
        check_prune(workspace, base, at=workspace.root)
    every = [(c.spec.customerExternalId, c.path) for c in workspace.customers]
    wanted = set(customers)
    listed = [ext for ext, _ in every if not wanted or ext in wanted]
    if ref is None:
        if shard is None:
            return base
        return replace(
            base, customers=tuple(in_shard(listed, shard)), shard=shard, whole_shard=not wanted
        )
    changes, settings = changed_since(workspace.root, ref, settings_names=SETTINGS_NAMES)
    hit = touched(every, changes, settings_changed=settings, named=workspace.named)
    base = replace(base, changed_since=ref, settings_changed=settings)
    if hit.everything and not wanted and shard is None:
        return replace(base, customers=(), skipped=0, everything=True)  # one projects-list read
    planned = in_shard([ext for ext in hit.planned if not wanted or ext in wanted], shard)
    deleted = in_shard([ext for ext in hit.deleted if not wanted or ext in wanted], shard)
    return replace(
        base,
        customers=tuple(planned + deleted),
        orphans_of=tuple(deleted),
        skipped=len(in_shard(listed, shard)) - len(planned),
        shard=shard,
    )


def stamped(plan: Plan, scope: RunScope, workspace: Workspace) -> Plan:
    """Record the tool, the commit and what the plan covers in the plan itself."""
    return plan.model_copy(
        update={
            "tool_version": __version__,
            "commit": head_commit(workspace.root),
            "changed_since": scope.changed_since,
            "skipped_customers": scope.skipped,
            "shard": str(scope.shard) if scope.shard else None,
            "settings_changed": True if scope.settings_changed else None,
        }
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
    try:  # the write and the close (a full disk may show only when it flushes)
        with append_to_file(target, "GITHUB_STEP_SUMMARY") as out:
            out.write(scrubbed("\n".join(p.rstrip("\n") + "\n" for p in kept) + "\n"))
    except OSError as exc:
        raise _cannot_append(target, "GITHUB_STEP_SUMMARY", exc.strerror) from exc


def check_step_summary() -> None:
    """Refuse GITHUB_STEP_SUMMARY naming a FIFO, a directory or a device (but /dev/null) before the run reads or
    changes anything (`append_step_summary` refuses it at the end too, whatever it became)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    kind = _kind_at(target) if target else None
    if target and kind is not None:
        raise _cannot_append(target, "GITHUB_STEP_SUMMARY", None, kind)


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def append_to_file(target: str, variable: str) -> TextIO:
    """The file an environment variable names (`variable`: GITHUB_STEP_SUMMARY), opened to
    append to, created when missing. Anything but a regular file or /dev/null (a FIFO, a
    device, a directory) is refused with one line naming the variable, never waited on: a FIFO nobody
    reads would hold the command forever."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o666)
    except OSError as exc:
        kind = _kind_at(target)
        raise _cannot_append(target, variable, exc.strerror, kind) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) and not _null_device(info):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "special")
            raise _cannot_append(target, variable, None, kind)
        if getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "a", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def _kind_at(target: str) -> str | None:
    """What `target` is when it is there and no regular file (None: a file, /dev/null, or
    nothing)."""
    try:
        info = os.stat(target)
    except OSError:
        return None
    if stat.S_ISREG(info.st_mode) or _null_device(info):
        return None
    return _KINDS.get(stat.S_IFMT(info.st_mode), "special")


def _null_device(info: os.stat_result) -> bool:
    """/dev/null (by its device number, whatever the path): writes to it never wait, and
    pointing a variable at it is how Unix throws output away."""
    try:
        null = os.stat(os.devnull)
    except OSError:
        return False
    return stat.S_ISCHR(info.st_mode) and info.st_rdev == null.st_rdev


def _cannot_append(
    target: str, variable: str, reason: str | None, kind: str | None = None
) -> ReconcileError:
    where = f"cannot append to {variable} ({printable(target)})"
    if kind is not None:
        return ReconcileError(
            f"{where}: it is {kind}, not a regular file; point {variable} at a file "
            "(it is created when missing), or unset it"
        )
    return ReconcileError(f"{where}: {reason}")


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


def reading_progress(errors: Console, runtime: Runtime | None) -> ReadingProgress:
    """How far planning has read, on stderr (`errors`), timed by the command's clock."""
    return ReadingProgress(errors, clock=(runtime or Runtime()).clock)


async def scoped_plan(
    client: LayersClient,
    endpoint: Endpoint,
    workspace: Workspace,
    scope: RunScope,
    *,
    parallelism: int,
    revision: Pin | None = None,
    observer: PlanObserver = UNOBSERVED,
) -> Plan:
    """The plan of what `scope` covers, as plan shows it and apply executes it: stamped, with the
    endpoint's note, and refused when it needs a return URL the files lack (real API only).
    `revision`: the API revision asked for (`cli.common.revision_pin`); what the files say that
    it cannot take is refused at its line (pinned: before any request) or warned about.
    `observer`: told how far the reading is (`reading_progress`)."""
    revision = revision or Pin(workspace.settings.apiRevision)
    pinned_by = revision.source or f"apiRevision {revision.setting}"
    pinned = revision.setting in ("a", "b")
    picked = {c.spec.customerExternalId for c in selected(workspace, scope.customers)}
    chosen = [c for c in workspace.customers if c.spec.customerExternalId in picked]
    if revision.setting == "a" or revision.setting == "b":
        check_revision(chosen, revision.setting, pinned_by=pinned_by)
    if scope.empty:  # nothing changed: nothing to read
        settings = workspace.settings
        made = Plan(workspace=settings.workspace, workspace_root=scope.root, api_url=endpoint.url)
    else:
        made = await make_plan(
            client,
            workspace,
            scope,
            parallelism=parallelism,
            now=datetime.now(UTC),
            api_url=endpoint.url,
            revision=revision,
            observer=observer,
        )
    if made.api_revision is not None:
        found = check_revision(chosen, made.api_revision, pinned_by=pinned_by if pinned else None)
        made = made.model_copy(
            update={
                "customers": [
                    c.model_copy(update={"warnings": [*found[c.customer_external_id], *c.warnings]})
                    if c.customer_external_id in found
                    else c
                    for c in made.customers
                ]
            }
        )
    plan = noted(stamped(made, scope, workspace), endpoint)
    if not endpoint.emulator:
        guessed = missing_return_urls(plan, workspace.customers)
        if guessed:
            raise ConfigError(guessed)
    return plan
