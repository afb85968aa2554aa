"""The emulator's OpenAPI 3.1 document, built from the routes and their request models.

Served at `GET /_emulator/openapi.json` (not part of the Layers API). It describes what the
emulator checks — methods, path and query parameters, request bodies, the error envelope and
which error statuses a route may answer — not the shapes of its successful answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from layers_reconcile.emulator import queries
from layers_reconcile.emulator.common import JSON
from layers_reconcile.emulator.pipeline import MUTATING, RouteSpec
from layers_reconcile.emulator.requests.shared import CreateKey, SetHold

REF = "#/components/schemas/{model}"
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "requestId", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "requestId": {"type": "string"},
                "details": {
                    "type": "object",
                    "properties": {
                        "issues": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["path", "message"],
                                "properties": {
                                    "path": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        }
                    },
                },
            },
        }
    },
}
_REASONS = {
    "400": "VALIDATION: the body is not JSON (or, on the PATCH routes that say so, invalid); "
    "IDEMPOTENCY_REQUIRED",
    "401": "UNAUTHENTICATED",
    "402": "BILLING_EXHAUSTED",
    "403": "FORBIDDEN_SCOPE, APPROVAL_REQUIRED",
    "404": "NOT_FOUND",
    "409": "CONFLICT, CONTENT_REJECTED, IDEMPOTENCY_CONFLICT",
    "410": "STATE_EXPIRED",
    "422": "VALIDATION (details.issues) or PLATFORM_ERROR",
    "429": "RATE_LIMITED",
    "500": "INTERNAL (an injected fault)",
    "503": "SERVICE_UNAVAILABLE (an injected fault), KILL_SWITCH (a suspended organization)",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    invalid_status: int = 422
    scopes: tuple[str, ...] = ()
    layers: bool = True  # a Layers API route: authenticated, rate limited, faults injected
    errors: tuple[str, ...] = ("404",)


# The emulator's own routes (routes/admin.py, routes/people.py): no auth, no faults.
EMULATOR_ROUTES = (
    Operation("GET", "/_emulator/openapi.json", layers=False, errors=()),
    Operation("GET", "/_emulator/stats", layers=False, errors=()),
    Operation("POST", "/_emulator/stats/reset", layers=False, errors=()),
    Operation("POST", "/_emulator/keys", body=CreateKey, layers=False, errors=("400",)),
    Operation("GET", "/_emulator/health", layers=False, errors=()),
    Operation("GET", "/_emulator/hold", layers=False, errors=()),
    Operation("POST", "/_emulator/hold", body=SetHold, layers=False, errors=("400",)),
    Operation("DELETE", "/_emulator/hold", layers=False, errors=()),
    Operation("POST", "/_emulator/social-accounts/{socialAccountId}/expire", layers=False),
    Operation(
        "GET",
        "/_emulator/github/install",
        query=queries.ConsentQuery,
        layers=False,
        errors=("404", "410"),
    ),
    Operation(
        "GET",
        "/_emulator/social/authorize",
        query=queries.ConsentQuery,
        layers=False,
        errors=("404", "410"),
    ),
)


def withdrawn_routes(revision: str) -> tuple[Operation, ...]:
    """Rev A routes Rev B answers `404 NOT_FOUND` although it serves their path otherwise."""
    if revision != "b":
        return ()
    return (Operation("POST", "/v1/projects/{projectId}/content", layers=False),)


def operation_of(spec: RouteSpec) -> Operation:
    errors = ("400", "404", "409") if spec.method in MUTATING else ("404",)
    return Operation(
        spec.method,
        spec.path,
        spec.body,
        spec.query,
        spec.invalid_status,
        spec.scopes,
        True,
        tuple(sorted({*errors, *spec.extra_errors})),
    )


def _parameters(op: Operation) -> list[JSON]:
    params: list[JSON] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query is None:
        return params
    props = op.query.model_json_schema(ref_template=REF)["properties"]
    multi: tuple[str, ...] = getattr(op.query, "multi", ())
    for name, field in op.query.model_fields.items():
        param: JSON = {"name": name, "in": "query", "required": field.is_required()}
        schema = props[name]
        branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
        schema = branches[0] if len(branches) == 1 else schema  # a query has no null
        param["schema"] = {k: v for k, v in schema.items() if k not in ("title", "default")}
        if name in multi:
            param.update(style="form", explode=False)
        params.append(param)
    return params


def _responses(op: Operation) -> JSON:
    statuses = set(op.errors)
    if op.body is not None or op.query is not None:
        statuses.add(str(op.invalid_status))
    if op.layers:
        statuses |= {"401", "403", "429", "500", "503"}
    out: JSON = {"2XX": {"description": "Success (see the Layers API reference for its shape)"}}
    error = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    for status in sorted(statuses):
        out[status] = {"description": _REASONS[status], "content": error}
    return out


def document(specs: Sequence[RouteSpec], revision: str = "a") -> JSON:
    """The OpenAPI 3.1 document of the emulator serving `specs` and its own routes."""
    ops = [*(operation_of(s) for s in specs), *withdrawn_routes(revision), *EMULATOR_ROUTES]
    models = sorted({op.body for op in ops if op.body is not None}, key=lambda m: m.__name__)
    _, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas: dict[str, Any] = {**defs.get("$defs", {}), "Error": _ERROR}
    paths: dict[str, JSON] = {}
    for op in ops:
        item: JSON = {
            "operationId": f"{op.method.lower()} {op.path}",
            "parameters": _parameters(op),
            "responses": _responses(op),
        }
        if op.scopes:
            item["description"] = "Scopes (any of): " + ", ".join(op.scopes)
        if not op.layers:
            item["security"] = []
        if op.body is not None:
            item["requestBody"] = {
                "required": any(f.is_required() for f in op.body.model_fields.values()),
                "content": {
                    "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
                },
            }
        paths.setdefault(op.path, {})[op.method.lower()] = item
    schemes: JSON = {"bearer": {"type": "http", "scheme": "bearer"}}
    if revision == "a":
        schemes["apiKey"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
    description = "What the layers-reconcile emulator accepts; see emulator/README.md."
    if revision != "a":
        description += f" API revision {revision.upper()} (--api-revision {revision})."
    return {
        "openapi": "3.1.0",
        "info": {"title": "Layers API emulator", "version": "1", "description": description},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": schemes},
        "security": [{name: []} for name in schemes],
    }
