"""--prune, --wait-for-publish, --timeout, and asking on a terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.apply.local import local_emulator, local_http
from tests.apply.support import (
    EXAMPLES,
    Api,
    cli_args,
    copy_workspace,
    due_post_customer,
    emulator,
    run_cli,
)
from tests.meanwhile import GUARD

PAST = due_post_customer("past-post-030", "A post that is due")


def test_prune_archives_only_what_this_workspace_stamped(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        (ws / "customers/bluebird-bakery.yaml").unlink()
        kept = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert kept.returncode == 0, kept.stdout + kept.stderr
        api = Api(emu.url)
        assert api.project("bluebird-bakery-002")["status"] == "active"
        pruned = run_cli("apply", str(ws), "--auto-approve", "--prune", env=emu.env())
        assert pruned.returncode == 0, pruned.stdout + pruned.stderr
        assert "bluebird-bakery-002/project: archive done" in pruned.stdout
        assert api.project("bluebird-bakery-002")["status"] == "archived"
        assert api.project("quinn-coffee-001")["status"] == "active"
        again = run_cli("plan", str(ws), "--prune", "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout
        api.close()


def test_orphans_held_back_by_max_archives_exit_1_until_a_later_run_archives_them(
    tmp_path: Path,
) -> None:
    """`--max-archives` holds orphans back: the run says which and exits 1 (it is not done, so
    a pipeline does not record it as applied); the next run archives the rest and exits 0."""
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        (ws / "customers/bluebird-bakery.yaml").unlink()
        (ws / "customers/acme-fitness.yaml").unlink()
        report = tmp_path / "report.md"
        args = ("apply", str(ws), "--auto-approve", "--prune", "--max-archives", "1")
        held = run_cli(*args, "--report", str(report), env=emu.env())
        assert held.returncode == 1, held.stdout + held.stderr
        assert "1 orphan held back by --max-archives" in held.stdout
        assert "apply --prune again" in held.stdout
        assert "**Held back:** 1 orphan held back by --max-archives" in report.read_text()
        api = Api(emu.url)
        statuses = {api.project(c)["status"] for c in ("bluebird-bakery-002", "acme-fitness-003")}
        assert statuses == {"active", "archived"}
        done = run_cli(*args, env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr
        assert "held back" not in done.stdout
        assert api.project("bluebird-bakery-002")["status"] == "archived"
        assert api.project("acme-fitness-003")["status"] == "archived"
        assert api.project("quinn-coffee-001")["status"] == "active"
        api.close()


def test_wait_for_publish_watches_the_posts_until_they_are_out(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    (ws / "customers/past.yaml").write_text(PAST)
    with local_emulator(tmp_path) as emu:
        result = run_cli("apply", str(ws), "--auto-approve", "--wait-for-publish", env=emu.env())
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "past-post-030/content/now/schedule/tiktok: post published" in output


def test_wait_for_publish_skips_posts_due_later_and_watches_the_current_round(
    tmp_path: Path,
) -> None:
    """A post for next year is not waited for; after a cancel and a put-back, the round-1 post
    is the one watched (not the canceled round-0 post)."""
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    later = PAST + (
        "      - account: tiktok\n        mode: direct_publish\n        at: 2027-11-05T17:00:00Z\n"
        "        id: next-year\n"
    )
    file = ws / "customers/past.yaml"
    future = later.replace("at: 2020-01-01T00:00:00Z", "at: 2027-10-01T08:00:00Z")
    file.write_text(future)
    with local_emulator(tmp_path) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert first.returncode == 0, first.stdout + first.stderr
        start = future.index(
            "      - account: tiktok\n        mode: direct_publish\n        at: 2027-10"
        )
        end = future.index("      - account: tiktok", start + 1)
        file.write_text(future[:start] + future[end:])  # the first entry is removed: canceled
        second = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert "cancel done" in second.stdout, second.stdout + second.stderr
        file.write_text(later)  # put back, now due: its round-1 post goes out at once
        result = run_cli(
            "apply", str(ws), "--auto-approve", "--wait-for-publish", env=emu.env(), timeout=60
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "past-post-030/content/now/schedule/tiktok: post published" in output
        assert (
            "past-post-030/content/now/schedule/next-year: queued, due 2027-11-05T17:00:00Z: "
            "after the wait ends, not watched" in output
        )


def test_timeout_stops_the_run_and_a_rerun_resumes(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with local_emulator(tmp_path, speed=20) as emu:  # the ingest alone takes 9-24 s here
        started = time.monotonic()
        result = run_cli(
            "--customer",
            "quinn-coffee-001",
            "apply",
            str(ws),
            "--auto-approve",
            "--timeout",
            "3s",
            env=emu.env(),
        )
        assert time.monotonic() - started < 30
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "timed out" in output
        api = Api(emu.url)
        reserved = api.project("quinn-coffee-001")["metadata"]["layersReconcile"]
        api.close()
        assert reserved["ingest"]["status"] == "running"  # recorded: the rerun waits on it


@dataclass
class AskingApply:
    """`apply` of one example customer on a pseudo-terminal, stopped at its question."""

    proc: subprocess.Popen[bytes]
    leader: int  # the terminal's side: what apply shows is read here, answers written here
    seen: bytes

    def read_until(self, marker: bytes | None) -> bool:
        """Read what apply shows until `marker` has been seen (None: until it exits and the
        terminal reads as closed); False if that did not come within GUARD seconds (a hang)."""
        deadline = time.monotonic() + GUARD
        while marker is None or marker not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self.leader], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(self.leader, 4096)
            except OSError:  # EIO: every process on the terminal has closed it
                chunk = b""
            if not chunk:
                return marker is None
            self.seen += chunk
        return True

    def read_to_the_end(self) -> str:
        """All it shows until it exits (the terminal then reads as closed), or the guard."""
        self.read_until(None)
        os.close(self.leader)
        return self.seen.decode(errors="replace")


def apply_asking(ws: Path, env: dict[str, str]) -> AskingApply:
    env = {**env, "TERM": "xterm"}
    env.pop("NO_COLOR")
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        cli_args("--customer", "bluebird-bakery-002", "apply", str(ws)),
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    asking = AskingApply(proc, leader, b"")
    if not asking.read_until(b"Apply these changes?"):
        proc.kill()
        proc.wait()
        raise AssertionError(f"apply did not ask: {asking.read_to_the_end()}")
    return asking


def test_on_a_terminal_apply_shows_the_plan_and_asks(tmp_path: Path) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with emulator(tmp_path) as emu:
        asking = apply_asking(ws, emu.env())
        os.write(asking.leader, b"y\n")
        text = asking.read_to_the_end()
        asking.proc.wait(GUARD)
    assert asking.proc.returncode == 0, text
    assert "bluebird-bakery-002/project" in text
    assert "Apply complete" in text


def test_one_ctrl_c_at_the_question_stops_apply_and_changes_nothing(tmp_path: Path) -> None:
    """The question is asked inside the command's event loop: one Ctrl-C there must stop the
    command (exit 130, "Interrupted." on a line of its own), as it does at any other moment."""
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with emulator(tmp_path) as emu:
        asking = apply_asking(ws, emu.env())
        asking.proc.send_signal(signal.SIGINT)
        try:
            asking.proc.wait(GUARD)  # before the fix, one Ctrl-C left it waiting for an answer
        except subprocess.TimeoutExpired:
            asking.proc.kill()
            asking.proc.wait()
        text = asking.read_to_the_end()
        api = Api(emu.url)
        projects = api.projects("bluebird-bakery-002")
        api.close()
    assert asking.proc.returncode == 130, text
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "")
    assert "\nerror: Interrupted." in plain, text
    assert projects == []  # nothing was changed


def test_a_pruned_customer_brought_back_gets_its_posts_again(tmp_path: Path) -> None:
    """Archiving cancels the project's queued posts: this workspace canceled them, so a file
    put back posts them again instead of reporting them as canceled by someone else."""
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    file = ws / "customers/quinns-coffee.yaml"
    text = file.read_text()
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        file.unlink()
        pruned = run_cli("apply", str(ws), "--auto-approve", "--prune", env=emu.env())
        assert "quinn-coffee-001/project: archive done" in pruned.stdout, pruned.stdout
        file.write_text(text)
        plan = run_cli("plan", str(ws), env=emu.env())
        assert "canceled outside this workspace" not in plan.stdout, plan.stdout
        assert "quinn-coffee-001/content/launch-hook/schedule/tiktok  schedule" in plan.stdout
        back = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert back.returncode == 0, back.stdout + back.stderr
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout


def test_apply_without_github_admin_when_the_plan_has_no_github_step(tmp_path: Path) -> None:
    """README: apply needs the scopes of the steps its plan has; a brand edit needs no
    github:admin (plan leaves the installations unchecked, apply must too)."""
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    with local_emulator(tmp_path) as emu:
        assert run_cli("apply", str(ws), "--auto-approve", env=emu.env()).returncode == 0
        scopes = ["projects:read", "content:read", "social:read", "publish:read", "jobs:read"]
        answer = local_http(emu.url, key="").post(
            "/_emulator/keys", json={"scopes": [*scopes, "projects:write"]}
        )
        env = {**emu.env(), "LAYERS_API_KEY": answer.json()["apiKey"]}
        file = ws / "customers/quinns-coffee.yaml"
        file.write_text(
            file.read_text().replace("tagline: Your cafe, skip", "tagline: Beans, skip")
        )
        done = run_cli("apply", str(ws), "--auto-approve", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "quinn-coffee-001/brand: update done" in done.stdout
