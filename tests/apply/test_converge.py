"""The real CLI against the emulator (in this process, `tests.apply.local`): the examples
converge, edits converge again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apply.local import LocalEmulator, local_emulator
from tests.apply.support import (
    EXAMPLES,
    KEY,
    REVISIONS,
    Api,
    assert_no_duplicates,
    copy_workspace,
    expected_counts,
    for_revision,
    revision_args,
    run_cli,
)

QUINN = "quinn-coffee-001"
QUINN_FILE = Path("customers/quinns-coffee.yaml")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(EXAMPLES, tmp_path / "ws")


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[LocalEmulator]:
    with local_emulator(tmp_path) as running:
        yield running


def apply_ok(ws: Path, emu: LocalEmulator, *extra: str) -> str:
    result = run_cli("apply", str(ws), "--auto-approve", *extra, env=emu.env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert KEY not in output
    return output


def planned(ws: Path, emu: LocalEmulator) -> list[tuple[str, str]]:
    """(address without the customer, action) of every step `plan --format json` shows."""
    result = run_cli("--customer", QUINN, "plan", str(ws), "--format", "json", env=emu.env())
    assert result.returncode == 0, result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return [
        (step["address"].split("/", 1)[1], step["action"])
        for customer in doc["customers"]
        for step in customer["steps"]
    ]


def no_changes(ws: Path, emu: LocalEmulator, *only: str) -> None:
    result = run_cli(*only, "plan", str(ws), "--detailed-exitcode", env=emu.env())
    assert result.returncode == 0, result.stdout + result.stderr


def edit(ws: Path, old: str, new: str) -> None:
    path = ws / QUINN_FILE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("revision", REVISIONS)
def test_the_examples_converge_and_plan_then_shows_no_changes(
    tmp_path: Path, revision: str
) -> None:
    workspace = for_revision(copy_workspace(EXAMPLES, tmp_path / "ws"), revision)
    with local_emulator(tmp_path, extra=revision_args(revision)) as emu:
        _examples_converge(workspace, emu, revision)


def _examples_converge(workspace: Path, emu: LocalEmulator, revision: str) -> None:
    output = apply_ok(workspace, emu)
    assert "Apply complete" in output
    assert f"API revision {revision.upper()}" in output.splitlines()[0]
    no_changes(workspace, emu)
    again = apply_ok(workspace, emu)
    assert "No changes" in again

    api = Api(emu.url)
    assert_no_duplicates(api, expected_counts(workspace))
    project = api.project(QUINN)
    assert project["name"] == "Quinns Coffee Co"
    assert project["metadata"]["tier"] == "gold"
    assert project["metadata"]["layersReconcile"]["workspace"] == "acme-agency-demo"
    assert project["brandContext"]["tagline"] == "Your cafe, skip the line."
    reserved = project["metadata"]["layersReconcile"]
    assert reserved["ingest"]["status"] == "completed"
    assert reserved["ingest"]["repo"] == "quinns-coffee/quinns-app"
    (container,) = api.containers(project["id"])
    assert container["approvalStatus"] == "approved"
    assert reserved["content"]["launch-hook"]["containerIds"] == [container["id"]]
    (post,) = api.posts(project["id"])
    assert post["status"] == "queued"
    assert post["scheduledFor"].startswith("2027-03-01T22:00:00")
    pinned = {i.get("id") or i["influencerId"]: i["name"] for i in api.influencers(project["id"])}
    assert pinned[reserved["influencerId"]] == "Maya — PNW cafe regular"
    api.close()


def test_each_edit_yields_exactly_its_steps_and_converges_again(
    workspace: Path, emu: LocalEmulator
) -> None:
    apply_ok(workspace, emu, "--customer", QUINN)
    api = Api(emu.url)
    project = api.project(QUINN)
    (container,) = api.containers(project["id"])
    (post,) = api.posts(project["id"])

    edit(
        workspace, "tagline: Your cafe, skip the line.", "tagline: Skip the line, keep the ritual."
    )
    assert planned(workspace, emu) == [("brand", "update")]
    apply_ok(workspace, emu, "--customer", QUINN)
    assert api.project(QUINN)["brandContext"]["tagline"] == "Skip the line, keep the ritual."

    edit(workspace, "cta: Download Quinns Coffee", "cta: Order ahead with Quinns")
    # Regenerating resets the approval (the policy requires one): approve: true approves again.
    assert planned(workspace, emu) == [
        ("content/launch-hook", "run_job"),
        ("content/launch-hook/approval", "approve"),
    ]
    apply_ok(workspace, emu, "--customer", QUINN)
    (regenerated,) = api.containers(project["id"])
    assert regenerated["id"] == container["id"]  # the same container, regenerated
    assert regenerated["approvalStatus"] == "approved"

    edit(workspace, "at: 2027-03-01T22:00:00Z", "at: 2027-03-02T18:30:00Z")
    assert planned(workspace, emu) == [("content/launch-hook/schedule/tiktok", "reschedule")]
    apply_ok(workspace, emu, "--customer", QUINN)
    (moved,) = api.posts(project["id"])
    assert moved["id"] == post["id"]
    assert moved["scheduledFor"].startswith("2027-03-02T18:30:00")

    text = (workspace / QUINN_FILE).read_text()
    start = text.index("    schedule:")
    (workspace / QUINN_FILE).write_text(text[:start])
    assert planned(workspace, emu) == [("content/launch-hook/schedule/tiktok", "cancel")]
    apply_ok(workspace, emu, "--customer", QUINN)
    (canceled,) = api.posts(project["id"])
    assert canceled["status"] == "canceled"
    no_changes(workspace, emu, "--customer", QUINN)
    assert len(api.projects(QUINN)) == 1
    api.close()


def test_a_schedule_entry_put_back_after_its_cancel_is_posted_again(
    workspace: Path, emu: LocalEmulator
) -> None:
    apply_ok(workspace, emu, "--customer", QUINN)
    api = Api(emu.url)
    project = api.project(QUINN)
    (first,) = api.posts(project["id"])
    original = (workspace / QUINN_FILE).read_text()
    start = original.index("    schedule:")
    (workspace / QUINN_FILE).write_text(original[:start])
    apply_ok(workspace, emu, "--customer", QUINN)
    assert [p["status"] for p in api.posts(project["id"])] == ["canceled"]

    (workspace / QUINN_FILE).write_text(original)  # the entry comes back: the file is the truth
    result = run_cli("--customer", QUINN, "plan", str(workspace), env=emu.env())
    assert "the previous post was canceled" in result.stdout, result.stdout + result.stderr
    assert planned(workspace, emu) == [("content/launch-hook/schedule/tiktok", "schedule")]
    apply_ok(workspace, emu, "--customer", QUINN)
    no_changes(workspace, emu, "--customer", QUINN)
    posts = api.posts(project["id"])
    queued = [p for p in posts if p["status"] == "queued"]
    assert len(posts) == 2
    assert len(queued) == 1
    assert queued[0]["id"] != first["id"]
    assert queued[0]["scheduledFor"].startswith("2027-03-01T22:00:00")
    api.close()


def test_a_post_canceled_outside_this_workspace_is_drift_not_republished(
    workspace: Path, emu: LocalEmulator
) -> None:
    apply_ok(workspace, emu, "--customer", QUINN)
    api = Api(emu.url)
    project = api.project(QUINN)
    (post,) = api.posts(project["id"])
    # Someone cancels the post in the Layers UI (here: by the API, with another key's hands).
    api.http.delete(f"/v1/scheduled-posts/{post['id']}").raise_for_status()

    result = run_cli("--customer", QUINN, "plan", str(workspace), env=emu.env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"{QUINN}/content/launch-hook/schedule/tiktok: drift: the post was canceled outside this "
        "workspace at 20" in result.stdout
    )
    assert "add `restore: true` to the entry to post it again" in result.stdout
    assert planned(workspace, emu) == []
    apply_ok(workspace, emu, "--customer", QUINN)  # an unrelated merge does not re-publish it
    assert [p["status"] for p in api.posts(project["id"])] == ["canceled"]

    edit(workspace, "        variant: 1 ", "        restore: true\n        variant: 1 ")
    assert planned(workspace, emu) == [("content/launch-hook/schedule/tiktok", "schedule")]
    apply_ok(workspace, emu, "--customer", QUINN)
    statuses = sorted(p["status"] for p in api.posts(project["id"]))
    assert statuses == ["canceled", "queued"]
    no_changes(workspace, emu, "--customer", QUINN)
    api.close()
