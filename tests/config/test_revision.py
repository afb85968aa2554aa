"""What a customer file says that one API revision cannot take, at its line (config.revision)."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers_reconcile.config import LoadedCustomer, load_workspace
from layers_reconcile.config.revision import (
    NOT_SENT,
    UNSENDABLE,
    check_revision,
    unsupported_fields,
)
from layers_reconcile.errors import ConfigError, ConfigIssue

CUSTOMER = """customerExternalId: rev-one
project:
  name: Rev One
  timezone: UTC
approval:
  requiresApproval: true
  autoApproveAfter: PT24H
brand:
  tagline: Skip the line.
  brandVoice: Warm and specific.
influencer:
  gender: female
social:
  tiktok:
    returnUrl: http://localhost/done
content:
  launch:
    brief: {hook: Hi}
    schedule:
      - account: tiktok
        mode: managed
        at: "2027-06-01T10:00:00Z"
"""


def _loaded(tmp_path: Path, settings: str = "") -> list[LoadedCustomer]:
    (tmp_path / "customers").mkdir(exist_ok=True)
    (tmp_path / "layers.yaml").write_text("workspace: w\n" + settings)
    (tmp_path / "customers/one.yaml").write_text(CUSTOMER)
    return list(load_workspace(tmp_path).customers)


def _said(issues: list[ConfigIssue]) -> list[tuple[int, int, str, str]]:
    return [(i.line, i.col, i.severity, i.message.split(" ", 1)[0]) for i in issues]


def test_rev_b_cannot_take_the_timer_nor_a_free_text_voice(tmp_path: Path) -> None:
    [one] = _loaded(tmp_path)
    found = unsupported_fields(one.spec, one.source, str(one.path), "b")
    assert _said(found) == [
        (7, 21, NOT_SENT, "approval.autoApproveAfter"),
        (10, 15, NOT_SENT, "brand.brandVoice"),
    ]


def test_rev_a_cannot_send_managed_nor_create_an_influencer_without_a_name(
    tmp_path: Path,
) -> None:
    [one] = _loaded(tmp_path)
    found = unsupported_fields(one.spec, one.source, str(one.path), "a")
    assert _said(found) == [(12, 3, UNSENDABLE, "influencer:"), (21, 15, UNSENDABLE, "mode")]


def test_under_auto_what_is_not_sent_is_a_warning_and_what_cannot_be_sent_an_error(
    tmp_path: Path,
) -> None:
    customers = _loaded(tmp_path)
    warnings = check_revision(customers, "b", pinned=False)
    assert [w.split(": ", 1)[1].split(" ", 1)[0] for w in warnings["rev-one"]] == [
        "approval.autoApproveAfter",
        "brand.brandVoice",
    ]
    with pytest.raises(ConfigError) as pinned:
        check_revision(customers, "b", pinned=True)
    assert len(pinned.value.issues) == 2
    with pytest.raises(ConfigError) as on_a:
        check_revision(customers, "a", pinned=False)
    assert [i.line for i in on_a.value.issues] == [12, 21]


def test_a_pinned_revision_refuses_the_file_when_it_is_loaded(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        _loaded(tmp_path, "apiRevision: b\n")
    # beside the content entry's own (config.generation): no format is `auto`, which Rev B lacks
    assert [(i.line, i.col) for i in refused.value.issues] == [(7, 21), (10, 15), (17, 3)]
