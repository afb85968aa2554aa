"""The endpoint declarations (`client/endpoints.py`): one per endpoint, read by pacing and retries,
and in step with what the emulator serves."""

from __future__ import annotations

import re

import pytest

from layers_reconcile.client import endpoints
from layers_reconcile.client.endpoints import Endpoint, EndpointClass, lookup, rate_of
from layers_reconcile.client.retrying import repeatable
from layers_reconcile.emulator.routes import (
    content,
    generation,
    github,
    identity,
    influencers,
    jobs,
    organizations,
    projects,
    publishing,
    review,
    social,
)

SPECS = [
    *identity.routes(),
    *projects.routes(),
    *github.routes(),
    *influencers.routes(),
    *content.routes(),
    *generation.routes(),  # Rev B's per-format routes
    *review.routes(),  # Rev B's content review policy
    *social.routes(),
    *publishing.routes(),
    *jobs.routes(),
    *organizations.routes(),
]


def _sample(template: str) -> str:
    return re.sub(r"\{[A-Za-z_]+\}", "x_1", template)


def _shape(template: str) -> str:
    return re.sub(r"\{[A-Za-z_]+\}", "{}", template)


def test_each_endpoint_is_declared_once() -> None:
    keys = [(e.method, _shape(e.template)) for e in endpoints.ALL]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("endpoint", endpoints.ALL, ids=lambda e: f"{e.method} {e.template}")
def test_a_request_finds_its_own_declaration(endpoint: Endpoint[object]) -> None:
    path = _sample(endpoint.template)
    found = lookup(endpoint.method, path)
    assert found is not None
    # an endpoint with a fixed last segment wins over a placeholder (ingest/github, ingest/{x})
    assert (found.rate, found.retry_safe) == (endpoint.rate, endpoint.retry_safe)
    assert lookup(endpoint.method.lower(), path + "/?x=1") is found


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.label)
def test_every_emulated_route_is_paced_in_the_class_the_emulator_counts_it(spec: object) -> None:
    method, path = getattr(spec, "method"), getattr(spec, "path")  # noqa: B009
    assert rate_of(method, _sample(path)) == EndpointClass(getattr(spec, "klass"))  # noqa: B009


def test_every_declared_call_is_one_the_emulator_serves() -> None:
    served = {(s.method, _shape(s.path)) for s in SPECS}
    called = [e for e in endpoints.ALL if e not in endpoints._JOB_STARTS_NOT_CALLED]
    assert [e.template for e in called if (e.method, _shape(e.template)) not in served] == []


def test_paths_are_filled_with_escaped_segments() -> None:
    assert endpoints.GET_PROJECT.path("a/b c") == "/v1/projects/a%2Fb%20c"
    with pytest.raises(TypeError):
        endpoints.GET_PROJECT.path("p1", "p2")


@pytest.mark.parametrize(
    ("method", "path", "key", "expected"),
    [
        ("POST", "/v1/content/c1/approve", None, True),
        ("POST", "/v1/content/c1/schedule", None, False),
        ("POST", "/v1/content/c1/schedule", "k", True),
        ("POST", "/v1/github/installation", None, False),
        ("POST", "/v1/undeclared", None, False),
        ("DELETE", "/v1/undeclared", None, True),
        ("GET", "/v1/undeclared", None, True),
    ],
)
def test_repeatable_reads_the_declaration(
    method: str, path: str, key: str | None, expected: bool
) -> None:
    assert repeatable(method, path, idempotency_key=key) is expected
