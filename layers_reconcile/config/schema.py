"""JSON Schemas of `layers.yaml` and of a customer file, generated from the models.

Editors (yaml-language-server) use them for completion and inline errors; they check structure
(keys, types, enums, ranges, patterns). Checks that need more than one field, or the time zone
database, are left to `validate`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.settings import WorkspaceSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
CUSTOMER_SCHEMA = "customer.schema.json"
WORKSPACE_SCHEMA = "workspace.schema.json"


def customer_schema() -> dict[str, Any]:
    body = _tidy(CustomerSpec.model_json_schema())
    return _document("Layers customer", body)


def workspace_schema() -> dict[str, Any]:
    body = _tidy(WorkspaceSpec.model_json_schema())
    partial = _without_required(copy.deepcopy(_tidy(CustomerSpec.model_json_schema())))
    defaults = body["properties"]["defaults"]
    for key in ("type", "additionalProperties", "anyOf"):
        defaults.pop(key, None)
    defaults["type"] = "object"
    defaults["additionalProperties"] = False
    defaults["properties"] = {
        name: prop for name, prop in partial["properties"].items() if name != "customerExternalId"
    }
    body["$defs"] = {**body.pop("$defs", {}), **partial.get("$defs", {})}
    return _document("Layers workspace settings (layers.yaml)", body)


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schemas() -> dict[str, str]:
    """File name → rendered text, for every schema."""
    return {
        WORKSPACE_SCHEMA: render(workspace_schema()),
        CUSTOMER_SCHEMA: render(customer_schema()),
    }


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema into `out_dir`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas().items():
        target = out_dir / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def stale_schemas(out_dir: Path) -> list[Path]:
    """The schema files in `out_dir` that are missing or differ from the models."""
    stale = []
    for name, text in schemas().items():
        target = out_dir / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
    return stale


def _document(title: str, body: dict[str, Any]) -> dict[str, Any]:
    head = {"$schema": DIALECT, "title": title}
    body.pop("title", None)
    return {**head, **body}


def _tidy(node: Any) -> Any:
    """Keys of a content map are checked with `propertyNames`, so that any other key is refused
    (pydantic's `patternProperties` alone would let a non-slug key through)."""
    if isinstance(node, dict):
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict) and len(patterns) == 1:
            ((pattern, value_schema),) = patterns.items()
            del node["patternProperties"]
            names = node.setdefault("propertyNames", {})
            names["pattern"] = pattern
            node["additionalProperties"] = value_schema
        for value in node.values():
            _tidy(value)
    elif isinstance(node, list):
        for item in node:
            _tidy(item)
    return node


def _without_required(node: Any) -> Any:
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _without_required(value)
    elif isinstance(node, list):
        for item in node:
            _without_required(item)
    return node
