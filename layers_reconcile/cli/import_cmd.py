"""`layers-reconcile import [PATH]`: write customer YAML from the projects that already exist.

One file per active project with a customerExternalId, under PATH/customers/ (existing files
are kept unless --force). Review the files, then `plan`: a project this workspace has not
stamped yet shows as `adopt`.
"""

from __future__ import annotations

import io
from pathlib import Path

import click
from rich.text import Text
from ruamel.yaml import YAML

from layers_reconcile.apply.importer import Imported, import_customers
from layers_reconcile.cli.common import (
    DEFAULT_API_URL,
    EXIT_OK,
    Endpoint,
    build_client,
    fail,
    make_console,
    options_of,
    run,
)
from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.config.loader import SETTINGS_NAMES, load_workspace
from layers_reconcile.errors import ReconcileError


@click.command("import")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite customer files that already exist.")
@click.option("--emulator", "use_emulator", is_flag=True, help="Same as the global --emulator.")
@click.pass_context
def import_(ctx: click.Context, path: Path, force: bool, use_emulator: bool) -> None:
    """Write a customer file under PATH/customers/ for each existing project."""
    options = options_of(ctx)
    console = make_console(options)
    errors = make_console(options, stderr=True)
    path.mkdir(parents=True, exist_ok=True)
    has_settings = any((path / name).is_file() for name in SETTINGS_NAMES)
    try:
        workspace = load_workspace(path) if has_settings else None
        api_url = workspace.settings.apiUrl if workspace else None
        if options.emulator or use_emulator:
            from layers_reconcile.cli.embedded import embedded_emulator

            with embedded_emulator(path) as (url, key):
                endpoint = Endpoint(url=url, api_key=key, emulator=True)
                found = run(_import(endpoint, options.customers))
        else:
            endpoint = _endpoint(options, api_url)
            found = run(_import(endpoint, options.customers))
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    folder = path / "customers"
    folder.mkdir(exist_ok=True)
    written = 0
    for item in found:
        target = folder / f"{item.customer_external_id}.yaml"
        if target.exists() and not force:
            console.print(Text(f"kept     {target} (exists; --force overwrites)", style="dim"))
            continue
        target.write_text(render(item), encoding="utf-8")
        written += 1
        console.print(Text(f"wrote    {target}", style="green"))
        for note in item.notes:
            console.print(Text(f"  note: {note}", style="yellow"))
    console.print(
        f"{written} customer file{'s' if written != 1 else ''} written from "
        f"{len(found)} project{'s' if len(found) != 1 else ''}. Review them, then run "
        f"`layers-reconcile plan {path}`."
    )
    ctx.exit(EXIT_OK)


def _endpoint(options: GlobalOptions, api_url: str | None) -> Endpoint:
    if not options.api_key:
        raise ReconcileError(
            "No API key: set LAYERS_API_KEY or pass --api-key, or try everything locally "
            "with --emulator."
        )
    return Endpoint(url=options.api_url or api_url or DEFAULT_API_URL, api_key=options.api_key)


async def _import(endpoint: Endpoint, customers: tuple[str, ...]) -> list[Imported]:
    async with build_client(endpoint) as client:
        await client.whoami()
        return await import_customers(client, customers=customers)


def render(item: Imported) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    out.write(
        f"# Imported by `layers-reconcile import` from project {item.project_id}.\n"
        "# Review it (brand overrides are not imported), then run `layers-reconcile plan`.\n"
    )
    yaml.dump(item.data, out)
    return out.getvalue()
