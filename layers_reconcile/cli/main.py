"""Entry point. Subcommands are imported lazily so `--help` stays fast."""

from __future__ import annotations

import errno
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from contextlib import suppress
from types import ModuleType
from typing import Any, NoReturn

import click

from layers_reconcile import __version__, collector
from layers_reconcile.cli.exits import ExitCode, OutputFailed

# name -> (module:attribute, one-line help shown by --help without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("layers_reconcile.cli.validate:validate", "Check the workspace offline."),
    "plan": ("layers_reconcile.cli.plan:plan", "Show what apply would change."),
    "apply": ("layers_reconcile.cli.apply:apply", "Converge every customer."),
    "links": (
        "layers_reconcile.cli.links:links",
        "List the links people must open; renew the expired.",
    ),
    "import": (
        "layers_reconcile.cli.import_cmd:import_",
        "Write customer YAML from existing projects.",
    ),
    "schema": (
        "layers_reconcile.cli.schema:schema",
        "Write the JSON Schemas of the workspace files.",
    ),
    "emulator": ("layers_reconcile.cli.emulator:emulator", "Serve the local Layers API emulator."),
    "github": (
        "layers_reconcile.cli.github:github",
        "Post plans and apply reports to GitHub from CI.",
    ),
}


def _output_failed(reason: str) -> NoReturn:
    """Standard output cannot be written: say so on stderr (when it can be written), and send
    what is still buffered nowhere, so that Python's flush at exit adds no traceback."""
    with suppress(OSError):
        sys.stderr.write(f"error: cannot write the output: {reason}\n")
        sys.stderr.flush()
    with suppress(OSError, ValueError):  # ValueError: no file descriptor (a test's stream)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(ExitCode.ERROR)


def _os_error(exc: OSError) -> str:
    """`exc` as one line: the file it names (escaped, as every shown name) and why."""
    from layers_reconcile.printable import printable

    why = exc.strerror or type(exc).__name__
    if exc.filename is None:
        return why
    return f"{printable(os.fsdecode(exc.filename))}: {why}"


class LazyGroup(click.Group):
    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's `main`, but a usage error exits 1, not 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            exc.show()
            command = exc.ctx.command.name if exc.ctx is not None else None
            # The emulator is a server with its own tested contract (click's 2 for bad flags).
            # Others: click's 2 would read as "changes pending" under --detailed-exitcode.
            sys.exit(exc.exit_code if command == "emulator" else ExitCode.ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(ExitCode.ERROR)
        except OutputFailed as exc:
            _output_failed(str(exc))
        except OSError as exc:  # a file the command writes: a read-only or full file system
            click.echo(f"error: {_os_error(exc)}", err=True)
            sys.exit(ExitCode.ERROR)
        try:
            sys.stdout.flush()  # a full disk is met here, not in Python's flush at exit
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                _output_failed(exc.strerror or str(exc))
        sys.exit(code if isinstance(code, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _available(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attr = target[0].split(":")
        command: click.Command = getattr(_imported(module_name), attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _imported(module_name: str) -> ModuleType:
    """The command's module, imported (the first time) with the garbage collector paused."""
    module = sys.modules.get(module_name)
    if module is None:
        _skip_httpx_cli()
        # ~100,000 objects (modules, classes, pydantic validators) that live as long as the
        # process: not scanned while they are built (~45 ms of a plan's start), then frozen.
        with collector.Pause(freeze=True):
            module = importlib.import_module(module_name)
    return module


def _skip_httpx_cli() -> None:
    """httpx's `__init__` imports httpx's own command-line client (`httpx._main`: rich.progress,
    rich.syntax, pygments' lexers; ~15 ms) whenever click, rich and pygments are installed, as
    they are here. Nothing of ours runs it: marked absent before httpx is first imported, that
    import fails as without those packages, and `httpx.main` is httpx's stub saying so."""
    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]


def _available(name: str) -> bool:
    module_name = COMMANDS[name][0].split(":")[0]
    return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="layers-reconcile")
@click.option(
    "--api-url",
    envvar="LAYERS_API_URL",
    help="Base URL of the Layers API (env LAYERS_API_URL; default from layers.yaml, else https://api.layers.com).",
)
@click.option(
    "--api-key",
    envvar="LAYERS_API_KEY",
    show_default=False,
    help="API key (env LAYERS_API_KEY). Never printed or written anywhere.",
)
@click.option(
    "--emulator",
    "use_emulator",
    is_flag=True,
    help="Start the embedded Layers emulator; its state is kept under the workspace.",
)
@click.option(
    "--customer",
    "customers",
    multiple=True,
    metavar="ID",
    help="Only this customerExternalId (repeatable).",
)
@click.option("--parallelism", type=click.IntRange(1, 256), help="Customers reconciled at once.")
@click.option("--no-color", is_flag=True, help="Plain output (also when NO_COLOR is set).")
@click.option("-v", "--verbose", count=True, help="More detail; repeat for debug logs.")
@click.pass_context
def cli(
    ctx: click.Context,
    api_url: str | None,
    api_key: str | None,
    use_emulator: bool,
    customers: tuple[str, ...],
    parallelism: int | None,
    no_color: bool,
    verbose: int,
) -> None:
    """Plan and apply the onboarding of Layers customers from YAML in git."""
    from layers_reconcile.cli.common import Runtime, configure_logging
    from layers_reconcile.cli.context import GlobalOptions
    from layers_reconcile.cli.output import guard_output

    # A test's in-process run hands its runtime in as `obj` (`cli.main(obj=Runtime(...))`).
    runtime = ctx.obj if isinstance(ctx.obj, Runtime) else None
    ctx.obj = GlobalOptions(
        api_url=api_url,
        api_key=api_key,
        emulator=use_emulator,
        customers=customers,
        parallelism=parallelism,
        no_color=no_color or bool(os.environ.get("NO_COLOR")),
        verbose=verbose,
        runtime=runtime,
    )
    guard_output(ctx, api_key)
    configure_logging(verbose)


def main() -> None:
    collector.for_a_command()
    cli(prog_name="layers-reconcile")
