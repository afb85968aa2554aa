"""`import --update`: what people changed in Layers goes back into the files, comments kept."""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.config.yamledit import DELETE, Edit, set_values
from layers_reconcile.plan.ids import RESERVED_KEY, project_id_for
from tests.plan.seed import customer_yaml
from tests.plan.test_against_emulator import run_plan, seed, workspace

pytest.importorskip("layers_reconcile.emulator.server")

from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from layers_reconcile.emulator.server import EmulatorServer
from layers_reconcile.emulator.settings import EmulatorSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "customers"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorSettings(port=0, speed=1000)) as running:
        yield running


def commented(ext: str) -> str:
    """The seeded customer's file, as a person keeps it: comments, a flow mapping, odd spacing."""
    text = customer_yaml(ext).replace(
        "  metadata: {tier: gold}", "  metadata: {tier: gold}     # billing tier"
    )
    text = text.replace("brand:\n", "# What ingest cannot know about the brand.\nbrand:\n")
    return "# Customer file, kept by hand.\n" + text.replace(
        "approval:\n  requiresApproval: true",
        "approval:\n  requiresApproval: true   # the partner asked",
    )


async def people_change_things(server: EmulatorServer, ext: str) -> None:
    async with LayersClient(server.url, server.api_key) as client:
        pid = project_id_for(ext)
        project = await client.get_project(pid)
        assert project.metadata is not None
        reserved = project.metadata[RESERVED_KEY]
        await client.patch_project(
            pid,
            {
                "name": "Renamed In The UI",
                "brandContext": {"tagline": "Changed by the customer."},
                "metadata": {"tier": "platinum", RESERVED_KEY: reserved},
            },
        )
        await client.patch_approval_policy(pid, {"requiresApproval": False})


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_update_writes_peoples_changes_back_keeping_comments_and_plan_then_matches(
    server: EmulatorServer, tmp_path: Path
) -> None:
    seed(server, ["upd-1", "upd-2"])
    ws = workspace(tmp_path, {"upd-1": commented("upd-1"), "upd-2": commented("upd-2")})
    touched, untouched = ws / "customers" / "upd-1.yaml", ws / "customers" / "upd-2.yaml"
    original, other = touched.read_bytes(), untouched.read_bytes()
    assert run_plan(server, str(ws), "--detailed-exitcode").exit_code == 0
    asyncio.run(people_change_things(server, "upd-1"))
    assert run_plan(server, str(ws), "--detailed-exitcode").exit_code == 2

    result = CliRunner().invoke(
        cli, ["--api-url", server.url, "--api-key", server.api_key, "import", "--update", str(ws)]
    )
    assert result.exit_code == 0, result.output
    assert "1 customer file updated" in result.stdout
    assert untouched.read_bytes() == other  # nothing changed: not rewritten
    after = touched.read_text()
    assert changed_lines(original.decode(), after) == [
        "-  name: Customer upd-1",
        "+  name: Renamed In The UI",
        "-  metadata: {tier: gold}     # billing tier",
        "+  metadata: {tier: platinum} # billing tier",
        "-  requiresApproval: true   # the partner asked",
        "+  requiresApproval: false  # the partner asked",
        "-  tagline: Skip the line.",
        "+  tagline: Changed by the customer.",
    ]
    assert after.startswith("# Customer file, kept by hand.\n")
    assert "# What ingest cannot know about the brand.\n" in after

    plan = run_plan(server, str(ws), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout
    again = CliRunner().invoke(
        cli, ["--api-url", server.url, "--api-key", server.api_key, "import", "--update", str(ws)]
    )
    assert "0 customer files updated" in again.stdout
    assert touched.read_text() == after


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_editing_one_value_changes_only_its_line(example: str) -> None:
    text = (EXAMPLES / example).read_text()
    assert set_values(text, []) == text
    assert set_values(text, [Edit(("no", "such"), DELETE)]) == text
    edited = set_values(text, [Edit(("project", "timezone"), "Asia/Tokyo")])
    lines = changed_lines(text, edited)
    assert lines[-1] == "+  timezone: Asia/Tokyo"
    assert all(line.startswith("-  timezone: ") for line in lines[:-1]), lines


def mixed_layout(ext: str) -> str:
    """A customer file as people write them: `project:` indented 4, the rest 2, a flow mapping,
    a quoted string, comments."""
    text = customer_yaml(ext).replace(
        f"project:\n  name: Customer {ext}\n  timezone: Europe/Berlin\n  metadata: {{tier: gold}}\n",
        f"project:\n    name: Customer {ext}   # as on the invoice\n"
        "    timezone: Europe/Berlin\n    metadata: {tier: gold}\n",
    )
    text = text.replace(
        "brand:\n  tagline: Skip the line.\n",
        'brand:\n  # what the customer says about themselves\n  tagline: "Skip the line."\n',
    )
    return "# yaml-language-server: $schema=../schemas/customer.schema.json\n" + text


async def three_fields_change(server: EmulatorServer, ext: str) -> None:
    async with LayersClient(server.url, server.api_key) as client:
        pid = project_id_for(ext)
        project = await client.get_project(pid)
        assert project.metadata is not None
        await client.patch_project(
            pid,
            {
                "name": "Renamed, In The UI",
                "brandContext": {"tagline": "Changed by the customer."},
                "metadata": {"tier": "platinum", RESERVED_KEY: project.metadata[RESERVED_KEY]},
            },
        )


def test_update_keeps_each_files_own_indentation_and_flow_style(
    server: EmulatorServer, tmp_path: Path
) -> None:
    seed(server, ["upd-mixed"])
    ws = workspace(tmp_path, {"upd-mixed": mixed_layout("upd-mixed")})
    file = ws / "customers" / "upd-mixed.yaml"
    original = file.read_text()
    asyncio.run(three_fields_change(server, "upd-mixed"))
    result = CliRunner().invoke(
        cli, ["--api-url", server.url, "--api-key", server.api_key, "import", "--update", str(ws)]
    )
    assert result.exit_code == 0, result.output
    assert changed_lines(original, file.read_text()) == [
        "-    name: Customer upd-mixed   # as on the invoice",
        "+    name: 'Renamed, In The UI' # as on the invoice",
        "-    metadata: {tier: gold}",
        "+    metadata: {tier: platinum}",
        '-  tagline: "Skip the line."',
        '+  tagline: "Changed by the customer."',
    ]


def test_update_keeps_a_files_crlf_line_endings(server: EmulatorServer, tmp_path: Path) -> None:
    """A file saved on Windows (CRLF) gets the three changed lines, not a whole-file diff of
    line endings."""
    seed(server, ["upd-crlf"])
    ws = workspace(tmp_path, {"upd-crlf": mixed_layout("upd-crlf")})
    file = ws / "customers" / "upd-crlf.yaml"
    original = file.read_bytes().replace(b"\n", b"\r\n")
    file.write_bytes(original)
    asyncio.run(three_fields_change(server, "upd-crlf"))
    result = CliRunner().invoke(
        cli, ["--api-url", server.url, "--api-key", server.api_key, "import", "--update", str(ws)]
    )
    assert result.exit_code == 0, result.output
    after = file.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") == original.count(b"\r\n")
    assert changed_lines(original.decode(), after.decode()) == [
        "-    name: Customer upd-crlf   # as on the invoice",
        "+    name: 'Renamed, In The UI' # as on the invoice",
        "-    metadata: {tier: gold}",
        "+    metadata: {tier: platinum}",
        '-  tagline: "Skip the line."',
        '+  tagline: "Changed by the customer."',
    ]
