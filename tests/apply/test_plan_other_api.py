"""A plan made against one Layers API (an account, an emulator) never authorizes changes against
another: `apply PLANFILE` and `apply --reviewed FILE` both refuse it, in the same words, exit 1,
before any request reaches the other API."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers_reconcile.cli.common import Endpoint
from layers_reconcile.cli.reviewed import check_same_api
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.model import Plan
from tests.apply.local import local_emulator
from tests.apply.support import EXAMPLES, copy_workspace, run_cli


@pytest.mark.parametrize("how", ["planfile", "reviewed"])
def test_a_plan_made_against_another_api_is_refused_before_any_request(
    tmp_path: Path, how: str
) -> None:
    ws = copy_workspace(EXAMPLES, tmp_path / "ws")
    saved = tmp_path / "plan.json"
    with local_emulator(tmp_path) as staging:
        made = run_cli("plan", str(ws), "--out", str(saved), env=staging.env())
        assert made.returncode == 0, made.stdout + made.stderr
    with local_emulator(tmp_path) as production:
        production.reset_stats()
        if how == "planfile":
            args = ["apply", str(saved), "--auto-approve"]
            what = "the plan"
        else:
            args = ["apply", "--reviewed", str(saved), str(ws), "--auto-approve"]
            what = "the reviewed plan"
        applied = run_cli(*args, env=production.env())
        requests = production.stats()["routes"]
    output = applied.stdout + applied.stderr
    assert applied.returncode == 1, output
    assert (
        f"{what} was made against {staging.url}, not {production.url}; "
        "make a new plan against this API"
    ) in " ".join(applied.stderr.split())
    assert not any(requests.values()), requests  # nothing read, nothing written
    assert "Traceback" not in output


def test_the_same_api_with_or_without_a_trailing_slash_is_the_same_api() -> None:
    plan = Plan(workspace="w", api_url="https://api.example.test/")
    check_same_api(plan, Endpoint(url="https://api.example.test", api_key="k"))
    with pytest.raises(ReconcileError, match=r"the plan was made against https://api\.example"):
        check_same_api(plan, Endpoint(url="https://other.example.test", api_key="k"))
    # the embedded emulator has a new URL each run: not another account
    check_same_api(plan, Endpoint(url="http://127.0.0.1:5", api_key="k", emulator=True))
