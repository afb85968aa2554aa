"""`layers-reconcile schema`: write the JSON Schemas of `layers.yaml` and customer files."""

from __future__ import annotations

from pathlib import Path

import click

from layers_reconcile.cli.exits import ExitCode
from layers_reconcile.config.schema import stale_schemas, write_schemas


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write workspace.schema.json and customer.schema.json into.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when a schema file is missing or out of date.",
)
@click.pass_context
def schema(ctx: click.Context, out_dir: Path, check: bool) -> None:
    """Write the JSON Schemas that editors use to complete and check the YAML files."""
    if check:
        stale = stale_schemas(out_dir)
        for path in stale:
            click.echo(f"{path}: out of date; run `layers-reconcile schema --out {out_dir}`")
        if not stale:
            click.echo(f"schemas in {out_dir} are up to date")
        ctx.exit(ExitCode.ERROR if stale else ExitCode.OK)
    for path in write_schemas(out_dir):
        click.echo(f"wrote {path}")
