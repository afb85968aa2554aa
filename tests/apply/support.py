"""The emulator as a subprocess, the real CLI in-process (or as a subprocess for the end-to-end
tests), and a small API reader for asserts."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.meanwhile import GUARD

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"
KEY = "lp_test_applytests_ThisKeyMustNeverAppearInAnyOutput0000000000"
SPEED = 600.0  # jobs: ingest ~0.5 s, content ~0.2 s, influencer ~0.1 s
LISTENING = re.compile(r"emulator listening on http://127\.0\.0\.1:(\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class EmulatorOptions:
    """What a test's emulator is started with, as a process (`Emulator`) or in the test's own
    process (`tests.apply.local.LocalEmulator`); `extra`: more of its command line."""

    db: Path
    speed: float = SPEED
    auto_consent: bool = True
    fault_rate: float = 0.0
    fault_seed: int | None = None
    extra: Sequence[str] = ()


@dataclass
class Emulator(EmulatorOptions):
    """`layers-reconcile emulator` in its own process, state in a SQLite file that outlives it."""

    port: int = 0  # the one it listens on, once started (it picks a free one itself)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Emulator:
        args = [
            sys.executable,
            "-m",
            "layers_reconcile",
            "emulator",
            "--port",
            "0",
            "--db",
            str(self.db),
            "--speed",
            str(self.speed),
            "--api-key",
            KEY,
        ]
        if self.auto_consent:
            args.append("--auto-consent")
        if self.fault_rate:
            args += ["--fault-rate", str(self.fault_rate)]
        if self.fault_seed is not None:
            args += ["--fault-seed", str(self.fault_seed)]
        args += list(self.extra)
        self.log = self.db.with_suffix(".log")
        with self.log.open("ab") as out:
            earlier = out.tell()  # a restart on the same state appends to the same log
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        self.port = self._listening(earlier)
        return self

    def _listening(self, earlier: int) -> int:
        """The port the emulator process says it listens on, once it says so (it is ready
        then). Port 0 lets it take a free one itself: a port picked here and passed on could
        be taken by another process in between."""
        assert self.proc is not None
        assert self.log is not None
        deadline = time.monotonic() + GUARD
        while time.monotonic() < deadline:
            with self.log.open("rb") as log:
                log.seek(earlier)
                said = LISTENING.search(log.read().decode(errors="replace"))
            if said:
                return int(said.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited: {self.log.read_text()}")
            time.sleep(0.02)
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError(f"the emulator did not start within {GUARD:g} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.url}/_emulator/stats", timeout=GUARD).json()
        return body

    def reset_stats(self) -> None:
        httpx.post(f"{self.url}/_emulator/stats/reset", timeout=GUARD)

    def hold(self, route: str, count: int) -> None:
        """Hold the emulator at the `count`-th request of `route` from now (`/_emulator/hold`)."""
        httpx.post(
            f"{self.url}/_emulator/hold", json={"route": route, "count": count}, timeout=GUARD
        ).raise_for_status()

    def held(self) -> int:
        """How many requests the hold keeps waiting now."""
        held: int = httpx.get(f"{self.url}/_emulator/hold", timeout=GUARD).json()["held"]
        return held

    def end_hold(self) -> None:
        """What the hold kept is dropped; requests are answered again."""
        httpx.delete(f"{self.url}/_emulator/hold", timeout=GUARD).raise_for_status()

    def env(self) -> dict[str, str]:
        return cli_env(self.url, self.speed)


def cli_env(url: str, speed: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERS_")}
    env.update(
        LAYERS_API_URL=url,
        LAYERS_API_KEY=KEY,
        LAYERS_RECONCILE_JOB_SPEED=str(speed),
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


@contextmanager
def emulator(tmp: Path, **kw: Any) -> Iterator[Emulator]:
    emu = Emulator(db=tmp / f"emulator-{free_port()}.sqlite3", **kw).start()
    try:
        yield emu
    finally:
        emu.stop()


def cli_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "layers_reconcile", *args]


def run_cli(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The real CLI in this process (click's CliRunner): `env` is its whole environment, `cwd`
    its directory, stdin is empty (not a terminal), stdout and stderr are kept apart. An
    exception that escapes the CLI is appended to stderr as the traceback a process would print.
    Against an in-process emulator (`tests.apply.local`, found by the URL in `env`) the CLI runs
    on its runtime. (`timeout` is pytest-timeout's job here.)"""
    from click.testing import CliRunner

    from layers_reconcile.cli.main import cli
    from tests.apply.local import runtime_for

    environment: dict[str, str | None] = {k: None for k in os.environ if k not in env}
    environment.update(env)
    before = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        runtime = runtime_for(env.get("LAYERS_API_URL"))
        result = CliRunner().invoke(cli, list(args), env=environment, obj=runtime)
    finally:
        os.chdir(before)
    stderr = result.stderr
    if result.exc_info is not None and not issubclass(result.exc_info[0], SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, stderr)


def run_cli_process(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The real CLI as its own process (`python -m layers_reconcile`), for end-to-end tests."""
    return subprocess.run(
        cli_args(*args),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def start_cli(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_args(*args),
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def kill9(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def kill_apply_after(emu: Emulator, ws: Path, route: str, count: int, *args: str) -> bool:
    """Start `apply --auto-approve` (and `args`) and SIGKILL it at its `count`-th request of
    `route`, once the emulator has carried that one out; False if apply finished without
    sending it. The emulator holds the request's answer and every request after it
    (`POST /_emulator/hold`), so the kill lands exactly there however busy the machine is:
    polling the stats and killing once they showed the count was a race that apply could win
    by going on, or finishing, first."""
    emu.reset_stats()
    emu.hold(route, count)
    proc = start_cli("apply", str(ws), "--auto-approve", *args, env=emu.env())
    try:
        deadline = time.monotonic() + GUARD
        while emu.held() == 0:
            if proc.poll() is not None:
                proc.communicate()
                return False
            if time.monotonic() > deadline:
                kill9(proc)
                raise AssertionError(f"apply neither reached {route} x{count} nor finished")
            time.sleep(0.005)
        kill9(proc)
        return True
    finally:
        emu.end_hold()


def due_post_customer(external_id: str, name: str) -> str:
    """A customer file whose one TikTok post was due long ago (2020): apply posts it at once."""
    return f"""\
customerExternalId: {external_id}
project:
  name: {name}
  timezone: UTC
social:
  tiktok:
    returnUrl: https://app.your-partner.com/social-complete
content:
  now:
    brief:
      hook: Out it goes.
    schedule:
      - account: tiktok
        mode: direct_publish
        at: 2020-01-01T00:00:00Z
"""


def copy_workspace(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".layers-emulator"))
    return dest


# The API revisions the end-to-end tests run against (the emulator's --api-revision).
REVISIONS = ("a", "b")
# The emulator's TikTok world: a video and a slideshow post a remix may start from (no run of
# eight characters of KEY in them, which the tool would mask wherever it reads them).
VIDEO_POST = "7312345678901234561"
SLIDESHOW_POST = "7312345678901234560"


def revision_args(revision: str) -> tuple[str, ...]:
    """The emulator's options for `revision` (Rev A is its default)."""
    return ("--api-revision", revision) if revision != "a" else ()


def for_revision(ws: Path, revision: str) -> Path:
    """A copied workspace (the examples, or the people data) as `revision` takes it. Rev B has
    no `format: auto` (nor a default: the content makes a slideshow from its hook there) and its
    remixes start from a post (`source:`); every other line is the same on both revisions."""
    if revision == "a":
        return ws
    for path in sorted((ws / "customers").glob("*.yaml")):
        text = path.read_text()
        text = text.replace("    format: auto ", "    format: slideshow_builder ")
        text = text.replace(
            "  first-post:\n    brief:", "  first-post:\n    format: slideshow_builder\n    brief:"
        )
        for fmt, post in (("video_remix", VIDEO_POST), ("slideshow_remix", SLIDESHOW_POST)):
            text = text.replace(
                f"    format: {fmt}\n",
                f'    format: {fmt}\n    source: {{tiktokVideoId: "{post}"}}\n',
            )
        path.write_text(text)
    return ws


class Api:
    """Reads the emulator through the public API, to assert what exists (no duplicates)."""

    def __init__(self, url: str, key: str = KEY) -> None:
        from tests.apply.local import local_http, runtime_for

        if runtime_for(url) is not None:  # an in-process emulator (tests.apply.local)
            self.http = local_http(url, key)
            return
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=10
        )

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params: Any) -> Any:
        for attempt in range(20):
            response = self.http.get(path, params=params)
            if response.status_code < 500 and response.status_code != 429:
                response.raise_for_status()
                return response.json()
            time.sleep(0.05 * (attempt + 1))
        response.raise_for_status()
        return response.json()

    def visit(self, url: str) -> httpx.Response:
        """A person opens `url` in a browser: a plain GET without the key, redirects not
        followed."""
        request = self.http.build_request("GET", url)
        del request.headers["Authorization"]
        return self.http.send(request, follow_redirects=False)

    def post(self, path: str, body: Any) -> Any:
        response = self.http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get(path, **params, **({"cursor": cursor} if cursor else {}))
            out += page["items"]
            cursor = page.get("nextCursor")
            if not cursor:
                return out

    def projects(self, customer: str) -> list[dict[str, Any]]:
        return self.items("/v1/projects", customerExternalId=customer)

    def project(self, customer: str) -> dict[str, Any]:
        found = self.projects(customer)
        assert len(found) == 1, f"{customer}: {len(found)} projects"
        full: dict[str, Any] = self.get(f"/v1/projects/{found[0]['id']}")
        return full

    def containers(self, project_id: str) -> list[dict[str, Any]]:
        return self.items(f"/v1/projects/{project_id}/content")

    def posts(self, project_id: str) -> list[dict[str, Any]]:
        return self.items(f"/v1/projects/{project_id}/scheduled-posts")

    def influencers(self, project_id: str) -> list[dict[str, Any]]:
        return self.items(f"/v1/projects/{project_id}/influencers")


def assert_no_duplicates(api: Api, workspace_customers: dict[str, dict[str, Any]]) -> None:
    """Exactly one project per customer, one container per content key and variant, one post
    per schedule entry (canceled posts of removed entries aside)."""
    for customer, expect in workspace_customers.items():
        projects = api.projects(customer)
        assert len(projects) == 1, f"{customer}: {len(projects)} projects"
        pid = projects[0]["id"]
        containers = api.containers(pid)
        assert len(containers) == expect["containers"], (
            f"{customer}: {len(containers)} containers, expected {expect['containers']}"
        )
        posts = [p for p in api.posts(pid) if p["status"] != "canceled"]
        assert len(posts) == expect["posts"], (
            f"{customer}: {len(posts)} live posts, expected {expect['posts']}"
        )
        per_entry = Counter(p["id"] for p in posts)
        assert all(n == 1 for n in per_entry.values()), f"{customer}: a post listed twice"


def expected_counts(workspace: Path) -> dict[str, dict[str, Any]]:
    """Containers and posts each customer of a workspace should have once converged."""
    from layers_reconcile.config.loader import load_workspace

    out: dict[str, dict[str, Any]] = {}
    for loaded in load_workspace(workspace).customers:
        contents = loaded.spec.content or {}
        out[loaded.spec.customerExternalId] = {
            "containers": sum(c.variants for c in contents.values()),
            "posts": sum(len(c.schedule) for c in contents.values()),
        }
    return out
