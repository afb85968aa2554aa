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
    Attempts,
    AuthError,
    JobFailedError,
    RateLimitedError,
    TransportError,
    UnexpectedAnswerError,
    UnknownStatusError,
    ValidationError,
)
from layers_reconcile.guidance import (
    API_SIDE,
    CHECK_KEY,
    CHECK_REACH,
    NEWER_API,
    NO_PLATFORM,
    ORG_ADMIN,
    REPO_NOT_COVERED,
    SLOW_DOWN,
    UNEXPECTED,
    WRONG_INSTALLATION,
    missing_scope,
    recovery_for,
    sentence,
)
from layers_reconcile.plan.ids import RESERVED_KEY
from layers_reconcile.plan.planner import not_planned
from tests.plan.builders import changed, converged, loaded
from tests.plan.test_diff import plan_of, spec

REPO = "quinns-coffee/vault-private"


def _plan_warning(code: str) -> str:
    data = spec(github={"repo": REPO})
    actual = converged(loaded(data).spec)
    assert actual.project is not None
    assert actual.project.metadata is not None
    actual.project.metadata[RESERVED_KEY]["ingest"].update(status="failed", error=code)
    actual.project = changed(actual.project, ingestState={"github": None})
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


def _tried(error: ApiError, *outcomes: str) -> ApiError:
    error.attempts = Attempts(outcomes)
    return error


def _plan_advice(error: ApiError) -> str:
    """What `plan` says beside a customer it could not read."""
    customer = not_planned(loaded(spec()), error).not_planned
    assert customer is not None
    return customer.advice


# One failed call per situation, and the advice that fits it (CONTRACT.md §2.4, CONTRACT-revb
# §1-2): on main, plan, apply and the CLI each decided it and disagreed on every row below.
ONE_ADVICE = {
    "a suspended key or org (503 KILL_SWITCH) is not the API's passing trouble": (
        ApiServerError("suspended", status=503, code="KILL_SWITCH", details={"scope": "key"}),
        "the API key or its organization is suspended: a child organization of yours is "
        "resumed by `organization: {suspended: false}` in its customer file",
    ),
    "a status this version does not know asks for an upgrade, not another URL": (
        UnknownStatusError("project p has status 'paused'", method="GET", path="/v1/projects/p"),
        NEWER_API,
    ),
    "an answer not of the contract's shape is never 'on the API's side, run again'": (
        UnexpectedAnswerError("no id", status=200, method="GET", path="/v1/projects"),
        UNEXPECTED,
    ),
    "a request that reached the API and lost its answer is no wrong URL": (
        _tried(
            TransportError("no answer in time", method="POST", path="/v1/projects"),
            "no answer in time",
        ),
        API_SIDE,
    ),
    "a refused key is the key, wherever it shows": (
        AuthError("bad key", status=401, code="UNAUTHENTICATED"),
        CHECK_KEY,
    ),
}


@pytest.mark.parametrize(("error", "advice"), ONE_ADVICE.values(), ids=list(ONE_ADVICE))
def test_plan_apply_and_the_cli_give_one_advice_for_one_failed_call(
    error: ApiError, advice: str
) -> None:
    said = sentence(advice).removesuffix(".")  # as a sentence (or the start of one)
    assert said in describe(error, "plan")
    assert advice in (failure_from("c-1/project", error).recovery or "")
    assert said in _plan_advice(error)


def test_a_missing_org_admin_is_named_by_apply_as_by_the_cli() -> None:
    # Rev B's control plane answers 403 FORBIDDEN_SCOPE without requiredScopes: every
    # /v1/organizations route needs org:admin (CONTRACT-revb §2), so that is the scope named.
    error = AuthError(
        "missing scope", status=403, code="FORBIDDEN_SCOPE", method="GET", path="/v1/organizations"
    )
    named = "the API key lacks the scope org:admin that `layers-reconcile apply` needs"
    recovery = failure_from("c-1/organization", error).recovery or ""
    assert recovery.startswith(named)
    assert ORG_ADMIN in recovery
    assert CHECK_KEY not in recovery
    assert sentence(named).removesuffix(".") in describe(error, "apply")


def test_a_code_in_details_is_shown_beside_the_errors_code_with_its_fix() -> None:
    error = ValidationError(
        "tiktokVideoId: is a video, not a slideshow",
        status=422,
        code="VALIDATION",
        details={"code": "NOT_A_SLIDESHOW"},
    )
    failure = failure_from("c-1/content/slides", error)
    assert failure.code == "VALIDATION/NOT_A_SLIDESHOW"
    assert (failure.recovery or "").startswith("slideshow_remix needs a slideshow post")
    assert "Slideshow_remix needs a slideshow post" in describe(error, "apply")
    # A code in details that is not more specific (the same one, or no code's shape) is not.
    same = ValidationError("bad", status=422, code="VALIDATION", details={"code": "VALIDATION"})
    prose = ValidationError("bad", status=422, code="VALIDATION", details={"code": "not a code"})
    assert failure_from("c-1/x", same).code == failure_from("c-1/x", prose).code == "VALIDATION"


def test_a_missing_app_description_says_how_long_rev_b_wants_it() -> None:
    # a description too short is not sent (the plan says so), and the builder then finds none
    fix = recovery_for("VALIDATION", "MISSING_APP_DESCRIPTION: slideshow-builder needs …")
    assert fix is not None
    assert "set brand.appDescription (100–1000 characters)" in fix
