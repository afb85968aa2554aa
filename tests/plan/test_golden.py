"""Golden files: each folder under cases/ is desired YAML + observed state + the expected plan in
text, markdown and JSON. Regenerate after an intended change with

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/plan/test_golden.py

and review the diff like any other code change.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.config.settings import WorkspaceSpec
from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import build_plan, diff_customer
from layers_reconcile.plan.model import Plan
from layers_reconcile.render.json import render_json
from layers_reconcile.render.markdown import render_markdown
from layers_reconcile.render.text import plain_text
from tests.plan.builders import API_URL, NOW, WORKSPACE, load_case_file, read_yaml

CASES = Path(__file__).parent / "cases"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
ALL = sorted(p.name for p in CASES.iterdir() if (p / "customer.yaml").exists())


def case_plan(case: str) -> Plan:
    folder = CASES / case
    settings = WORKSPACE
    if (folder / "layers.yaml").exists():
        settings = WorkspaceSpec.model_validate(read_yaml((folder / "layers.yaml").read_text()))
    loaded = load_case_file(folder / "customer.yaml")
    actual = ActualCustomer.model_validate_json((folder / "actual.json").read_text())
    # A case of another API revision names it in `api-revision` (the run decided it: `auto`).
    spoken = folder / "api-revision"
    revision: ApiRevision | None = None
    if spoken.exists():
        revision = "b" if spoken.read_text().strip() == "b" else "a"
    customer = diff_customer(loaded, actual, settings, now=NOW, revision=revision or "a")
    return build_plan(
        [customer], now=NOW, workspace=settings.workspace, api_url=API_URL, api_revision=revision
    )


def renderings(plan: Plan) -> dict[str, str]:
    return {
        "plan.txt": plain_text(plan),
        "plan.md": "".join(render_markdown(plan)),
        "plan.json": render_json(plan),
    }


def test_every_required_case_exists() -> None:
    required = {
        "new-customer",
        "converged",
        "brand-drift",
        "brief-changed",
        "schedule-time-changed",
        "schedule-removed",
        "content-removed",
        "adopt-unstamped",
        "waits-on-people",
        "ingest-failed",
        "unmanaged-sections",
    }
    assert required <= set(ALL)


@pytest.mark.parametrize("case", ALL)
def test_golden(case: str) -> None:
    plan = case_plan(case)
    mismatched = []
    for name, text in renderings(plan).items():
        path = CASES / case / name
        if UPDATE:
            path.write_text(text)
            continue
        expected = path.read_text() if path.exists() else ""
        if text != expected:
            diff = difflib.unified_diff(
                expected.splitlines(),
                text.splitlines(),
                f"{name} (golden)",
                f"{name} (now)",
                lineterm="",
            )
            mismatched.append("\n".join(diff))
    assert not mismatched, "\n\n".join(mismatched) + "\n\n(UPDATE_GOLDEN=1 regenerates)"


@pytest.mark.parametrize("case", ALL)
def test_json_document_round_trips(case: str) -> None:
    plan = case_plan(case)
    again = Plan.from_document(json.loads(render_json(plan)))
    assert again == plan
    steps = [s for c in plan.customers for s in c.steps]
    assert again.summary.changes + sum(s.action == "wait_on_person" for s in steps) == len(steps)


def test_a_saved_plan_with_a_target_apply_cannot_read_is_refused_on_load() -> None:
    doc = json.loads(render_json(case_plan("new-customer")))
    doc["customers"][0]["steps"][0]["target"] = {"projectId": 5, "containerIdz": "c1"}
    with pytest.raises(ValueError, match="not a plan this version wrote") as refused:
        Plan.from_document(doc)
    message = str(refused.value)
    assert "customers.0.steps.0.target.projectId: Input should be a valid string" in message
    assert "target.containerIdz: Extra inputs are not permitted" in message
    assert message.endswith("make the plan again with `plan --out`")
