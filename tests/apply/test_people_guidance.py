"""What a person-gated step tells the user: how to finish a GitHub install without a partner
callback, a refused TikTok consent, an unknown installation id."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.apply.local import local_emulator, local_http
from tests.apply.support import (
    DATA,
    Api,
    copy_workspace,
    emulator,
    free_port,
    kill9,
    run_cli,
    start_cli,
)

CUSTOMER = "bluebird-labs-010"
OPEN = re.compile(r"open: (\S+)")

UNKNOWN_INSTALLATION = """\
customerExternalId: ghost-install-050
project:
  name: Ghost install
  timezone: UTC
github:
  installationId: 7777777
  returnUrl: https://app.your-partner.com/github/callback
  repo: ghost-org/ghost-app
"""


def opened(output: str, part: str) -> str:
    urls: list[str] = OPEN.findall(output)
    return next(u for u in urls if part in u)


def test_the_install_wait_says_how_to_finish_and_the_installation_id_finishes_it(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    with local_emulator(tmp_path, auto_consent=False) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = first.stdout + first.stderr
        assert first.returncode == 3, output
        hint = "after installing, put `github.installationId: N` (from the installation_id on"
        assert hint in output
        summary = output[output.rindex(f"… {CUSTOMER}") :]  # the exit-3 listing says it too
        assert "customers/bluebird.yaml, or have your callback register it" in summary
        # the person installs; nobody's callback receives the return URL
        answer = local_http(emu.url, key="").get(opened(output, "/github/"), follow_redirects=False)
        assert answer.status_code == 302
        installation_id = parse_qs(urlsplit(answer.headers["location"]).query)["installation_id"]
        file = ws / "customers/bluebird.yaml"
        file.write_text(
            file.read_text().replace(
                "github:\n", f"github:\n  installationId: {installation_id[0]}\n"
            )
        )
        second = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = second.stdout + second.stderr
        assert f"{CUSTOMER}/github: register done" in output
        assert "install the Layers GitHub App" not in output


def test_a_refused_consent_is_reported_with_the_new_url(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    with local_emulator(tmp_path, auto_consent=False) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = first.stdout + first.stderr
        assert first.returncode == 3, output
        url = opened(output, "/social/")
        state = parse_qs(urlsplit(url).query)["state"][0]
        answer = local_http(emu.url, key="").get(url + "&deny=1", follow_redirects=False)
        assert answer.status_code == 302
        second = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = second.stdout + second.stderr
        assert second.returncode == 3, output  # still waiting on people, not a failure
        assert f"the customer refused the TikTok consent (state {state}); a new URL:" in output
        fresh = opened(output, "/social/")
        assert fresh != url
        third = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert "the customer refused" not in third.stdout + third.stderr  # now simply pending


def test_an_unknown_installation_id_says_what_to_do(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/ghost.yaml").write_text(UNKNOWN_INSTALLATION)
    with local_emulator(tmp_path) as emu:
        result = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "ghost-install-050/github" in output
        assert (
            "check github.installationId: the installation does not exist or was uninstalled; "
            "remove it to get an install URL"
        ) in output
        Api(emu.url).close()


LOOPBACK = """\
customerExternalId: loopback-060
project:
  name: Loopback install
  timezone: UTC
github:
  repo: loopback-org/loopback-app
  platforms: [ios]
  returnUrl: http://127.0.0.1:{port}/github/callback
"""


def test_a_loopback_return_url_is_received_while_apply_waits(tmp_path: Path) -> None:
    """No partner callback: apply listens on the loopback returnUrl and registers the install."""
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    with emulator(tmp_path, auto_consent=False) as emu:
        # the port apply listens on, chosen just before it starts: the less time between, the
        # less chance another process binds it first
        (ws / "customers/loopback.yaml").write_text(LOOPBACK.format(port=free_port()))
        proc = start_cli(
            "apply", str(ws), "--auto-approve", "--wait-for-people", "1m", env=emu.env()
        )
        assert proc.stdout is not None
        seen: list[str] = []
        try:
            while not any("open: " in line for line in seen):
                line = proc.stdout.readline()
                assert line, "".join(seen)
                seen.append(line)
            assert "listening on http://127.0.0.1:" in "".join(seen)
            # the person installs; the emulator sends the browser back to the return URL
            answer = httpx.get(opened("".join(seen), "/github/"), follow_redirects=True, timeout=10)
            assert answer.status_code == 200, answer.text
            assert "registered" in answer.text
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                kill9(proc)
        assert proc.returncode == 0, "".join(seen) + output
        assert "loopback-060/ingest: run_job done" in output
