"""The JSON Schemas: committed and up to date, documented, and in agreement with the loader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from layers_reconcile.config.loader import SETTINGS_NAMES
from layers_reconcile.config.schema import (
    CUSTOMER_SCHEMA,
    WORKSPACE_SCHEMA,
    customer_schema,
    schemas,
    workspace_schema,
)
from layers_reconcile.config.source import read_yaml

from .helpers import CASES, EXAMPLES, SCHEMAS, case_names

# Cases the schema sees as wrong: keys, types, enums, ranges, patterns.
REJECTED_BY_SCHEMA = {
    "bad-defaults",
    "bad-enum",
    "bad-mode-for-platform",
    "bad-return-url",
    "bad-slug",
    "bad-time",
    "file-is-a-list",
    "influencer-wrong-shape",
    "many-errors-one-file",
    "missing-required",
    "null-values",
    "past-schedule-is-no-finding",
    "reserved-metadata-key",
    "unknown-key",
    "unknown-top-level-key",
    "variants-out-of-range",
    "wrong-type",
}
# Cases only `validate` can see: the time zone database, references across fields and files.
ACCEPTED_BY_SCHEMA = {
    "bad-schedule-account",
    "bad-timezone",
    "dst-gap",
    "dst-overlap",
    "duplicate-account-variant-without-id",
    "duplicate-variant-ignores-entries-with-id",
    "duplicate-customer-id",
    "duplicate-key",
    "duplicate-schedule-id",
    "naive-time-without-timezone",
    "schedule-without-social",
}
# Cases that are not YAML documents at all.
NOT_A_DOCUMENT = {"bad-encoding", "empty-file", "yaml-syntax-error", "yaml-tab-indent"}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _documents(folder: Path) -> Iterator[tuple[Path, Any]]:
    for path in sorted(folder.rglob("*.y*ml")):
        parsed = read_yaml(path, path.name)
        yield path, parsed.data


def _schema_for(path: Path) -> dict[str, Any]:
    return workspace_schema() if path.name in SETTINGS_NAMES else customer_schema()


def test_committed_schemas_are_up_to_date() -> None:
    for name, text in schemas().items():
        committed = (SCHEMAS / name).read_text(encoding="utf-8")
        assert committed == text, f"schemas/{name} is stale: run `layers-reconcile schema`"


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in (customer_schema(), workspace_schema()):
        Draft202012Validator.check_schema(schema)


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            if key not in ("examples", "default"):
                yield from _properties(value, f"{where}.{key}" if key != "properties" else where)


def _conditional(where: str) -> bool:
    """Inside an if/then of the mode-per-platform rule: a constraint, not a field."""
    return ".if" in where or ".then" in where


@pytest.mark.parametrize("name", [CUSTOMER_SCHEMA, WORKSPACE_SCHEMA])
def test_every_field_has_a_description_and_examples(name: str) -> None:
    schema = customer_schema() if name == CUSTOMER_SCHEMA else workspace_schema()
    fields = [(where, prop) for where, prop in _properties(schema) if not _conditional(where)]
    assert len(fields) > 40
    for where, prop in fields:
        assert prop.get("description"), f"{where} has no description"
        assert prop.get("examples"), f"{where} has no examples"


@pytest.mark.parametrize("name", [CUSTOMER_SCHEMA, WORKSPACE_SCHEMA])
def test_every_field_example_is_valid_for_its_field(name: str) -> None:
    schema = customer_schema() if name == CUSTOMER_SCHEMA else workspace_schema()
    for where, prop in _properties(schema):
        if _conditional(where):
            continue
        validator = Draft202012Validator({"$defs": schema.get("$defs", {}), **prop})
        for example in prop.get("examples", []):
            errors = list(validator.iter_errors(example))
            assert not errors, f"example {example!r} of {where}: {errors[0].message}"


def test_every_example_file_is_accepted() -> None:
    documents = list(_documents(EXAMPLES))
    assert len(documents) == 4
    for path, data in documents:
        errors = list(_validator(_schema_for(path)).iter_errors(data))
        assert not errors, f"{path}: {errors[0].message}"


def test_every_invalid_case_is_classified() -> None:
    classified = REJECTED_BY_SCHEMA | ACCEPTED_BY_SCHEMA | NOT_A_DOCUMENT
    assert set(case_names()) == classified


@pytest.mark.parametrize("case", sorted(REJECTED_BY_SCHEMA))
def test_schema_rejects_structurally_invalid_cases(case: str) -> None:
    rejected = [
        path
        for path, data in _documents(CASES / case)
        if list(_validator(_schema_for(path)).iter_errors(data))
    ]
    assert rejected, f"the schema accepts every file of {case}"


@pytest.mark.parametrize("case", sorted(ACCEPTED_BY_SCHEMA))
def test_schema_accepts_cases_only_validate_can_see(case: str) -> None:
    for path, data in _documents(CASES / case):
        errors = list(_validator(_schema_for(path)).iter_errors(data))
        assert not errors, f"{path}: {errors[0].message}"


def test_every_customer_example_names_the_schema_relative_to_itself() -> None:
    for path in sorted((EXAMPLES / "customers").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/customer.schema.json"
        assert (path.parent / "../../schemas/customer.schema.json").resolve().is_file()
    first = (EXAMPLES / "layers.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/workspace.schema.json"


def test_the_schemas_know_ignore_in_a_file_and_in_defaults() -> None:
    customer = Draft202012Validator(customer_schema())
    file = {"customerExternalId": "c-1", "project": {"name": "C"}}
    assert customer.is_valid({**file, "ignore": ["project.metadata.tier", "content.*.brief"]})
    assert not customer.is_valid({**file, "ignore": ["github.branch"]})
    assert not customer.is_valid({**file, "ignore": "brand"})
    workspace = Draft202012Validator(workspace_schema())
    assert workspace.is_valid({"defaults": {"ignore": ["brand.tagline"]}})
    assert not workspace.is_valid({"defaults": {"ignore": ["influencer"]}})
