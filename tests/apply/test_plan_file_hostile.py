"""`apply PLANFILE` with a plan file that is not one: a device, a pipe, a document nested without
end, numbers of thousands of digits, customers or steps written twice. Each ends with exit 1 and
"not a plan file" before any API call, never a traceback and never "No changes"."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers_reconcile.cli.apply import read_plan
from tests.apply.local import LocalEmulator, local_emulator
from tests.apply.support import EXAMPLES, copy_workspace, run_cli
from tests.workspaces import write_workspace


@pytest.fixture(scope="module")
def saved(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalEmulator, dict[str, Any]]]:
    """A real plan of the examples, and the emulator it was made against (nothing applied)."""
    tmp = tmp_path_factory.mktemp("saved")
    ws = copy_workspace(EXAMPLES, tmp / "ws")
    plan_file = tmp / "plan.json"
    with local_emulator(tmp) as emu:
        made = run_cli("plan", str(ws), "--out", str(plan_file), env=emu.env())
        assert made.returncode == 0, made.stdout + made.stderr
        yield emu, json.loads(plan_file.read_text())


def _refused(emu: LocalEmulator, plan_file: Path, cwd: Path) -> str:
    emu.reset_stats()
    result = run_cli("apply", str(plan_file), env=emu.env(), cwd=cwd)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "No changes" not in output
    assert "not a plan" in output, output
    assert emu.stats()["total"] == 0
    return output


def test_a_plan_file_linked_to_dev_zero_is_refused(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "plan.json").symlink_to("/dev/zero")
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    assert "not a regular file (it is a device)" in output


def test_a_plan_file_that_is_a_fifo_is_refused_without_waiting(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    os.mkfifo(tmp_path / "plan.json")
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    assert "not a regular file (it is a named pipe)" in output


@pytest.mark.parametrize("depth", [100_000, 300])
def test_a_deeply_nested_plan_file_is_refused(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path, depth: int
) -> None:
    doc = json.dumps(saved[1])
    nested = "[" * depth + "]" * depth
    (tmp_path / "plan.json").write_text(doc[:-1] + f', "warnings": [{nested}]}}')
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    assert "nested" in output


def test_a_number_of_thousands_of_digits_is_refused(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    doc = json.dumps(saved[1])
    (tmp_path / "plan.json").write_text(doc[:-1] + f', "parallelism": {"9" * 5000}}}')
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    assert "set_int_max_str_digits" not in output
    assert "Exceeds the limit" not in output


def test_a_customer_twice_makes_the_plan_invalid(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    doc = json.loads(json.dumps(saved[1]))
    doc["customers"] = doc["customers"] + [doc["customers"][0]] * 50
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    first = saved[1]["customers"][0]["customerExternalId"]
    assert f"customer '{first}' is in it twice" in output
    assert output.count("is in it twice") == 1  # one clear error, not one per copy


def test_a_step_address_twice_makes_the_plan_invalid(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    doc = json.loads(json.dumps(saved[1]))
    customer = doc["customers"][0]
    customer["steps"] = customer["steps"] + [customer["steps"][0]]
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    assert f"step '{customer['steps'][0]['address']}' is in it twice" in output


def test_a_step_with_the_target_of_another_kind_is_refused_naming_the_step(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    # Each kind of step has its own target (plan.targets): a schedule's target pasted onto the
    # project step would have apply read ids the project step does not have.
    doc = json.loads(json.dumps(saved[1]))
    steps = [(c, s) for c, customer in enumerate(doc["customers"]) for s in customer["steps"]]
    c, project = next((c, s) for c, s in steps if s["kind"] == "project")
    schedule = next(s for _, s in steps if s["kind"] == "schedule")
    project["target"] = schedule["target"]
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    index = doc["customers"][c]["steps"].index(project)
    assert (
        f"customers.{c}.steps.{index}.target.platform: Extra inputs are not permitted in the "
        "target of a project step"
    ) in output
    assert "make the plan again with `plan --out`" in output


def test_a_transfer_of_no_credits_in_a_saved_plan_is_refused(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    doc = json.loads(json.dumps(saved[1]))
    customer = doc["customers"][0]
    customer["steps"].append(
        {
            "address": f"{customer['customerExternalId']}/organization/transfers/t1",
            "kind": "transfer",
            "action": "allocate",
            "target": {"transferId": "t1", "credits": 0},
        }
    )
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    output = _refused(saved[0], tmp_path / "plan.json", tmp_path)
    assert "target.credits: Input should be greater than 0 in the target of a transfer" in output


@settings(max_examples=40, deadline=None)
@given(
    depth=st.integers(1, 50_000),
    opener=st.sampled_from(["[", '{"a":']),
    where=st.sampled_from(["warnings", "customers", "orphans", "extra"]),
)
def test_a_plan_nested_to_any_depth_loads_or_is_not_a_plan_file(
    saved: tuple[LocalEmulator, dict[str, Any]], depth: int, opener: str, where: str
) -> None:
    closer = "]" if opener == "[" else "}"
    doc = json.dumps(saved[1])
    with tempfile.TemporaryDirectory() as folder:
        plan_file = Path(folder) / "plan.json"
        plan_file.write_text(doc[:-1] + f', "{where}": {opener * depth}1{closer * depth}}}')
        refused = "not a plan"
        try:
            read_plan(plan_file)
        except ValueError as exc:
            refused = str(exc)
    assert "not a plan" in refused


BOM = "\ufeff"


def test_a_plan_file_an_editor_saved_with_a_bom_is_the_same_plan(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path
) -> None:
    text = json.dumps(saved[1], indent=2)
    (tmp_path / "plain.json").write_text(text, encoding="utf-8")
    (tmp_path / "bom.json").write_text(BOM + text, encoding="utf-8")
    assert read_plan(tmp_path / "bom.json") == read_plan(tmp_path / "plain.json")


def test_a_plan_file_with_a_bom_applies(tmp_path: Path) -> None:
    customer = (
        "customerExternalId: bom-plan-001\nproject:\n  name: Saved with a BOM\n  timezone: UTC\n"
    )
    write_workspace(tmp_path / "ws", {"bom.yaml": customer}, name="bom")
    plan_file = tmp_path / "plan.json"
    with local_emulator(tmp_path) as emu:
        made = run_cli("plan", "ws", "--out", str(plan_file), env=emu.env(), cwd=tmp_path)
        assert made.returncode == 0, made.stdout + made.stderr
        plan_file.write_bytes(BOM.encode() + plan_file.read_bytes())
        applied = run_cli("apply", str(plan_file), env=emu.env(), cwd=tmp_path)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        again = run_cli("plan", "ws", "--detailed-exitcode", env=emu.env(), cwd=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize(
    ("encoding", "text"),
    [("utf-8", BOM + "not json"), ("utf-8", BOM + BOM + "{}"), ("utf-16", '{"formatVersion": 1}')],
)
def test_a_bom_excuses_nothing_else(
    saved: tuple[LocalEmulator, dict[str, Any]], tmp_path: Path, encoding: str, text: str
) -> None:
    (tmp_path / "plan.json").write_text(text, encoding=encoding)
    _refused(saved[0], tmp_path / "plan.json", tmp_path)
