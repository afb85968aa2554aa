"""The plan's own CPU, without HTTP: a no-op plan of N converged customers, answers replayed.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/plan_diff.py --db /tmp/noop1000.db \
        [--customers 1000] [--repeat 5] [--against /tmp/main-checkout]

1. Copies the emulator state `--db` (customers seeded by `plan_noop.py`; never written) and
   serves it in this process (its ASGI app, no socket). Writes the matching workspace.
2. Plans once through the real client, recording every answer each client method returned
   (the parsed records), then plans again `--repeat` times with a client that hands those
   same answers back at once: what is timed (`time.process_time`, median) is the plan's own
   work: observe's bookkeeping, the diff, the plan's assembly (`cli.scope.scoped_plan`) and
   its output (`cli.plan._emit` of `plan --out FILE --format json`). Also timed alone:
   `diff_customer` of every customer, on the observed actual state.
3. `--against DIR` runs the same measurement on the code of another checkout (e.g. main:
   `git worktree add --detach /tmp/main main`) in a subprocess, right after this one, and
   checks that both wrote the same plan JSON, byte for byte (`createdAt` aside).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import inspect
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

Answers = dict[str, Any]
URL = "http://127.77.1.1:9"  # nothing listens there: every request goes to the app in process
NOW = datetime(2026, 12, 1, tzinfo=UTC)


class Recorder:
    """The real client, keeping what each of its coroutine methods returned, by call."""

    def __init__(self, real: Any, answers: Answers, prefix: str = "") -> None:
        self.__dict__.update(_real=real, _answers=answers, _prefix=prefix)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name == "inside":
            return lambda child: Recorder(attr(child), self._answers, f"{self._prefix}{child}/")
        if not inspect.iscoroutinefunction(attr):
            return attr

        async def recorded(*args: Any, **kw: Any) -> Any:
            answer = await attr(*args, **kw)
            if name == "whoami":  # unpaced, as plan_noop.py runs it: the tool's own cost
                self._real.pacer.configure(None)
            self._answers[_key(self._prefix, name, args, kw)] = answer
            return answer

        return recorded

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real, name, value)


class Replayer:
    """A client that answers every call with what the `Recorder` kept, at once."""

    def __init__(self, answers: Answers, prefix: str = "") -> None:
        self._answers = answers
        self._prefix = prefix
        self.revision = "a"

    def inside(self, child: str) -> Replayer:
        view = Replayer(self._answers, f"{self._prefix}{child}/")
        view.revision = self.revision
        return view

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def replayed(*args: Any, **kw: Any) -> Any:
            return self._answers[_key(self._prefix, name, args, kw)]

        return replayed


def _key(prefix: str, name: str, args: tuple[Any, ...], kw: dict[str, Any]) -> str:
    return f"{prefix}{name}{args!r}{sorted(kw.items())!r}"


def customer_file(ext: str) -> str:
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # after PYTHONPATH: --against's code is imported, not ours
    from tests.plan.seed import customer_yaml

    return customer_yaml(ext)


def workspace_at(root: Path, customers: int) -> Path:
    """The workspace of `customers` converged customers (as plan_noop.py writes it)."""
    ws = root / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "layers.yaml").write_text("workspace: bench\n")
    for ext in (f"bench-{i:05d}" for i in range(customers)):
        (ws / "customers" / f"{ext}.yaml").write_text(customer_file(ext))
    return ws


def planned(client: Any, workspace: Any) -> Any:
    """`plan WS` as the command makes it (`cli.scope.scoped_plan`), without the output."""
    from layers_reconcile.cli.common import Endpoint
    from layers_reconcile.cli.scope import run_scope, scoped_plan
    from layers_reconcile.emulator.settings import DEV_API_KEY

    scope = run_scope(workspace, (), None, None, root=str(workspace.root.resolve()))
    endpoint = Endpoint(URL, DEV_API_KEY)
    return scoped_plan(client, endpoint, workspace, scope, parallelism=8)


def record(db: Path, ws: Path) -> Answers:
    """Every answer a plan of `ws` gets from the emulator holding `db` (copied, in process)."""
    import httpx

    from layers_reconcile.client import LayersClient
    from layers_reconcile.config.loader import load_workspace
    from layers_reconcile.emulator.app import create_app
    from layers_reconcile.emulator.settings import DEV_API_KEY, EmulatorSettings

    state = ws.parent / "emulator.db"
    shutil.copyfile(db, state)
    app = create_app(EmulatorSettings(port=0, speed=1000, db=state))
    answers: Answers = {}

    async def recorded() -> Any:
        transport = httpx.ASGITransport(app=app)
        async with LayersClient(URL, DEV_API_KEY, transport=transport) as client:
            return await planned(Recorder(client, answers), load_workspace(ws))

    try:
        first = asyncio.run(recorded())
    finally:
        app.state.emulator.close()
    assert first.summary.changes == 0, f"not a no-op plan: {first.summary}"
    return answers


def actual_states(answers: Answers, ws: Path) -> list[Any]:
    """Each customer's observed state, as the plan's observation builds it from the answers."""
    from layers_reconcile.config.loader import load_workspace
    from layers_reconcile.plan.observe import observe_customer, observe_shared

    workspace = load_workspace(ws)

    async def observed() -> list[Any]:
        client: Any = Replayer(answers)
        shared = await observe_shared(client, github=False, read_only=True)
        listing = await client.list_projects()
        found: list[Any] = []
        for loaded in workspace.customers:
            ext = loaded.spec.customerExternalId
            listed = [p for p in listing if p.customer_external_id == ext]
            spec = loaded.spec
            found.append(await observe_customer(client, spec, shared, listed=listed))
        return found

    return asyncio.run(observed())


def measure(db: Path, customers: int, repeat: int, out: Path) -> dict[str, Any]:
    """Record once, then time the replayed plan `repeat` times (seconds of CPU, medians)."""
    import click
    from rich.console import Console

    from layers_reconcile.cli.common import run
    from layers_reconcile.cli.context import GlobalOptions
    from layers_reconcile.cli.plan import _emit, plan
    from layers_reconcile.config.loader import load_workspace
    from layers_reconcile.plan.diff import diff_customer

    work = Path(tempfile.mkdtemp(prefix="plan-diff-"))
    try:
        ws = workspace_at(work, customers)
        answers = record(db, ws)
        actuals = actual_states(answers, ws)
        workspace = load_workspace(ws)
        times: dict[str, list[float]] = {"diff": [], "plan": [], "emit": []}
        text = ""
        for _ in range(repeat):
            t = time.process_time()
            for loaded, actual in zip(workspace.customers, actuals, strict=True):
                diff_customer(loaded, actual, workspace.settings, now=NOW)
            times["diff"].append(time.process_time() - t)

            t = time.process_time()
            made = run(planned(Replayer(answers), workspace))  # the command's event loop
            times["plan"].append(time.process_time() - t)

            with (
                open(os.devnull, "w") as sink,
                contextlib.redirect_stdout(sink),
                click.Context(plan, obj=GlobalOptions()) as ctx,
            ):
                console = Console(file=sink)
                t = time.process_time()
                _emit(ctx, console, console, made, workspace, out, "json")
                times["emit"].append(time.process_time() - t)
            text = out.read_text(encoding="utf-8")
        # What differs from run to run: the time, and the temporary folder of the workspace.
        kept = re.sub(r'\n  "createdAt": "[^"]*",', "", text).replace(str(work.resolve()), "")
        return {
            "customers": len(workspace.customers),
            "requests": len(answers),
            "sha256": hashlib.sha256(kept.encode()).hexdigest(),
            **{name: statistics.median(values) for name, values in times.items()},
            "runs": times,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _show(label: str, figures: dict[str, Any]) -> None:
    total = figures["plan"] + figures["emit"]
    print(
        f"  {label:10} diff_customer ×{figures['customers']} {figures['diff']:6.3f} s   "
        f"plan (observe bookkeeping + diff + assembly) {figures['plan']:6.3f} s   "
        f"emit {figures['emit']:6.3f} s   plan+emit {total:6.3f} s"
    )


@contextlib.contextmanager
def _kept(path: Path | None) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="plan-diff-out-"))
    try:
        yield path or folder / "plan.json"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True, help="seeded emulator state (read)")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (median shown)")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--out", type=Path, help="keep the plan JSON written here")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a child run
    args = parser.parse_args()
    with _kept(args.out) as out:
        figures = measure(args.db, args.customers, args.repeat, out)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"no-op plan of {figures['customers']} customers, answers replayed ")
    print(f"(CPU seconds, median of {args.repeat}; {figures['requests']} distinct calls)")
    _show("this", figures)
    if args.against is None:
        return
    command = [sys.executable, __file__, "--db", str(args.db), "--json"]
    command += ["--customers", str(args.customers), "--repeat", str(args.repeat)]
    env = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    other = json.loads(done.stdout.splitlines()[-1])
    _show(args.against.name, other)
    same = "the same" if other["sha256"] == figures["sha256"] else "DIFFERENT"
    print(f"  plan JSON: {same} (sha256 {figures['sha256'][:16]}, createdAt and folder aside)")
    for name in ("diff", "plan", "emit"):
        print(f"  {name}: {other[name] / figures[name]:.2f}× faster than {args.against.name}")


if __name__ == "__main__":
    main()
