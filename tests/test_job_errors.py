"""A job that ended badly is read once, where the error is made: its error object, its code and
the request id a person quotes to support, whichever of the job's fields carried them."""

from __future__ import annotations

from layers_reconcile.apply.recovery import failure_from
from layers_reconcile.errors import JobFailedError, JobTimeoutError


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
