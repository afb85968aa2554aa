"""`layers-reconcile plan [PATH]`: read actual state, show what apply would do. Never writes."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from layers_reconcile.cli.common import (
    EXIT_CHANGES,
    EXIT_OK,
    build_client,
    check_customer_filter,
    endpoint_for,
    fail,
    load_or_exit,
    make_console,
    noted,
    options_of,
    output_options,
    run,
)
from layers_reconcile.errors import ConfigError, ReconcileError
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import make_plan
from layers_reconcile.plan.return_urls import missing_return_urls


@click.command()
@click.argument("path", default=".", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also save the plan as JSON for `apply PLANFILE` (never holds the key).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json for machines, markdown for a pull-request comment.",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing would change, 2 when changes are pending, 1 on error.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Also plan to archive projects stamped with this workspace whose file is gone.",
)
@click.option("--customer", "customers", multiple=True, metavar="ID", help="Only this customer.")
@click.option("--parallelism", type=click.IntRange(1, 256), help="Customers observed at once.")
@click.option("--api-url", help="Same as the global --api-url.")
@click.option("--api-key", help="Same as the global --api-key (prefer LAYERS_API_KEY).")
@click.option("--emulator", "use_emulator", is_flag=True, help="Same as the global --emulator.")
@output_options
@click.pass_context
def plan(
    ctx: click.Context,
    path: Path,
    out: Path | None,
    output_format: str,
    detailed_exitcode: bool,
    prune: bool,
    customers: tuple[str, ...],
    parallelism: int | None,
    api_url: str | None,
    api_key: str | None,
    use_emulator: bool,
) -> None:
    """Show what `apply` would change for the workspace at PATH (reads only; sends no writes).

    Exit 0 when it planned (with --detailed-exitcode: 0 nothing to change, 2 changes pending),
    1 on any error: an invalid file, no key, an API that refused or could not be reached.
    """
    given = options_of(ctx)
    options = replace(
        given,
        customers=tuple(dict.fromkeys(given.customers + customers)),
        parallelism=parallelism or given.parallelism,
        api_url=api_url or given.api_url,
        api_key=api_key or given.api_key,
        emulator=given.emulator or use_emulator,
    )
    console = make_console(options)
    errors = make_console(options, stderr=True)
    if out is not None:
        _check_out(ctx, errors, out)
    workspace = load_or_exit(ctx, path, errors)
    check_customer_filter(ctx, errors, workspace, options.customers, prune)
    root = str(path.resolve())  # absolute: a saved plan applies from any directory
    try:
        with endpoint_for(options, workspace) as endpoint:

            async def planned() -> Plan:
                async with build_client(endpoint) as client:
                    made = await make_plan(
                        client,
                        workspace,
                        customers=options.customers,
                        parallelism=options.parallelism,
                        prune=prune,
                        now=datetime.now(UTC),
                        api_url=endpoint.url,
                        workspace_root=root,
                    )
                return noted(made, endpoint)

            result = run(planned())
            if not endpoint.emulator:
                guessed = missing_return_urls(result, workspace.customers)
                if guessed:
                    raise ConfigError(guessed)
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    if out is not None:
        from layers_reconcile.render.json import render_json

        try:
            out.write_text(render_json(result), encoding="utf-8")
        except OSError as exc:
            fail(ctx, errors, ReconcileError(f"cannot write the plan to {out}: {exc.strerror}"))
    _show(console, result, output_format)
    if out is not None and output_format == "text":
        errors.print(
            Text(f"Saved the plan to {out}; apply it with `layers-reconcile apply {out}`.")
        )
    code = EXIT_CHANGES if detailed_exitcode and result.has_changes else EXIT_OK
    ctx.exit(code)


def _show(console: Console, result: Plan, output_format: str) -> None:
    if output_format == "json":
        from layers_reconcile.render.json import render_json

        click.echo(render_json(result), nl=False)
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
    if out.is_dir():
        problem = "it is a directory"
    elif not folder.is_dir():
        problem = f"the folder {folder} does not exist"
    elif not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        problem = "permission denied"
    if problem is not None:
        fail(ctx, errors, ReconcileError(f"cannot write the plan to {out}: {problem}"))
