"""`layers-reconcile emulator`: serve the local Layers API until Ctrl-C."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click

from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import API_REVISIONS, RATE_LIMIT_TIERS, EmulatorSettings

F = TypeVar("F", bound=Callable[..., Any])


def _interrupt(signum: int, frame: FrameType | None) -> None:
    # The first Ctrl-C/SIGTERM stops the server; one more while it stops must not break that.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _choice(flag: str, choices: list[str], default: str, help: str) -> Callable[[F], F]:
    """A choice with a default shown in --help; `404`-style answers reach the settings as ints."""

    def value(_ctx: click.Context, _param: click.Parameter, chosen: str) -> str | int:
        return int(chosen) if chosen.isdigit() else chosen

    return click.option(
        flag,
        type=click.Choice(choices),
        default=default,
        show_default=True,
        callback=value,
        help=help,
    )


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8787,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file that keeps state across restarts (default: in memory).",
)
@click.option(
    "--speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Divide every documented job duration by this factor.",
)
@click.option(
    "--api-key",
    "emulator_key",
    metavar="KEY",
    help="The key clients must send (default: the global --api-key / LAYERS_API_KEY, else the "
    "emulator's dev key, which is printed).",
)
@click.option(
    "--auto-consent",
    is_flag=True,
    help="Complete every GitHub install and OAuth consent by itself.",
)
@click.option(
    "--fault-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of API requests that fail the way networks do.",
)
@click.option("--fault-seed", type=int, help="Seed of the fault generator (repeatable runs).")
@click.option(
    "--latency-ms",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Added to every API request.",
)
@click.option(
    "--rate-limit-tier",
    type=click.Choice(RATE_LIMIT_TIERS),
    help="Enforce this tier's per-class request rates (default: no limit; whoami says partner).",
)
@click.option(
    "--allow-return-domain",
    "allow_return_domains",
    multiple=True,
    metavar="HOST",
    help="Also allow this returnUrl host (repeatable; localhost, 127.0.0.1 and "
    "app.your-partner.com always are).",
)
@_choice(
    "--api-revision",
    list(API_REVISIONS),
    "a",
    "Which Layers API to serve: a (the onboarding guide's) or b (today's docs: Bearer only, "
    "prefixed ids, one generation route per format, /content-review-policy).",
)
@_choice(
    "--archived-child-status",
    ["404", "409"],
    "404",
    "Rev B: answer a parent key naming an archived child in X-Layers-Organization with "
    "404 NOT_FOUND or 409 CONFLICT (the docs are silent).",
)
@_choice(
    "--suspended-child-header",
    ["manage", "kill_switch"],
    "manage",
    "Rev B: a parent key naming a suspended child still acts there but spends nothing "
    "(manage), or gets 503 KILL_SWITCH (kill_switch).",
)
@_choice(
    "--child-rate-buckets",
    ["parent_key", "child"],
    "parent_key",
    "Rev B: a parent key's rate buckets are shared by every child it acts in, or per child.",
)
@_choice(
    "--child-idempotency",
    ["parent_key", "child"],
    "parent_key",
    "Rev B: a parent key's Idempotency-Key namespace is shared by every child, or per child.",
)
@_choice(
    "--migrate-targets",
    ["name_or_id", "name"],
    "name_or_id",
    "Rev B: a migrate mapping value org_<uuid> names an existing child (name_or_id), or, "
    "as the docs say of every value, a new child's name (name).",
)
@click.pass_context
def emulator(ctx: click.Context, /, emulator_key: str | None, **chosen: Any) -> None:
    """Serve the local Layers API emulator (no account, no network) until Ctrl-C."""
    options = ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()
    try:  # every option but --api-key is named as the setting it sets, which checks it
        settings = EmulatorSettings(api_key=emulator_key or options.api_key, **chosen)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    server = EmulatorServer(settings)
    try:
        server.start()
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}"
        ) from None
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        _announce(server, settings)
        server.wait()
    except KeyboardInterrupt:
        click.echo("Stopping the Layers API emulator.", err=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()


def _announce(server: EmulatorServer, settings: EmulatorSettings) -> None:
    url = server.url
    click.echo(f"Layers API emulator listening on {url}")
    if settings.uses_dev_key:
        click.echo(
            f"  API key:     {server.api_key}  (the emulator's dev key; --api-key sets your own)"
        )
        key_hint = server.api_key
    else:
        click.echo("  API key:     the key you passed (--api-key / LAYERS_API_KEY); not shown")
        key_hint = "$LAYERS_API_KEY"
    if settings.api_revision == "b":
        click.echo("  API:         revision B (today's docs; --api-revision a serves the guide's)")
        click.echo("  Auth header: Authorization: Bearer <key>   (the only form Rev B accepts)")
    else:
        click.echo("  Auth header: Authorization: Bearer <key>   (or X-Api-Key: <key>)")
    click.echo(f'  Try:         curl -H "Authorization: Bearer {key_hint}" {url}/v1/whoami')
    click.echo(f"  Reconciler:  layers-reconcile --api-url {url} --api-key <key> plan PATH")
    state = (
        f"SQLite file {settings.db}"
        if settings.db
        else "in memory (lost on exit; --db FILE keeps it)"
    )
    click.echo(f"  State:       {state}")
    extras = [f"speed x{settings.speed:g}"]
    if settings.auto_consent:
        extras.append("auto-consent")
    if settings.fault_rate:
        extras.append(f"fault rate {settings.fault_rate:g} (seed {settings.fault_seed})")
    if settings.latency_ms:
        extras.append(f"latency {settings.latency_ms:g} ms")
    extras.append(f"rate limits: {settings.rate_limit_tier or 'off'}")
    click.echo(f"  Options:     {', '.join(extras)}")
    click.echo(f"  Admin:       {url}/_emulator/stats (not part of the Layers API)")
    click.echo("Press Ctrl-C to stop.", nl=True)
