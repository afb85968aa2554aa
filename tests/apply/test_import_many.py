"""`import` of many projects: their reads run `--parallelism` at once through the one client,
it says on stderr how far it has read (the line plan prints), and it writes the same files in
the same order whatever the parallelism.

The real CLI in this process against the emulator's app (`tests/apply/local.py`), converged
customers seeded through the API (`tests/plan/test_reading_progress.py`'s helpers). The
command's clock moves only when a project is read, so which progress lines it prints is exact,
and no test waits.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
from click.testing import CliRunner

from layers_reconcile.cli.common import Runtime
from layers_reconcile.cli.main import cli
from tests.apply.local import LocalEmulator, local_emulator
from tests.apply.support import Api
from tests.plan.test_reading_progress import LINES_OF_12, _seeded, _Stepping, _transport

PROJECT_READ = re.compile(r"/v1/projects/[^/]+")  # one read of the project per customer


class _Watching(_Stepping):
    """The emulator's transport. A read of a project moves the command's clock on `step`
    seconds; every request lets the others run first, and the most requests for a project's
    own reads that were in flight at once are counted."""

    def __init__(self, inner: httpx.AsyncBaseTransport, step: float) -> None:
        super().__init__(inner, step)
        self.in_flight = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        own = request.url.path.startswith("/v1/projects/")
        if request.method == "GET" and PROJECT_READ.fullmatch(request.url.path):
            self.now += self.step
        self.in_flight += own
        self.most = max(self.most, self.in_flight)
        try:
            for _ in range(3):  # as a network would: the other customers' reads go out meanwhile
                await asyncio.sleep(0)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= own


class _Refusing(_Watching):
    """As `_Watching`, but the read of the project of customer `refused` is refused (403)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, refused: str) -> None:
        super().__init__(inner, 0.0)
        self.refused = refused

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith(f"/{self.refused}"):
            error = {"code": "FORBIDDEN", "message": "not yours", "requestId": "r", "details": {}}
            return httpx.Response(403, json={"error": error})
        return await super().handle_async_request(request)


def _import(
    emu: LocalEmulator, into: Path, step: float, *args: str, exit_code: int = 0, refused: str = ""
) -> tuple[str, str, int]:
    """`layers-reconcile ARGS import INTO` (stderr not a terminal: a CI log): its stdout, its
    stderr, and the most project reads it had in flight at once. `refused`: the id of a
    project whose read is refused."""
    watching = _Refusing(_transport(emu), refused) if refused else _Watching(_transport(emu), step)
    runtime = Runtime(clock=watching.clock, sleep=watching.sleep, transport=watching)
    environment = {**emu.env(), "LAYERS_API_URL": emu.url, "GITHUB_STEP_SUMMARY": ""}
    result = CliRunner().invoke(cli, [*args, "import", str(into)], env=environment, obj=runtime)
    assert result.exit_code == exit_code, result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.stderr
    return result.stdout, result.stderr, watching.most


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_long_import_says_how_far_it_has_read(tmp_path: Path) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        _seeded(tmp_path, emu, 12)
        out, err, _ = _import(emu, tmp_path / "slow", 10.0, "--parallelism", "1")
        quiet_out, quiet_err, _ = _import(emu, tmp_path / "quick", 0.0, "--parallelism", "1")
    # each project read takes 10 s: a line at 10 s, then every 30 s, and the last; then what
    # import printed before (stdout: the files written, as without the lines)
    assert err.splitlines() == [*LINES_OF_12, *quiet_err.splitlines()]
    assert "reading actual state" not in quiet_err  # read in no time: no progress line
    assert out.replace(f"{tmp_path}/slow", f"{tmp_path}/quick") == quiet_out
    assert "12 customer files written from 12 projects" in out


def test_import_reads_parallelism_projects_at_once_and_writes_the_same_files(
    tmp_path: Path,
) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        _seeded(tmp_path, emu, 12)
        one_out, _, one_at_once = _import(emu, tmp_path / "one", 0.0, "--parallelism", "1")
        four_out, _, four_at_once = _import(emu, tmp_path / "four", 0.0, "--parallelism", "4")
    assert one_at_once == 1
    assert four_at_once == 4  # never more than --parallelism customers read at once
    # the same files, byte for byte, reported in the same order
    assert _files(tmp_path / "one") == _files(tmp_path / "four")
    assert one_out.replace(f"{tmp_path}/one", f"{tmp_path}/four") == four_out
    assert four_out.count("customers/cafe-") == 12


def test_a_read_failing_half_way_writes_no_file(tmp_path: Path) -> None:
    with local_emulator(tmp_path, speed=1000) as emu:
        _seeded(tmp_path, emu, 12)
        api = Api(emu.url)
        refused = api.project("cafe-06")["id"]
        api.close()
        out, err, _ = _import(
            emu, tmp_path / "new", 0.0, "--parallelism", "4", exit_code=1, refused=refused
        )
    assert "not yours" in err
    assert "Traceback" not in out + err
    # the reads come first, the files after: a failed read leaves no customer file behind
    assert not list((tmp_path / "new").rglob("*.yaml"))
