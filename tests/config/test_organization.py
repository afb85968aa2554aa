"""The `organization:` block of a customer file: what validate accepts, refuses, and where."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.config import load_workspace

from .helpers import NOW
from .test_loader import MINIMAL, errors_of, write

SETTINGS = "workspace: ws\n"
BLOCK = """organization:
  name: Acme Coffee
  billingEmail: billing@acme.example
  metadata: {plan: pro}
  credits:
    monthlyCap: 5000
    autoRefill: {threshold: 1000, amount: 2000}
    transfers:
      - {id: initial, credits: 5000, description: onboarding}
  suspended: false
"""


def _customer(block: str) -> str:
    return MINIMAL + block


def _at(error: str, line: int) -> bool:
    """The error is reported in the customer file at that line."""
    return f"customers/c.yaml:{line}:" in error


def test_the_issue_s_block_is_valid_and_read_as_written(tmp_path: Path) -> None:
    write(tmp_path, {"layers.yaml": SETTINGS, "customers/c.yaml": _customer(BLOCK)})
    assert errors_of(tmp_path) == []
    org = load_workspace(tmp_path, now=NOW).customers[0].spec.organization
    assert org is not None
    assert org.credits is not None
    assert org.credits.autoRefill is not None
    assert (org.name, org.billingEmail, org.metadata, org.suspended) == (
        "Acme Coffee",
        "billing@acme.example",
        {"plan": "pro"},
        False,
    )
    assert (org.credits.monthlyCap, org.credits.autoRefill.amount) == (5000, 2000)
    assert [(t.id, t.credits) for t in org.credits.transfers or []] == [("initial", 5000)]


def test_a_file_without_the_block_stays_flat(tmp_path: Path) -> None:
    write(tmp_path, {"layers.yaml": SETTINGS, "customers/c.yaml": MINIMAL})
    assert load_workspace(tmp_path, now=NOW).customers[0].spec.organization is None


def test_each_broken_rule_is_named_at_its_line(tmp_path: Path) -> None:
    block = """organization:
  name: ""
  metadata: {externalId: mine}
  credits:
    autoRefill: {threshold: 1000}
    transfers:
      - {id: initial, credits: 5000}
      - {id: initial, credits: 10}
      - {id: second, credits: 0}
"""
    write(tmp_path, {"layers.yaml": SETTINGS, "customers/c.yaml": _customer(block)})
    errors = errors_of(tmp_path)
    assert any(_at(e, 5) and "empty" in e for e in errors), errors
    assert any(_at(e, 6) and "'externalId' is the tool's own key" in e for e in errors), errors
    assert any(_at(e, 8) and "'amount'" in e for e in errors), errors  # threshold without amount
    assert any(_at(e, 11) and "transfer id 'initial' is already used" in e for e in errors), errors
    assert any(_at(e, 12) and "more than 0" in e for e in errors), errors


def test_metadata_limits_of_the_api(tmp_path: Path) -> None:
    long_key = "k" * 41
    many = ", ".join(f"k{i}: v" for i in range(47))
    cases = {
        f"organization:\n  metadata: {{{long_key}: v}}\n": "41 characters; the API allows 1–40",
        f"organization:\n  metadata: {{plan: {'v' * 501}}}\n": "(501 characters; at most 500)",
        f"organization:\n  metadata: {{{many}}}\n": "at most 46",
        "organization:\n  metadata: {plan: 3}\n": "string",
    }
    for block, expected in cases.items():
        write(tmp_path, {"layers.yaml": SETTINGS, "customers/c.yaml": _customer(block)})
        errors = errors_of(tmp_path)
        assert len(errors) == 1, errors
        assert _at(errors[0], 5), errors
        assert expected in errors[0], errors


def test_auto_refill_null_and_cap_null_mean_remove(tmp_path: Path) -> None:
    block = "organization:\n  credits: {monthlyCap: null, autoRefill: null}\n"
    write(tmp_path, {"layers.yaml": SETTINGS, "customers/c.yaml": _customer(block)})
    assert errors_of(tmp_path) == []
    organization = load_workspace(tmp_path, now=NOW).customers[0].spec.organization
    assert organization is not None
    credits = organization.credits
    assert credits is not None
    assert {"monthlyCap", "autoRefill"} <= credits.model_fields_set
    assert (credits.monthlyCap, credits.autoRefill) == (None, None)


def test_a_child_needs_the_workspace_name_it_is_stamped_with(tmp_path: Path) -> None:
    write(tmp_path, {"layers.yaml": "parallelism: 2\n", "customers/c.yaml": _customer(BLOCK)})
    errors = errors_of(tmp_path)
    assert len(errors) == 1, errors
    assert _at(errors[0], 4), errors
    assert "needs `workspace:` in layers.yaml" in errors[0]


def test_defaults_fill_in_the_block_only_where_a_customer_has_one(tmp_path: Path) -> None:
    settings = SETTINGS + "defaults:\n  organization: {billingEmail: ops@partner.example}\n"
    write(
        tmp_path,
        {
            "layers.yaml": settings,
            "customers/flat.yaml": MINIMAL,
            "customers/child.yaml": MINIMAL.replace("c-001", "c-002") + "organization: {}\n",
        },
    )
    assert errors_of(tmp_path) == []
    specs = {c.spec.customerExternalId: c.spec for c in load_workspace(tmp_path, now=NOW).customers}
    assert specs["c-001"].organization is None
    child = specs["c-002"].organization
    assert child is not None
    assert child.billingEmail == "ops@partner.example"
