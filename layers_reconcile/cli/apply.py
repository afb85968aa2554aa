"""`layers-reconcile apply [PATH... | PLANFILE]`: converge every customer.

Without a plan file it plans, shows the plan and asks (unless --auto-approve; unattended it
refuses). With a plan file it executes that reviewed plan and refuses the customers whose file or
actual state changed since. Exit 0 converged, 1 a step failed (or refused), 3 waiting on people.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from layers_reconcile.apirevision import Pin
from layers_reconcile.apply.events import ApplyReport
from layers_reconcile.apply.executor import execute
from layers_reconcile.apply.options import ApplyOptions
from layers_reconcile.apply.poll import Deadline
from layers_reconcile.cli.ask import ask
from layers_reconcile.cli.common import (
    Endpoint,
    Runtime,
    build_client,
    command_options,
    endpoint_for,
    fail,
    load_or_exit,
    make_console,
    output_options,
    parallelism_of,
    plan_root_of,
    revision_option,
    revision_pin,
    run,
)
from layers_reconcile.cli.exits import ExitCode, of_report
from layers_reconcile.cli.output import scrubbed
from layers_reconcile.cli.reviewed import (
    ReviewedPlans,
    check_reviewed_workspace,
    check_same_api,
    read_reviewed,
    show_not_reviewed,
)
from layers_reconcile.cli.scope import (
    append_step_summary,
    ownership_options,
    reading_progress,
    resolve_scope,
    scope_options,
    scoped_plan,
)
from layers_reconcile.client import LayersClient
from layers_reconcile.config.discover import yaml_named
from layers_reconcile.config.files import read_bytes
from layers_reconcile.config.loader import SETTINGS_NAMES, Workspace
from layers_reconcile.config.scope import Shard
from layers_reconcile.durations import parse_duration
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.model import MAX_PLAN_BYTES, Plan
from layers_reconcile.plan.progress import PlanObserver
from layers_reconcile.plan.scope import DEFAULT_PRUNE_CAP, RunScope
from layers_reconcile.render.progress import ProgressView
from layers_reconcile.render.text import render_text

EMULATOR_WAIT_FOR_PEOPLE = 60.0


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


@click.command()
@click.argument(
    "targets",
    nargs=-1,
    metavar="[PATH... | PLANFILE]",
    type=click.Path(exists=True, path_type=Path),
)
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed when unattended).")
@click.option(
    "--reviewed",
    "reviewed_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="PLANFILE",
    help="Plan afresh, carry out only the steps this reviewed plan (from `plan --out`) shows "
    "with the same values; hold back the rest as not reviewed (exit 1). Repeatable.",
)
@click.option(
    "--wait-for-people",
    callback=_duration,
    metavar="DURATION",
    help="How long to wait for installs, consents and approvals before exit 3 "
    "(e.g. 30s, 10m; default 0, 1m with --emulator).",
)
@click.option(
    "--timeout", callback=_duration, metavar="DURATION", help="Give up after this long (e.g. 1h)."
)
@ownership_options
@click.option(
    "--wait-for-publish", is_flag=True, help="Watch the scheduled posts until they publish or fail."
)
@click.option(
    "--emulator", "use_emulator", is_flag=True, help="Same as the global --emulator option."
)
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only this customer.")
@scope_options
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write a markdown report: per customer converged, waiting on people (with links), "
    "or failed (code, requestId, what to do).",
)
@click.option("--parallelism", type=click.IntRange(1, 256), help="Customers worked on at once.")
@click.option(
    "--job-speed",
    type=click.FloatRange(min=0.001),
    envvar="LAYERS_RECONCILE_JOB_SPEED",
    help="Jobs run this many times faster than documented (an emulator started with --speed X). "
    "Rarely needed: polling follows each job's own progress.",
)
@revision_option
@output_options
@click.pass_context
def apply(ctx: click.Context, /, targets: tuple[Path, ...], **given: Any) -> None:
    """Converge every customer of the workspace at PATH (default: here), or execute a
    PLANFILE saved by `plan --out`.

    PATH may be a folder or file inside the workspace, or several of them (only the customers
    below them are applied, with the workspace's settings).

    Exit 0 converged, 1 a step failed or a customer was refused (the others went on), 3
    waiting on people (their URLs, or what they must do, are listed).
    """
    flags = ApplyFlags(**given)
    options = command_options(
        ctx, customers=flags.customers, parallelism=flags.parallelism, emulator=flags.use_emulator
    )
    errors = make_console(options, stderr=True)
    targets = targets or (Path("."),)
    try:
        saved, reviewed, root = _inputs(targets, flags.reviewed_files)
        flags = flags.approved_by(reviewed)
        if saved is not None:
            flags.check_saved_alone(options.customers, targets[0])
    except (ValueError, OSError) as exc:
        fail(ctx, errors, ReconcileError(str(exc)))
    workspace = load_or_exit(ctx, root, errors)
    scope = resolve_scope(
        ctx, errors, workspace, options.customers, **flags.scope(targets, workspace)
    )
    if scope.empty:
        errors.print(
            Text(f"Nothing to apply: no customer file changed since {flags.changed_since}.")
        )
        ctx.exit(ExitCode.OK)
    if saved is None and not flags.auto_approve and not sys.stdin.isatty():
        errors.print(Text(UNATTENDED, style="red"))
        ctx.exit(ExitCode.ERROR)
    console = make_console(options)
    limit = parallelism_of(options, workspace)
    job = ApplyRun(
        workspace,
        scope,
        saved,
        reviewed,
        console,
        errors,
        flags,
        options.verbose,
        limit,
        revision=revision_pin(options, workspace),
    )
    try:
        with endpoint_for(options, workspace) as endpoint:
            ended = run(converge(job, endpoint, options.runtime))
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    ctx.exit(ended if isinstance(ended, ExitCode) else of_report(ended))


@dataclass(frozen=True)
class ApplyFlags:
    """The options of `apply`, as click reads them."""

    auto_approve: bool = False
    reviewed_files: tuple[Path, ...] = ()
    wait_for_people: float | None = None
    timeout: float | None = None  # the whole command: planning and applying
    prune: bool = False
    max_archives: int = DEFAULT_PRUNE_CAP
    take_over: str | None = None
    wait_for_publish: bool = False
    use_emulator: bool = False
    customers: tuple[str, ...] = ()
    changed_since: str | None = None
    shard: Shard | None = None
    report_file: Path | None = None
    parallelism: int | None = None
    job_speed: float | None = None

    def approved_by(self, reviewed: ReviewedPlans | None) -> ApplyFlags:
        """`--reviewed`: the review was the approval, and what it showed is allowed."""
        if reviewed is None:
            return self
        prune, take_over = self.prune or reviewed.archives, self.take_over or reviewed.take_over
        return replace(self, auto_approve=True, prune=prune, take_over=take_over)

    def check_saved_alone(self, customers: tuple[str, ...], saved: Path) -> None:
        """ValueError when options that choose what a fresh plan covers or adds are given with
        a saved plan: they would skip what it shows (and report it converged) or add what it
        does not."""
        given = {
            "--customer": bool(customers),
            "--changed-since": self.changed_since is not None,
            "--shard": self.shard is not None,
            "--prune": self.prune,
            "--take-over": self.take_over is not None,
        }
        reshaped = [name for name, on in given.items() if on]
        if reshaped:
            raise ValueError(
                f"{' and '.join(reshaped)} would change what the saved plan {saved} does: "
                "a saved plan is applied as it was reviewed; make the plan with "
                f"{'them' if len(reshaped) > 1 else 'it'} (`plan ... --out FILE`), then apply "
                "that file"
            )

    def scope(self, targets: tuple[Path, ...], workspace: Workspace) -> dict[str, Any]:
        """What `resolve_scope` reads besides the customers."""
        return {
            "ref": self.changed_since,
            "shard": self.shard,
            "prune": self.prune,
            "prune_cap": self.max_archives,
            "take_over": self.take_over,
            "root": str(plan_root_of(targets, workspace)),
        }


UNATTENDED = (
    "error: refusing to apply unattended: nobody can confirm the plan (stdin is not a terminal). "
    "Review it with `layers-reconcile plan`, then run `apply --auto-approve`, or save it with "
    "`plan --out plan.json` and `apply plan.json`."
)


def _inputs(
    targets: tuple[Path, ...], reviewed_files: tuple[Path, ...]
) -> tuple[Plan | None, ReviewedPlans | None, Path | tuple[Path, ...]]:
    """The saved plan (`apply PLANFILE`), the reviewed plans (`--reviewed`) and the workspace."""
    saved = read_plan(targets[0])
    if saved is not None and len(targets) > 1:
        raise ValueError(f"{targets[0]} is a plan file: apply takes one plan file alone")
    reviewed = read_reviewed(reviewed_files, saved)
    return saved, reviewed, plan_root(saved) if saved is not None else targets


@dataclass(frozen=True)
class ApplyRun:
    """One `apply`, its command line read: what it covers and how it behaves."""

    workspace: Workspace
    scope: RunScope
    saved: Plan | None  # `apply PLANFILE`
    reviewed: ReviewedPlans | None  # `--reviewed`
    console: Console
    errors: Console
    flags: ApplyFlags = ApplyFlags()
    verbose: int = 0
    parallelism: int = 8
    revision: Pin | None = None  # --api-revision, else layers.yaml's (`revision_pin`)


async def converge(
    job: ApplyRun, endpoint: Endpoint, runtime: Runtime | None
) -> ApplyReport | ExitCode:
    """The whole command in one event loop, one client and one deadline (`--timeout`, on the
    runtime's clock): plan unless a plan was saved, show it and ask, then execute it."""
    runtime = runtime or Runtime()
    saved = job.saved
    if saved is not None:
        check_same_api(saved, endpoint)
    for reviewed in job.reviewed.plans if job.reviewed is not None else ():
        check_same_api(reviewed, endpoint, what="the reviewed plan")
    deadline = Deadline(runtime.clock, runtime.sleep, job.flags.timeout)
    on_deadline = replace(runtime, sleep=deadline.sleep)
    async with build_client(endpoint, on_deadline, rate_share=job.scope.rate_share) as client:
        plan = saved
        if plan is None:
            with reading_progress(job.errors, runtime) as progress:
                plan = await _planned(job, client, endpoint, deadline, progress)
            asked = runtime.clock()
            verdict = _review(job, plan)
            deadline.extend(runtime.clock() - asked)
            if verdict is not None:
                return verdict
        options = _options(job, endpoint, plan, deadline, runtime)
        with ProgressView(job.console, verbose=job.verbose) as view:
            async with _heartbeat(view):
                report = await execute(
                    client,
                    job.workspace,
                    options=options,
                    on_event=view.handle,
                    plan=plan,
                    verify=saved is not None,
                    customers=job.scope.apply_customers,
                )
            held = [o.customer_external_id for o in plan.held_back_orphans]
            report = replace(report, unchanged=unchanged_in(plan, report), held_orphans=held)
            view.summary(report)
            _write_report(report, job.workspace.settings.workspace, job.flags.report_file)
    return report


async def _planned(
    job: ApplyRun,
    client: LayersClient,
    endpoint: Endpoint,
    deadline: Deadline,
    progress: PlanObserver,
) -> Plan:
    try:
        async with asyncio.timeout_at(deadline.loop_time()):
            return await scoped_plan(
                client,
                endpoint,
                job.workspace,
                job.scope,
                parallelism=job.parallelism,
                revision=job.revision,
                observer=progress,
            )
    except TimeoutError:
        if job.flags.timeout is None:
            raise
        raise ReconcileError(
            f"gave up at --timeout ({job.flags.timeout:g} s) while planning; nothing was changed"
        ) from None


def _review(job: ApplyRun, plan: Plan) -> ExitCode | None:
    """Show the fresh plan and ask (unless approved already); an exit code when it ends here."""
    job.console.print(render_text(plan), end="")
    if job.reviewed is not None:
        check_reviewed_workspace(job.reviewed, plan)
        show_not_reviewed(job.console, job.reviewed, plan)
    nothing = not any(c.steps for c in plan.customers)
    if nothing and not plan.conflicts and not plan.not_planned:
        _write_report(ApplyReport(), job.workspace.settings.workspace, job.flags.report_file)
        return ExitCode.OK  # the plan said so already
    if not job.flags.auto_approve and not ask("Apply these changes?"):
        job.errors.print("Apply canceled; nothing was changed.")
        return ExitCode.ERROR
    return None


def _options(
    job: ApplyRun, endpoint: Endpoint, plan: Plan, deadline: Deadline, runtime: Runtime
) -> ApplyOptions:
    emulated = endpoint.emulator
    waits = job.flags.wait_for_people
    return ApplyOptions(
        workspace=job.workspace.settings.workspace,
        parallelism=job.parallelism,
        wait_for_people=waits
        if waits is not None
        else EMULATOR_WAIT_FOR_PEOPLE
        if emulated
        else 0.0,
        timeout=job.flags.timeout,
        deadline=deadline.at,
        wait_for_publish=job.flags.wait_for_publish,
        person_poll_interval=0.5 if emulated else 2.0,
        publish_poll_interval=1.0 if emulated else 5.0,
        job_time_scale=job.flags.job_speed or endpoint.job_speed,
        take_over=job.scope.take_over or plan.take_over,
        revision=job.revision,
        reviewed=job.reviewed.holds if job.reviewed is not None else None,
        clock=runtime.clock,
        sleep=deadline.sleep,
    )


def unchanged_in(plan: Plan, report: ApplyReport) -> int:
    """The customers of the run apply had nothing to do for: planned without a step (and not
    refused), plus those --changed-since skipped."""
    worked = {o.customer for o in report.outcomes}
    idle = [
        c
        for c in plan.customers
        if not c.steps and c.conflict is None and c.customer_external_id not in worked
    ]
    return len(idle) + (plan.skipped_customers or 0)


def _write_report(report: ApplyReport, workspace: str | None, file: Path | None) -> None:
    """`--report FILE` and, in GitHub Actions, the job summary."""
    from layers_reconcile.cli.scope import step_summary_wanted
    from layers_reconcile.render.report import render_report

    if file is None and not step_summary_wanted():
        return
    text = scrubbed(render_report(report, workspace=workspace))
    if file is not None:
        try:
            file.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ReconcileError(f"cannot write the report to {file}: {exc.strerror}") from exc
    append_step_summary([text])


@asynccontextmanager
async def _heartbeat(view: ProgressView, every: float = 1.0) -> AsyncIterator[None]:
    """Let the view speak while apply only waits (a job between two polls, a person)."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            view.heartbeat()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def read_plan(target: Path) -> Plan | None:
    """The saved plan at `target`, when it names one: anything but a folder or a YAML file (a
    customer file). It is read like a workspace file: a regular file only (a FIFO or a link to
    /dev/zero is refused, never waited on), at most `MAX_PLAN_BYTES`, UTF-8 with or without a
    BOM."""
    if yaml_named(target) or target.is_dir() or not os.path.lexists(target):
        return None
    raw, why = read_bytes(target, None, limit=MAX_PLAN_BYTES)
    if raw is None:
        raise ValueError(f"{target}: not a plan file: {why}")
    try:
        # An editor may save it with a BOM, as it may a customer file (`files.decode`).
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{target}: not a plan file (JSON from `plan --out`): {exc}") from exc
    except RecursionError:
        raise ValueError(f"{target}: not a plan file (its JSON is nested too deeply)") from None
    except ValueError:  # an integer of thousands of digits
        raise ValueError(f"{target}: not a plan file (it holds a number too long)") from None
    if not isinstance(doc, dict) or "formatVersion" not in doc:
        raise ValueError(f"{target}: not a plan file (no formatVersion)")
    try:
        return Plan.from_document(doc)
    except ValueError as exc:
        raise ValueError(f"{target}: {exc}") from None


def plan_root(plan: Plan) -> Path:
    """The workspace a saved plan was made from: its recorded root, else found from its files."""
    if plan.workspace_root and Path(plan.workspace_root).exists():
        return Path(plan.workspace_root)
    files = [Path(c.file) for c in plan.customers if c.file]
    for file in files:
        for folder in (file.parent, *file.parent.parents):
            if any((folder / name).is_file() for name in SETTINGS_NAMES):
                return folder
    existing = [f.parent.resolve() for f in files if f.exists()]
    if not existing:
        raise ValueError(
            "cannot find the workspace this plan was made from; run apply from the folder "
            "where `plan --out` ran"
        )
    return Path(os.path.commonpath(existing))
