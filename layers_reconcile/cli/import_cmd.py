"""`layers-reconcile import [PATH]`: write customer YAML from the projects that already exist.

One file per active project with a customerExternalId, under PATH/customers/. A customer that
already has a file anywhere in the workspace is skipped (--force rewrites that file), so an
import into an existing workspace never writes a second file for one customerExternalId; two
ids whose file names differ only in case (`Acme`, `acme`) get names with a hash, never one file
on a case-insensitive disk.
Projects stamped by another workspace are left out unless --include-other-workspaces. When
layers.yaml names no workspace, the one stamped on the imported projects is written there, so
`plan` right after `import` reports no changes. Review the files, then `plan`: a project no
workspace has stamped yet shows as `adopt`.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from layers_reconcile.apirevision import Pin, settle
from layers_reconcile.apply.importer import Imported, file_stem, import_customers
from layers_reconcile.cli.common import (
    Endpoint,
    build_client,
    command_options,
    fail,
    make_console,
    parallelism_of,
    resolve_endpoint,
    revision_option,
    revision_pin,
    run,
)
from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.cli.exits import ExitCode
from layers_reconcile.cli.scope import reading_progress
from layers_reconcile.cli.writes import write_whole
from layers_reconcile.config.case_names import alike_but_case, case_key
from layers_reconcile.config.fieldtypes import is_workspace_name
from layers_reconcile.config.globs import matches_any
from layers_reconcile.config.loader import SETTINGS_NAMES, Workspace, load_workspace
from layers_reconcile.config.settings import CustomerFilesSpec
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.progress import PlanObserver
from layers_reconcile.printable import printable


@click.command("import")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite customer files that already exist.")
@click.option(
    "--include-other-workspaces",
    is_flag=True,
    help="Also import projects stamped by another workspace (they then show as `adopt`).",
)
@click.option("--emulator", "use_emulator", is_flag=True, help="Same as the global --emulator.")
@click.option(
    "--customer", "customers", multiple=True, metavar="ID", help="Only this customer (repeatable)."
)
@click.option(
    "--update",
    is_flag=True,
    help="Instead: write what people changed in Layers (project fields, approval policy, brand, "
    "influencer choice) back into the existing customer files, keeping their comments.",
)
@revision_option
@click.pass_context
def import_(
    ctx: click.Context,
    path: Path,
    force: bool,
    include_other_workspaces: bool,
    use_emulator: bool,
    customers: tuple[str, ...],
    update: bool,
) -> None:
    """Write a customer file under PATH/customers/ for each existing project.

    With --update, change the existing files instead, so git matches what people changed in
    Layers (a nightly job can open a pull request with the diff).
    """
    options = command_options(ctx, customers=customers)
    console = make_console(options)
    errors = make_console(options, stderr=True)
    use_emulator = options.emulator or use_emulator
    if update:
        from layers_reconcile.cli.import_update import update_files

        if not path.is_dir():
            fail(ctx, errors, ReconcileError(f"--update needs an existing workspace: {path}"))
        update_files(ctx, path, replace(options, emulator=use_emulator), console, errors)
    path.mkdir(parents=True, exist_ok=True)
    try:
        workspace = load_workspace(path)
        with reading_progress(errors, options.runtime) as progress:
            found, notes = _read_projects(path, workspace, options, use_emulator, progress)
    except (ReconcileError, KeyboardInterrupt) as exc:
        fail(ctx, errors, exc)
    for note in notes:
        console.print(Text(f"note: {note}", style="yellow"))
    name = workspace.settings.workspace or _stamped(found)
    chosen = _of_workspace(found, name, include_other_workspaces, console)
    if name and not workspace.settings.workspace and chosen:
        _name_workspace(path, name, console)
    written = _write_files(path, workspace, chosen, force, console)
    console.print(
        f"{written} customer file{'s' if written != 1 else ''} written from "
        f"{len(chosen)} project{'s' if len(chosen) != 1 else ''}. Review them, then run "
        f"`layers-reconcile plan {path}`."
    )
    ctx.exit(ExitCode.OK)


def _read_projects(
    path: Path,
    workspace: Workspace,
    options: GlobalOptions,
    use_emulator: bool,
    observer: PlanObserver,
) -> tuple[list[Imported], list[str]]:
    """The importable projects, from the embedded emulator or the API the workspace names,
    `parallelism_of` them read at once; `observer` is told how far the reading is."""
    pin = revision_pin(options, workspace)
    read = _Read(pin, parallelism_of(options, workspace), observer)
    if use_emulator:
        from layers_reconcile.cli.embedded import embedded_emulator

        # the embedded emulator speaks the revision the run pins (Rev A otherwise)
        with embedded_emulator(path, revision="b" if pin.setting == "b" else "a") as (url, key):
            endpoint = Endpoint(url=url, api_key=key, emulator=True)
            return run(_import(endpoint, options, read))
    return run(_import(resolve_endpoint(options, workspace), options, read))


@dataclass(frozen=True)
class _Read:
    """How the projects are read: the API revision asked for, how many at once, who watches."""

    pin: Pin
    parallelism: int
    observer: PlanObserver


def _of_workspace(
    found: list[Imported], name: str | None, include_others: bool, console: Console
) -> list[Imported]:
    """The projects of workspace `name` (and unstamped ones), unless `include_others`."""
    if not name or include_others:
        return found
    chosen = [i for i in found if i.workspace in (None, name)]
    others = len(found) - len(chosen)
    if others:
        console.print(
            Text(
                f"skipped  {others} project{'s' if others != 1 else ''} stamped by another "
                f"workspace than {name!r} (--include-other-workspaces imports them)",
                style="yellow",
            )
        )
    return chosen


def _name_workspace(path: Path, name: str, console: Console) -> None:
    """Write the projects' workspace name into layers.yaml, when it is a valid name."""
    if is_workspace_name(name):
        settings = _write_workspace_name(path, name)
        console.print(Text(f"wrote    {settings} (workspace: {name})", style="green"))
        return
    console.print(
        Text(
            f"skipped  the workspace name: the projects are stamped with "
            f"{printable(repr(name))}, which is not one (letters, digits, '.', '_' and "
            "'-'); set `workspace:` in layers.yaml yourself",
            style="yellow",
        )
    )


def _write_files(
    path: Path, workspace: Workspace, chosen: list[Imported], force: bool, console: Console
) -> int:
    """One customer file per chosen project; how many were written."""
    existing = {c.spec.customerExternalId: Path(c.path) for c in workspace.customers}
    folder = path / "customers"
    folder.mkdir(exist_ok=True)
    alike = _alike_names(folder, [i for i in chosen if i.customer_external_id not in existing])
    written = 0
    for item in chosen:
        have = existing.get(item.customer_external_id)
        if have is not None and not force:
            console.print(
                Text(
                    f"skipped  {printable(item.customer_external_id)}: already in "
                    f"{printable(str(have))} "
                    "(--force rewrites that file)",
                    style="dim",
                )
            )
            continue
        target = have or folder / f"{file_stem(item.customer_external_id)}.yaml"
        others = (
            [] if have else [n for n in alike.get(case_key(target.name), []) if n != target.name]
        )
        if others:
            target = folder / f"{file_stem(item.customer_external_id, hashed=True)}.yaml"
        bound = path if have else folder
        if not (_inside(target, bound) and _inside(target, path)):
            console.print(
                Text(
                    f"refused  {printable(str(target))}: it leads out of "
                    f"{printable(str(bound))} (a link?); nothing was written there",
                    style="red",
                )
            )
            continue
        unread = None if have else _not_read(path, workspace, target)
        if unread is not None:
            console.print(
                Text(f"skipped  {printable(item.customer_external_id)}: {unread}", style="red")
            )
            continue
        if os.path.lexists(target) and not force:
            console.print(
                Text(f"kept     {printable(str(target))} (exists; --force overwrites)", style="dim")
            )
            continue
        write_whole(target, render(item))
        written += 1
        console.print(Text(f"wrote    {printable(str(target))}", style="green"))
        if others:
            console.print(Text(_alike_note(item, others), style="yellow"))
        for note in item.notes:
            console.print(Text(f"  note: {printable(note)}", style="yellow"))
    return written


def _not_read(path: Path, workspace: Workspace, target: Path) -> str | None:
    """Why the workspace would not read `target` as a customer file (its `customers.include` /
    `exclude` leave it out), or None: a file written there would not be planned, and its
    project, when this workspace stamped it, would be archived by `--prune`."""
    if workspace.settings_path is None:
        return None  # a bare folder: every YAML file below it is read
    globs = workspace.settings.customers or CustomerFilesSpec()
    relative = target.relative_to(path).as_posix()
    if matches_any(relative, globs.include_globs) and not matches_any(
        relative, globs.exclude_globs
    ):
        return None
    return printable(
        f"{relative} would not be read: customers.include/exclude in layers.yaml leave it out "
        '(a --prune would archive its project); add "customers/*.yaml" to customers.include, '
        "then import again"
    )


def _alike_names(folder: Path, new: list[Imported]) -> dict[str, list[str]]:
    """The file names, by their case-folded form, that the new customers' files would share
    with each other or with a file already in `folder` on a case-insensitive file system (macOS,
    Windows): `Acme.yaml` and `acme.yaml` are one file there. Only names shared so are kept."""
    new_names = [f"{file_stem(i.customer_external_id)}.yaml" for i in new]
    return alike_but_case([p.name for p in folder.iterdir()] + new_names)


def _alike_note(item: Imported, others: list[str]) -> str:
    plain = f"{file_stem(item.customer_external_id)}.yaml"
    return printable(
        f"  note: not {plain}: that name and {' and '.join(others)} differ only in case, which "
        "macOS and Windows read as one file; each customer gets a file of its own"
    )


def _stamped(found: list[Imported]) -> str | None:
    """The workspace most of the projects are stamped with (None when none is stamped)."""
    names = Counter(i.workspace for i in found if i.workspace)
    return names.most_common(1)[0][0] if names else None


def _inside(target: Path, folder: Path) -> bool:
    """Whether writing `target` writes inside `folder`, once every link is followed."""
    return Path(os.path.realpath(target)).is_relative_to(os.path.realpath(folder))


def _write_workspace_name(path: Path, name: str) -> Path:
    """Put `workspace: NAME` in layers.yaml (created when missing), keeping what is there. The
    name was checked to be a workspace name, and is written by the YAML emitter all the same."""
    settings = next((path / n for n in SETTINGS_NAMES if (path / n).is_file()), None)
    stamped = CommentedMap(workspace=name)
    stamped.yaml_add_eol_comment("stamped on the imported projects", "workspace", column=30)
    out = io.StringIO()
    YAML().dump(stamped, out)
    line = out.getvalue()
    if settings is None:
        settings = path / SETTINGS_NAMES[0]
        write_whole(settings, line)
    else:
        write_whole(settings, line + settings.read_text(encoding="utf-8"))
    return settings


async def _import(
    endpoint: Endpoint, options: GlobalOptions, read: _Read
) -> tuple[list[Imported], list[str]]:
    """The importable projects, and what could not be imported (said, never guessed)."""
    async with build_client(endpoint, options.runtime) as client:
        who = await client.whoami()
        client.revision = settle(read.pin, who)
        notes = []
        if client.revision == "b" and not {"*", "org:admin"} & set(who.scopes):
            notes.append(
                "customers in child organizations were not imported: the key lacks org:admin, "
                "which reading them needs (import again with a key that has it)"
            )
        imported = await import_customers(
            client,
            customers=options.customers,
            parallelism=read.parallelism,
            observer=read.observer,
        )
        return imported, notes


def render(item: Imported) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    out.write(
        f"# Imported by `layers-reconcile import` from project {printable(item.project_id)}.\n"
        "# Review it (brand overrides are not imported), then run `layers-reconcile plan`.\n"
    )
    yaml.dump(_with_todos(item), out)
    return out.getvalue()


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_commented(v) for v in value]
    return value


def _with_todos(item: Imported) -> Any:
    """The data with a `# TODO` comment at each key whose value import could not learn."""
    data = _commented(item.data)
    for path, comment in item.todos:
        parent = data
        for part in path[:-1]:
            parent = parent.get(part)
        if isinstance(parent, CommentedMap) and path[-1] in parent:
            parent.yaml_add_eol_comment(comment, path[-1])
    return data
