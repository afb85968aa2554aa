"""`layers-reconcile plan [PATH]`: read actual state, show what apply would do. Never writes."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from layers_reconcile.cli.common import (
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
from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.cli.exits import of_plan
from layers_reconcile.cli.output import scrubbed
from layers_reconcile.cli.plan_failed import on_failure
from layers_reconcile.cli.scope import (
    append_step_summary,
    check_credits,
    locator,
    ownership_options,
    reading_progress,
    resolve_scope,
    scope_options,
    scoped_plan,
    step_summary_wanted,
)
from layers_reconcile.config.discover import yaml_named
from layers_reconcile.config.loader import Workspace
from layers_reconcile.config.scope import Shard
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.scope import RunScope


@click.command()
@click.argument(
    "paths", nargs=-1, metavar="[PATH]...", type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also save the plan as JSON for `apply PLANFILE` (never holds the key).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for machines, markdown for a pull-request comment, github: "
    "text with the warnings as GitHub Actions annotations at their file and line.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 in sync, 2 when apply would change something (steps or orphans), 3 when "
    "only people must act (a consent, an install, an approval), 1 on error or conflict.",
)
@ownership_options
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only this customer.")
@scope_options
@click.option(
    "--max-credits",
    type=click.IntRange(min=0),
    metavar="N",
    help="Fail (exit 1) when applying the plan would spend more than N credits.",
)
@click.option("--parallelism", type=click.IntRange(1, 256), help="Customers observed at once.")
@click.option("--api-url", help="Same as the global --api-url.")
@click.option("--api-key", help="Same as the global --api-key (prefer LAYERS_API_KEY).")
@click.option("--emulator", "use_emulator", is_flag=True, help="Same as the global --emulator.")
@revision_option
@output_options
@click.pass_context
def plan(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out: Path | None,
    output_format: str,
    detailed_exitcode: bool,
    prune: bool,
    max_archives: int,
    take_over: str | None,
    customers: tuple[str, ...],
    changed_since: str | None,
    shard: Shard | None,
    max_credits: int | None,
    parallelism: int | None,
    api_url: str | None,
    api_key: str | None,
    use_emulator: bool,
) -> None:
    """Show what `apply` would change for the workspace at PATH (reads only; sends no writes).

    PATH is the workspace folder (default: here), a folder or file inside it (only the customers
    below it are planned, with the workspace's settings), or several of those.

    Exit 0 when it planned (with --detailed-exitcode: 0 in sync, 2 apply would change something,
    3 only people must act), 1 on any error: an invalid file, no key, an API that refused or
    could not be reached, or a project that another workspace manages (a conflict).
    """
    options = command_options(
        ctx,
        customers=customers,
        parallelism=parallelism,
        api_url=api_url,
        api_key=api_key,
        emulator=use_emulator,
    )
    console = make_console(options)
    errors = make_console(options, stderr=True)
    paths = paths or (Path("."),)
    if output_format == "markdown":  # a failure still gives the PR comment something true
        on_failure(ctx, paths)
    if out is not None:
        _check_out(ctx, errors, out)
    workspace = load_or_exit(ctx, paths, errors)
    scope = resolve_scope(
        ctx,
        errors,
        workspace,
        options.customers,
        changed_since,
        shard,
        prune=prune,
        prune_cap=max_archives,
        take_over=take_over,
        root=str(plan_root_of(paths, workspace)),
    )
    result = _planned(ctx, errors, workspace, scope, options, max_credits)
    _emit(ctx, console, errors, result, workspace, out, output_format)
    check_credits(ctx, errors, result)
    ctx.exit(of_plan(result, detailed=detailed_exitcode))


def _planned(
    ctx: click.Context,
    errors: Console,
    workspace: Workspace,
    scope: RunScope,
    options: GlobalOptions,
    max_credits: int | None,
) -> Plan:
    """The plan (a failure to make it ends the command), with the --max-credits cap recorded."""
    try:
        with (
            endpoint_for(options, workspace) as endpoint,
            reading_progress(errors, options.runtime) as progress,
        ):

            async def planned() -> Plan:
                async with build_client(
                    endpoint, options.runtime, rate_share=scope.rate_share
                ) as client:
                    limit = parallelism_of(options, workspace)
                    return await scoped_plan(
                        client,
                        endpoint,
                        workspace,
                        scope,
                        parallelism=limit,
                        revision=revision_pin(options, workspace),
                        observer=progress,
                    )

            result = run(planned())
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    if max_credits is not None:
        result = result.model_copy(update={"max_credits": max_credits})
    return result


def _emit(
    ctx: click.Context,
    console: Console,
    errors: Console,
    result: Plan,
    workspace: Workspace,
    out: Path | None,
    output_format: str,
) -> None:
    """The plan file (--out), the annotations, the plan shown, and the CI step summary."""
    document = None  # the JSON text, made once for --out and --format json
    if out is not None or output_format == "json":
        from layers_reconcile.render.json import render_json

        document = render_json(result)
    if out is not None and document is not None:
        try:
            out.write_text(scrubbed(document), encoding="utf-8")
        except OSError as exc:
            fail(ctx, errors, ReconcileError(f"cannot write the plan to {out}: {exc.strerror}"))
    if output_format == "github":
        from layers_reconcile.render.github import plan_annotations

        for line in plan_annotations(result, locator(workspace)):
            click.echo(line, color=False)
    _show(console, result, output_format, document)
    on_failure(ctx, None)  # shown: a later failure (--max-credits) is in the plan itself
    if out is not None and output_format in ("text", "github"):
        errors.print(
            Text(f"Saved the plan to {out}; apply it with `layers-reconcile apply {out}`.")
        )
    try:
        if step_summary_wanted():
            from layers_reconcile.render.markdown import render_markdown

            append_step_summary(render_markdown(result))
    except ReconcileError as exc:
        fail(ctx, errors, exc)


def _show(console: Console, result: Plan, output_format: str, document: str | None = None) -> None:
    """`document`: the plan's JSON text, when already made (`render_json`)."""
    if output_format == "json":
        from layers_reconcile.render.json import render_json

        click.echo(render_json(result) if document is None else document, nl=False)
    elif output_format == "markdown":
        from layers_reconcile.render.markdown import render_markdown

        # Each part starts with the marker line, so a CI step can split and post them.
        click.echo("\n".join(render_markdown(result)), nl=False)
    else:
        from layers_reconcile.render.text import render_text

        console.print(render_text(result), end="")


def _check_out(ctx: click.Context, errors: Console, out: Path) -> None:
    """`--out` must be writable before anything is planned (a plan can take minutes)."""
    folder = out.parent if str(out.parent) else Path(".")
    problem = None
    if yaml_named(out):
        # `apply` reads a .yaml/.yml PATH as a customer file (the plan's JSON is YAML too)
        problem = (
            f"apply would read a {out.suffix} file as a customer file; name it {out.stem}.json"
        )
    elif out.is_dir():
        problem = "it is a directory"
    elif not folder.is_dir():
        problem = f"the folder {folder} does not exist"
    elif not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        problem = "permission denied"
    if problem is not None:
        fail(ctx, errors, ReconcileError(f"cannot write the plan to {out}: {problem}"))
