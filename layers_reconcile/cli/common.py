"""What `plan` and `apply` share at the edge: where the API is, the key, the client, the console,
and one clear paragraph (and exit code) for each kind of failure."""

from __future__ import annotations

import asyncio
import difflib
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import click
import httpx
import sniffio
from rich.console import Console
from rich.text import Text

from layers_reconcile.advice import advice_for
from layers_reconcile.apirevision import SETTINGS, Pin, RevisionSetting
from layers_reconcile.apply.poll import SYSTEM_CLOCK, SYSTEM_SLEEP, Clock, Sleep
from layers_reconcile.cli.context import GlobalOptions
from layers_reconcile.cli.exits import of_error
from layers_reconcile.cli.output import guard_output
from layers_reconcile.client import LayersClient, network
from layers_reconcile.client.envelope import clean_api_key
from layers_reconcile.config.apiurl import (
    DEFAULT_API_URL,
    DOCUMENTED_API_HOST,
    api_url_problem,
    is_documented,
    is_public_api,
)
from layers_reconcile.config.checks import REAL_API
from layers_reconcile.config.issues import display_path
from layers_reconcile.config.loader import Workspace, load_workspace
from layers_reconcile.errors import (
    ApiError,
    ApiServerError,
    AuthError,
    ConfigError,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    ReconcileError,
)
from layers_reconcile.guidance import sentence
from layers_reconcile.plan.model import Plan
from layers_reconcile.plan.planner import DEFAULT_PARALLELISM

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Endpoint:
    """Where to send requests and with which key (the key is never shown)."""

    url: str
    api_key: str = field(repr=False)
    emulator: bool = False
    # How many times faster than documented its jobs run (the embedded emulator's --speed).
    job_speed: float = 1.0
    # Said in the plan's header: the URL came from layers.yaml and is not the documented host.
    note: str | None = None


def options_of(ctx: click.Context) -> GlobalOptions:
    return ctx.find_object(GlobalOptions) or GlobalOptions()


def command_options(
    ctx: click.Context,
    *,
    customers: tuple[str, ...] = (),
    parallelism: int | None = None,
    api_url: str | None = None,
    api_key: str | None = None,
    emulator: bool = False,
) -> GlobalOptions:
    """The global options with a command's own copies of them (`plan --customer a --api-url …`):
    the one rule plan and apply share. Customers add up (in order, once each); a command's
    value wins over the global one; --emulator on either turns the embedded emulator on."""
    given = options_of(ctx)
    guard_output(ctx, api_key)
    return replace(
        given,
        customers=tuple(dict.fromkeys(given.customers + customers)),
        parallelism=parallelism or given.parallelism,
        api_url=api_url or given.api_url,
        api_key=api_key or given.api_key,
        emulator=given.emulator or emulator,
    )


def parallelism_of(options: GlobalOptions, workspace: Workspace) -> int:
    """--parallelism, else layers.yaml `parallelism`, else the default."""
    return options.parallelism or workspace.settings.parallelism or DEFAULT_PARALLELISM


def make_console(options: GlobalOptions, *, stderr: bool = False) -> Console:
    """Coloured on a terminal; plain when piped, with --no-color or NO_COLOR."""
    return Console(
        stderr=stderr,
        no_color=True if options.no_color else None,
        color_system=None if options.no_color else "auto",
        highlight=False,
        soft_wrap=True,
    )


def load_or_exit(ctx: click.Context, path: Path | Sequence[Path], errors: Console) -> Workspace:
    """The validated workspace; on any file problem: every `file:line:col: message`, exit 1."""
    try:
        workspace = load_workspace(path)
    except ConfigError as exc:
        fail(ctx, errors, exc)
    for issue in workspace.warnings:
        if issue.severity == REAL_API:
            continue  # a missing returnUrl: plan decides, by the steps that need one
        errors.print(Text(f"{issue.where}: warning: {issue.message}", style="yellow"))
    return workspace


def plan_root_of(paths: tuple[Path, ...], workspace: Workspace) -> Path:
    """What a saved plan records as its root (absolute: it applies from any directory): the
    one PATH given, else the workspace folder."""
    if len(paths) == 1:
        return paths[0].resolve()
    return workspace.root.resolve()


def resolve_endpoint(options: GlobalOptions, workspace: Workspace) -> Endpoint:
    """--api-url / LAYERS_API_URL, then layers.yaml `apiUrl`, then the public API; the key from
    --api-key / LAYERS_API_KEY (click reads both options and environment)."""
    from_file = not options.api_url and workspace.settings.apiUrl is not None
    url = str(options.api_url or workspace.settings.apiUrl or DEFAULT_API_URL).strip()
    problem = api_url_problem(url)
    if problem is not None:
        where = "apiUrl in layers.yaml" if from_file else "the API URL (--api-url / LAYERS_API_URL)"
        raise ReconcileError(f"{where} {problem}.")
    if not options.api_key:
        raise ReconcileError(
            "No API key: set LAYERS_API_KEY or pass --api-key, or try everything locally "
            "with --emulator."
        )
    try:
        key = clean_api_key(options.api_key)
    except ValueError as exc:
        raise ReconcileError(f"LAYERS_API_KEY / --api-key: {exc}.") from None
    note = None
    if from_file and not is_public_api(url) and in_github_actions():
        at = _settings_line(workspace, "apiUrl")
        raise ReconcileError(
            f"{at}apiUrl in layers.yaml is {url}, not the documented API host "
            f"{DOCUMENTED_API_HOST}; "
            "in GitHub Actions the key is not sent to a host a workspace file chose: pin the API "
            "with --api-url or LAYERS_API_URL (a repository variable in the workflows)."
        )
    if from_file and not is_documented(url):
        note = (
            f"the API URL {url} comes from layers.yaml and is not the documented API host "
            f"{DOCUMENTED_API_HOST}: the API key is sent there (CI should pin --api-url)"
        )
    return Endpoint(url=url, api_key=key, note=note)


def _settings_line(workspace: Workspace, key: str) -> str:
    """`layers.yaml:LINE:COL: ` of a top-level key, for an error that points at it."""
    path = workspace.settings_path
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path else []
    except (OSError, UnicodeDecodeError):
        lines = []
    for number, line in enumerate(lines, start=1):
        if line.startswith(f"{key}:"):
            return f"{display_path(path)}:{number}:{len(key) + 3}: " if path else ""
    return ""


def revision_pin(options: GlobalOptions, workspace: Workspace) -> Pin:
    """The API revision a command asks for: --api-revision, else layers.yaml's `apiRevision`
    (else auto), with where it was said for the error that refuses it."""
    if options.api_revision is not None:
        return Pin(options.api_revision, f"--api-revision {options.api_revision}")
    setting = workspace.settings.apiRevision
    at = _settings_line(workspace, "apiRevision") if setting is not None else ""
    return Pin(setting, f"{at}apiRevision {setting}" if at else "")


def _api_revision(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.obj = replace(options_of(ctx), api_revision=cast(RevisionSetting, value))


def revision_option(command: F) -> F:
    """`--api-revision auto|a|b` of the commands that talk to the API; read by `revision_pin`."""
    return click.option(
        "--api-revision",
        "_api_revision",
        type=click.Choice(SETTINGS),
        expose_value=False,
        callback=_api_revision,
        help="The Layers API revision to speak: a (the onboarding guide's), b (today's docs) or "
        "auto (read from the API's whoami). Overrides apiRevision in layers.yaml; a pinned one "
        "the API does not speak is an error before any write.",
    )(command)


def in_github_actions() -> bool:
    """Running as a GitHub Actions job (which sets GITHUB_ACTIONS=true)."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


@contextmanager
def endpoint_for(options: GlobalOptions, workspace: Workspace) -> Iterator[Endpoint]:
    """The API to talk to: the embedded emulator with --emulator, else the configured one."""
    if options.emulator:
        from layers_reconcile.cli.embedded import EMBEDDED_SPEED, embedded_emulator

        pinned = options.api_revision or workspace.settings.apiRevision
        with embedded_emulator(workspace.root, revision="b" if pinned == "b" else "a") as (
            url,
            key,
        ):
            yield Endpoint(url=url, api_key=key, emulator=True, job_speed=EMBEDDED_SPEED)
        return
    yield resolve_endpoint(options, workspace)


def noted(plan: Plan, endpoint: Endpoint) -> Plan:
    """`plan` with the endpoint's note (a foreign API URL from layers.yaml) first in its header."""
    if endpoint.note is None or endpoint.note in plan.warnings:
        return plan
    return plan.model_copy(update={"warnings": [endpoint.note, *plan.warnings]})


@dataclass(frozen=True)
class Runtime:
    """The clock, the sleep and the transport a command runs on: the system's, or in a test a
    manual clock and an in-process app (nothing then waits for real)."""

    clock: Clock = SYSTEM_CLOCK
    sleep: Sleep = SYSTEM_SLEEP
    transport: httpx.AsyncBaseTransport | None = None


def build_client(
    endpoint: Endpoint, runtime: Runtime | None, *, rate_share: float = 1.0
) -> LayersClient:
    """A client on the command's runtime (`GlobalOptions.runtime`; None: the system's).
    `rate_share`: the part of the key's rate tier this run may use (1/N for a shard of N)."""
    runtime = runtime or Runtime()
    transport = runtime.transport
    if transport is None and endpoint.emulator:
        # the embedded emulator is on loopback, in this process: never behind a proxy
        transport = network.Transport()
    return LayersClient(
        endpoint.url,
        endpoint.api_key,
        rate_share=rate_share,
        transport=transport,
        clock=runtime.clock,
        sleep=runtime.sleep,
    )


def run(coro: Coroutine[Any, Any, T]) -> T:
    """The one event loop of a command. Logging (retries shown only with -v) is set once, by
    `configure_logging`, from the global and per-command -v."""
    result: list[T] = []

    async def main() -> None:
        # httpcore asks sniffio which event loop runs at every lock, event and shield it uses
        # (several a request); sniffio then looks for the current asyncio task. The loop is
        # asyncio's, said once here (sniffio's documented variable), for every task made below.
        sniffio.current_async_library_cvar.set("asyncio")
        # The main task's result stays None: on leaving, Python 3.11's asyncio.run writes the
        # repr of its Ctrl-C handler, which holds the task (`signal.getsignal`), and so of the
        # result: the whole plan, once or twice, thrown away.
        result.append(await coro)

    asyncio.run(main())
    return result[0]


class _StderrHandler(logging.Handler):
    """Writes to the `sys.stderr` of the moment (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


def configure_logging(verbose: int) -> None:
    """stderr logs of this package: WARNING by default, INFO with -v, DEBUG with -vv (the client
    logs method, path, status, attempt and requestId of every request; never a header). Each
    retry shows with -v."""
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
    logger = logging.getLogger("layers_reconcile")
    for old in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(old)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    # stamina's own retry line says only "stamina.retry_scheduled": the client logs each retry
    # itself, with what it met, the attempt and the wait (`Sender._log_retry`).
    logging.getLogger("stamina").setLevel(logging.ERROR)


def _no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.obj = replace(options_of(ctx), no_color=True)


def _more_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        options = options_of(ctx)
        ctx.obj = replace(options, verbose=options.verbose + value)
        configure_logging(options.verbose + value)


def output_options(command: F) -> F:
    """`--no-color` and `-v` after the subcommand too (`plan --no-color -vv`): they add to the
    global ones, which `options_of(ctx)` then reports."""
    command = click.option(
        "-v",
        "--verbose",
        "_verbose",
        count=True,
        expose_value=False,
        callback=_more_verbose,
        help="Same as the global -v (repeat for debug logs).",
    )(command)
    return click.option(
        "--no-color",
        "_no_color",
        is_flag=True,
        expose_value=False,
        callback=_no_color,
        help="Same as the global --no-color.",
    )(command)


def describe(exc: BaseException, command: str | None = None) -> str:
    """One paragraph a user can act on; never a traceback, never the key."""
    if isinstance(exc, ConfigError):
        return "\n".join(str(i) for i in exc.issues) or "the workspace is not valid"
    if isinstance(exc, ApiError):
        return _api_failed(exc, command)
    if isinstance(exc, JobFailedError):
        return f"Job {exc.job_id} failed" + (f" with {exc.code}" if exc.code else "") + f": {exc}."
    if isinstance(exc, JobTimeoutError):
        return f"Job {exc.job_id} was still running at the deadline: {exc}."
    if isinstance(exc, KeyboardInterrupt):
        return "Interrupted."
    return str(exc) or type(exc).__name__


def _api_failed(exc: ApiError, command: str | None) -> str:
    """A failed API call: what happened, then the advice `advice.advice_for` decides."""
    advice = advice_for(exc, command=command, quote_request=True)
    if advice is not None and advice.kind == "scope":
        return sentence(advice.text)  # names the request itself
    kind = None if advice is None else advice.kind
    if kind == "flaky":
        head = f"The Layers API request failed after {exc.attempts}: {exc}"
    elif kind in ("newer_api", "unexpected"):
        head = str(exc)
    elif kind in _HAPPENED:
        head = _HAPPENED[kind] + str(exc)
    elif isinstance(exc, AuthError):
        head = f"The Layers API refused the API key: {exc}"
    elif isinstance(exc, ApiServerError):
        head = f"The Layers API failed: {exc}"
    elif isinstance(exc, NotFoundError):
        head = f"The Layers API does not know this resource: {exc}"
    else:
        head = f"The Layers API refused a request: {exc}"
    return head + "." + ("" if advice is None else " " + sentence(advice.text))


# How the CLI's error line tells what happened, by the kind of advice it gets.
_HAPPENED = {
    "key": "The Layers API refused the API key: ",
    "reach": "Could not reach the Layers API: ",
    "slow_down": "The Layers API kept answering 429 RATE_LIMITED: ",
    "api_side": "The Layers API failed: ",
}


FAILURE_HOOK = "layers_reconcile.on_failure"  # ctx.meta: called with the message `fail` shows


def fail(ctx: click.Context, errors: Console, exc: BaseException) -> NoReturn:
    """Print `exc` as a user-facing message on stderr and stop with its exit code."""
    if isinstance(exc, ConfigError):
        said = [str(issue) for issue in exc.issues]
    else:
        said = [f"error: {describe(exc, ctx.info_name)}"]
    for line in said:
        errors.print(Text(line, style="red"))
    hook = ctx.meta.get(FAILURE_HOOK)
    if hook is not None:
        hook("\n".join(said))
    ctx.exit(of_error(exc))
    raise AssertionError("unreachable")  # ctx.exit raises


def check_customer_filter(
    ctx: click.Context,
    errors: Console,
    workspace: Workspace,
    customers: tuple[str, ...],
    prune: bool,
) -> None:
    """`--customer` must name a customer file, unless --prune looks for projects without one."""
    problem = customer_filter_problem(workspace, customers, prune)
    if problem is not None:
        fail(ctx, errors, ReconcileError(problem))


def customer_filter_problem(
    workspace: Workspace, customers: tuple[str, ...], prune: bool
) -> str | None:
    """What is wrong with `--customer` (each id naming no customer file), None when nothing."""
    known = sorted({c.spec.customerExternalId for c in workspace.customers})
    unknown = [c for c in customers if c not in set(known)]
    if not unknown or prune:
        return None
    lines = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        lines.append(f"--customer {name!r}: no customer file has this customerExternalId{hint}")
    where = display_path(workspace.root)
    files = "customer file" if len(known) == 1 else "customer files"
    lines.append(f"(the workspace at {where} has {len(known)} {files})")
    return "\n".join(lines)
