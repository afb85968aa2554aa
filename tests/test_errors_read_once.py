"""An error is read once, where it is made: a job's error object, code and request id (whichever
of the job's fields carried them); what apply acts on in an API error's `details`."""

from __future__ import annotations

from layers_reconcile.apply.recovery import failure_from
from layers_reconcile.errors import ApiError, ConflictError, JobFailedError, JobTimeoutError


def test_the_request_id_is_the_error_s_else_the_job_s() -> None:
    own = JobFailedError("x", job_id="j", job={"error": {"requestId": "req_e"}, "requestId": "r"})
    assert own.request_id == "req_e"
    assert JobFailedError("x", job_id="j", job={"requestId": "req_j"}).request_id == "req_j"
    assert JobFailedError("x", job_id="j", job={"requestId": 7}).request_id is None
    shown = failure_from("c-1/ingest", JobFailedError("x", job_id="j", job={"requestId": "r\x1b"}))
    assert shown.request_id == "r\\x1b"  # escaped like every id a server sends


def test_the_code_is_the_caller_s_else_the_error_s() -> None:
    sent = {"error": {"code": "SDK_PATCH_GENERATION_FAILED", "message": "m"}}
    assert JobTimeoutError("x", job_id="j", job=sent).code == "SDK_PATCH_GENERATION_FAILED"
    assert JobFailedError("x", job_id="j", code="CANCELED", job=sent).code == "CANCELED"
    assert JobFailedError("x", job_id="j", job={"error": "not an object"}).error == {}


def test_what_apply_acts_on_in_the_details_of_an_api_error() -> None:
    forbidden = ApiError(
        "no", status=403, code="FORBIDDEN_SCOPE", details={"requiredScopes": ["a"]}
    )
    assert forbidden.required_scopes == ("a",)
    assert "github:admin" in str(
        failure_from(
            "c/github",
            ApiError(
                "no",
                status=403,
                code="FORBIDDEN_SCOPE",
                details={"requiredScopes": ["github:admin"]},
            ),
        ).recovery
    )
    running = ConflictError("busy", status=409, details={"jobId": "job_9", "approvalStatus": 3})
    assert (running.running_job_id, running.approval_status) == ("job_9", None)
    bare = ApiError("x")
    assert (bare.required_scopes, bare.running_job_id, bare.approval_status) == ((), None, None)
