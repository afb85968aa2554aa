"""`ignore:`: fields people own in the Layers UI are shown as ignored and never changed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.plan.ids import project_id_for
from tests.apply.test_import_update import people_change_things
from tests.plan.seed import customer_yaml, seed_many
from tests.plan.test_against_emulator import run_plan, workspace

pytest.importorskip("layers_reconcile.emulator.server")

from click.testing import CliRunner, Result

from layers_reconcile.cli.main import cli
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings

IGNORE = "ignore: [project.name, project.metadata.tier, brand.tagline]\n"
SPEED = 1000  # the emulator's job speed, told to apply too (it polls jobs at that pace)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=SPEED)) as running:
        yield running


def seeded(server: EmulatorServer, root: Path, ext: str, text: str) -> Path:
    """A workspace of its own (no other test's project is an orphan in it) holding one customer
    whose project is seeded as a converged apply left it."""
    name = f"ws-{ext}"
    asyncio.run(seed_many(server.url, server.api_key, [ext], workspace=name))
    return workspace(root, {ext: text}, name=name)


def run_apply(server: EmulatorServer, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            *("--api-url", server.url, "--api-key", server.api_key),
            *("apply", "--auto-approve", "--job-speed", str(SPEED), *args),
        ],
    )


def project(server: EmulatorServer, ext: str) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        async with LayersClient(server.url, server.api_key) as client:
            found: dict[str, Any] = (await client.get_project(project_id_for(ext))).raw()
            found["policy"] = (await client.get_approval_policy(project_id_for(ext))).values()
            return found

    return asyncio.run(read())


def test_fields_people_own_show_as_ignored_exit_0_and_apply_leaves_them(
    server: EmulatorServer, tmp_path: Path
) -> None:
    ws = seeded(server, tmp_path, "own-1", customer_yaml("own-1") + IGNORE)
    asyncio.run(people_change_things(server, "own-1"))  # name, tier, tagline, requiresApproval

    text = run_plan(server, str(ws), "--detailed-exitcode")
    assert text.exit_code == 2, text.output  # requiresApproval is not ignored
    assert "own-1/approval" in text.stdout
    assert "ignored (ignore: people own these fields in Layers; apply leaves them):" in text.stdout
    assert 'project.name: Layers has "Renamed In The UI", the file says "Customer own-1"' in (
        text.stdout
    )
    assert text.stdout.count("project.metadata.tier") == 1
    assert text.stdout.count("brand.tagline") == 1
    assert "3 ignored differences" in text.stdout

    applied = run_apply(server, str(ws))
    assert applied.exit_code == 0, applied.output
    after = project(server, "own-1")
    assert after["name"] == "Renamed In The UI"
    assert after["metadata"]["tier"] == "platinum"
    assert after["brandContext"]["tagline"] == "Changed by the customer."
    assert after["policy"]["requiresApproval"] is True  # the field not ignored was reverted

    again = run_plan(server, str(ws), "--detailed-exitcode", "--format", "json")
    assert again.exit_code == 0, again.output
    doc = json.loads(again.stdout)
    (customer,) = doc["customers"]
    assert customer["steps"] == []
    assert [(i["field"], i["before"], i["after"]) for i in customer["ignored"]] == [
        ("project.name", "Renamed In The UI", "Customer own-1"),
        ("project.metadata.tier", "platinum", "gold"),
        ("brand.tagline", "Changed by the customer.", "Skip the line."),
    ]
    markdown = run_plan(server, str(ws), "--format", "markdown")
    assert '#       project.metadata.tier: Layers has "platinum"' in markdown.stdout


def test_an_ignored_metadata_key_keeps_its_value_when_another_key_is_applied(
    server: EmulatorServer, tmp_path: Path
) -> None:
    file = customer_yaml("own-2").replace("{tier: gold}", "{tier: gold, region: eu}")
    ws = seeded(server, tmp_path, "own-2", file + "ignore: [project.metadata.tier]\n")
    asyncio.run(people_change_things(server, "own-2"))

    applied = run_apply(server, str(ws))
    assert applied.exit_code == 0, applied.output
    after = project(server, "own-2")
    assert after["name"] == "Customer own-2"  # not ignored: reverted
    assert after["metadata"]["tier"] == "platinum"  # ignored: kept
    assert after["metadata"]["region"] == "eu"  # added by the file


def test_a_new_customer_is_created_with_the_ignored_fields_of_its_file(
    server: EmulatorServer, tmp_path: Path
) -> None:
    without_people = customer_yaml("own-3").split("social:")[0]  # no consent to wait on
    ws = workspace(tmp_path, {"own-3": without_people + IGNORE}, name="ignore-new")
    applied = run_apply(server, str(ws))
    assert applied.exit_code == 0, applied.output
    after = project(server, "own-3")
    assert after["name"] == "Customer own-3"
    assert after["metadata"]["tier"] == "gold"
    assert after["brandContext"]["tagline"] == "Skip the line."
    assert run_plan(server, str(ws), "--detailed-exitcode").exit_code == 0


def test_a_regenerate_for_a_brief_change_keeps_the_ignored_brief_field(
    server: EmulatorServer, tmp_path: Path
) -> None:
    file = customer_yaml("own-4").replace(
        "      hook: Your cafe, skip the line.\n",
        "      hook: A hook nobody approved.\n      cta: Order ahead\n",
    )
    ws = seeded(server, tmp_path, "own-4", file + "ignore: [content.launch.brief.hook]\n")
    planned = run_plan(server, str(ws))
    assert "own-4/content/launch  run job · content_regenerate" in planned.stdout, planned.output
    assert 'content.launch.brief.hook: Layers has "Your cafe, skip the line."' in planned.stdout

    applied = run_apply(server, str(ws))
    assert applied.exit_code == 0, applied.output
    containers = contents(server, "own-4")
    assert [(c["brief"]["hook"], c["brief"]["cta"]) for c in containers] == [
        ("Your cafe, skip the line.", "Order ahead")
    ]
    again = run_plan(server, str(ws), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert 'content.launch.brief.hook: Layers has "Your cafe, skip the line."' in again.stdout


def contents(server: EmulatorServer, ext: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        async with LayersClient(server.url, server.api_key) as client:
            return [dict(c) for c in await client.list_content(project_id_for(ext))]

    return asyncio.run(read())


def test_an_approval_update_leaves_the_ignored_policy_field(
    server: EmulatorServer, tmp_path: Path
) -> None:
    file = customer_yaml("own-5").replace(
        "  requiresApproval: true\n", "  requiresApproval: true\n  firstNPostsBlocked: 3\n"
    )
    ws = seeded(server, tmp_path, "own-5", file + "ignore: [approval.firstNPostsBlocked]\n")

    async def person_edits_policy() -> None:
        async with LayersClient(server.url, server.api_key) as client:
            await client.patch_approval_policy(
                project_id_for("own-5"), {"requiresApproval": False, "firstNPostsBlocked": 7}
            )

    asyncio.run(person_edits_policy())
    applied = run_apply(server, str(ws))
    assert applied.exit_code == 0, applied.output
    policy = project(server, "own-5")["policy"]
    assert (policy["requiresApproval"], policy["firstNPostsBlocked"]) == (True, 7)


def test_a_metadata_key_with_a_dot_is_ignored_like_any_other(
    server: EmulatorServer, tmp_path: Path
) -> None:
    """`ignore: [project.metadata]` covers every metadata key, also one written with a dot
    ("billing.plan"): apply reverted that one, as if people did not own it."""
    file = customer_yaml("own-dot").replace("{tier: gold}", '{tier: gold, "billing.plan": basic}')
    ws = seeded(server, tmp_path, "own-dot", file + "ignore: [project.metadata]\n")

    async def people_change_the_plan() -> None:
        async with LayersClient(server.url, server.api_key) as client:
            pid = project_id_for("own-dot")
            metadata = dict((await client.get_project(pid)).metadata or {})
            metadata.update({"tier": "platinum", "billing.plan": "pro"})
            await client.patch_project(pid, {"metadata": metadata})

    asyncio.run(people_change_the_plan())
    text = run_plan(server, str(ws), "--detailed-exitcode")
    assert text.exit_code == 0, text.output
    assert 'project.metadata.billing.plan: Layers has "pro", the file says "basic"' in text.stdout

    applied = run_apply(server, str(ws))
    assert applied.exit_code == 0, applied.output
    after = project(server, "own-dot")
    assert after["metadata"]["billing.plan"] == "pro"
    assert after["metadata"]["tier"] == "platinum"

    updated = CliRunner().invoke(
        cli, ["--api-url", server.url, "--api-key", server.api_key, "import", "--update", str(ws)]
    )
    assert updated.exit_code == 0, updated.output
    written = (ws / "customers" / "own-dot.yaml").read_text()
    assert '{tier: platinum, "billing.plan": pro}' in written, written
