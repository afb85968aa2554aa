"""One advice per situation (layers_reconcile.guidance), whoever shows it: plan beside the rerun
of a failed ingest, apply's report of a failed step, the CLI's error line. The three copies it
replaced said different things about the same failure."""

from __future__ import annotations

import pytest

from layers_reconcile.apply.recovery import failure_from
from layers_reconcile.cli.common import describe
from layers_reconcile.errors import (
    ApiError,
    ApiServerError,
    AuthError,
    JobFailedError,
    RateLimitedError,
    TransportError,
)
from layers_reconcile.guidance import (
    API_SIDE,
    CHECK_KEY,
    CHECK_REACH,
    NO_PLATFORM,
    REPO_NOT_COVERED,
    SLOW_DOWN,
    WRONG_INSTALLATION,
    missing_scope,
    sentence,
)
from layers_reconcile.plan.ids import RESERVED_KEY
from tests.plan.builders import converged, loaded
from tests.plan.test_diff import plan_of, spec

REPO = "quinns-coffee/vault-private"


def _plan_warning(code: str) -> str:
    data = spec(github={"repo": REPO})
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata[RESERVED_KEY]["ingest"].update(status="failed", error=code)
    actual.project = actual.project.model_copy(update={"ingest_state": {"github": None}})
    (step,) = plan_of(data, actual).steps
    (warning,) = step.warnings
    return warning


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("installation_not_found", WRONG_INSTALLATION),
        ("PLATFORM_ERROR", WRONG_INSTALLATION),
        ("VALIDATION", REPO_NOT_COVERED.format(repo=REPO)),
        ("SDK_PATCH_GENERATION_FAILED", NO_PLATFORM),
    ],
)
def test_plan_and_apply_give_one_fix_for_a_failed_ingest(code: str, fix: str) -> None:
    assert _plan_warning(code) == fix + ", or it fails again"
    details = {"issues": [{"path": "repoFullName"}]} if code == "VALIDATION" else {}
    job = JobFailedError("failed", job_id="job_1", code=code, job={"error": details})
    assert failure_from("c-1/ingest", job, repo=REPO).recovery == fix + ", then apply again"


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (AuthError("bad key", status=401, code="UNAUTHENTICATED"), CHECK_KEY),
        (RateLimitedError("slow down", status=429, code="RATE_LIMITED"), SLOW_DOWN),
        (ApiServerError("boom", status=503, code="INTERNAL"), API_SIDE),
        (TransportError("connection refused"), CHECK_REACH),
    ],
)
def test_the_cli_and_apply_give_one_advice_for_a_failed_request(
    error: ApiError, advice: str
) -> None:
    assert sentence(advice) in describe(error, "apply")
    recovery = failure_from("c-1/project", error).recovery
    assert recovery is not None
    assert recovery.endswith(advice)


def test_a_missing_scope_reads_the_same_in_the_cli_and_in_apply() -> None:
    error = AuthError(
        "missing scope",
        status=403,
        code="FORBIDDEN_SCOPE",
        details={"requiredScopes": ["projects:write"]},
    )
    advice = (
        "lacks the scope projects:write that `layers-reconcile apply` needs; use a key with that "
        "scope (the README lists the scopes each command needs)"
    )
    assert advice in describe(error, "apply")
    assert advice in (failure_from("c-1/project", error).recovery or "")


def test_a_scope_the_api_did_not_name_reads_as_a_sentence() -> None:
    assert missing_scope([], "plan").startswith("the API key lacks a scope that `layers-reconcile")
    assert missing_scope(["content:read"], None).startswith(
        "the API key lacks the scope content:read that this command needs"
    )
