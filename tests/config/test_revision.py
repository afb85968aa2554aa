"""What a customer file says that one API revision cannot take, at its line (config.revision):
one rule for the customer's sections and its content entries, one message shape for both."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers_reconcile.config import LoadedCustomer, load_workspace
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.revision import (
    NOT_SENT,
    UNSENDABLE,
    check_revision,
    found_in,
    revision_notes,
)
from layers_reconcile.errors import ConfigError

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
    format: ugc_remix
    brief: {hook: Hi, cta: Download}
    schedule:
      - account: tiktok
        mode: managed
        at: "2027-06-01T10:00:00Z"
"""
SOURCE = {"tiktokVideoId": "7300000000000000003"}


@pytest.fixture(autouse=True)
def _in_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # files are shown relative to the working directory


def _loaded(tmp_path: Path, settings: str = "", text: str = CUSTOMER) -> list[LoadedCustomer]:
    (tmp_path / "customers").mkdir(exist_ok=True)
    (tmp_path / "layers.yaml").write_text("workspace: w\n" + settings)
    (tmp_path / "customers/one.yaml").write_text(text)
    return list(load_workspace(tmp_path).customers)


def _said(customers: list[LoadedCustomer], revision: str) -> list[tuple[int, int, str, str]]:
    return [
        (f.mark.line, f.mark.col, f.note.kind, f.note.message.split(" ", 1)[0])
        for f in found_in(customers, "b" if revision == "b" else "a")
    ]


def test_rev_b_cannot_take_the_timer_a_free_text_voice_nor_a_cta_one_table_for_both_kinds(
    tmp_path: Path,
) -> None:
    assert _said(_loaded(tmp_path), "b") == [
        (7, 21, NOT_SENT, "approval.autoApproveAfter"),
        (10, 15, NOT_SENT, "brand.brandVoice"),
        (19, 23, NOT_SENT, "`brief.cta`"),  # a content entry's field: at its key
    ]


def test_rev_a_cannot_send_managed_nor_create_an_influencer_without_a_name(
    tmp_path: Path,
) -> None:
    assert _said(_loaded(tmp_path), "a") == [
        (12, 3, UNSENDABLE, "influencer:"),
        (22, 15, UNSENDABLE, "mode"),
    ]


def test_under_auto_what_is_not_sent_is_a_warning_at_its_line_for_sections_and_content(
    tmp_path: Path,
) -> None:
    customers = _loaded(tmp_path)
    warnings = check_revision(customers, "b", pinned_by=None)
    why = "(the API speaks Rev B; pin apiRevision to make this an error)"
    assert [w.split(": ", 1)[0] for w in warnings["rev-one"]] == [
        "customers/one.yaml:7:21",
        "customers/one.yaml:10:15",
        "customers/one.yaml:19:23",
    ]
    assert all(w.endswith(why) for w in warnings["rev-one"])
    assert warnings["rev-one"][2] == (
        "customers/one.yaml:19:23: `brief.cta` is not sent: Rev B's routes take only the hook "
        + why
    )


def test_what_a_revision_cannot_do_is_an_error_either_way_and_a_pin_makes_every_note_one(
    tmp_path: Path,
) -> None:
    customers = _loaded(tmp_path)
    with pytest.raises(ConfigError) as on_a:
        check_revision(customers, "a", pinned_by=None)
    assert [(i.line, i.message[-22:]) for i in on_a.value.issues] == [
        (12, "(the API speaks Rev A)"),
        (22, "(the API speaks Rev A)"),
    ]
    assert on_a.value.issues[1].message == (
        "mode 'managed' exists only in Rev B of the Layers API: use direct_publish or "
        "draft_to_device, or pin apiRevision: b against a Rev B API (the API speaks Rev A)"
    )
    with pytest.raises(ConfigError) as pinned:
        check_revision(customers, "b", pinned_by="--api-revision b")
    assert [str(i) for i in pinned.value.issues] == [
        "customers/one.yaml:7:21: approval.autoApproveAfter has no equivalent in Rev B of the "
        "Layers API: its review policy approves automatically, the first N items, or none, never "
        "after a delay; remove it (pinned by --api-revision b)",
        "customers/one.yaml:10:15: brand.brandVoice is not one of Rev B's voices (authentic, witty, "
        "professional, warm, casual, educational): it is not sent; change it to fit, or "
        "remove it (pinned by --api-revision b)",
        "customers/one.yaml:19:23: `brief.cta` is not sent: Rev B's routes take only the hook "
        "(pinned by --api-revision b)",
    ]


def test_a_pinned_revision_refuses_both_kinds_when_the_file_is_loaded_in_one_shape(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError) as refused:
        _loaded(tmp_path, "apiRevision: b\n")
    assert [(i.line, i.col, i.message.split(" ", 1)[0]) for i in refused.value.issues] == [
        (7, 21, "approval.autoApproveAfter"),
        (10, 15, "brand.brandVoice"),
        (19, 23, "`brief.cta`"),
    ]
    assert all(i.message.endswith(" (apiRevision: b)") for i in refused.value.issues)


def test_a_pinned_revision_names_the_customer_of_a_default_it_cannot_take(
    tmp_path: Path,
) -> None:
    settings = "apiRevision: b\ndefaults:\n  approval: {autoApproveAfter: PT1H}\n"
    text = "customerExternalId: two\nproject: {name: Two Co}\napproval: {requiresApproval: true}\n"
    with pytest.raises(ConfigError) as refused:
        _loaded(tmp_path, settings, text)
    assert [str(i) for i in refused.value.issues] == [
        "layers.yaml:4:32: approval.autoApproveAfter has no equivalent in Rev B of the Layers "
        "API: its review policy approves automatically, the first N items, or none, never after "
        "a delay; remove it (apiRevision: b) (in the defaults merged into customers/one.yaml)"
    ]


def _customer(content: dict[str, object], **extra: object) -> CustomerSpec:
    return CustomerSpec.model_validate(
        {"customerExternalId": "c", "project": {"name": "Cee Co"}, "content": content, **extra}
    )


def test_content_notes_say_what_cannot_be_done_apart_from_what_is_not_sent() -> None:
    spec = _customer(
        {
            "a-remix": {"format": "video_remix", "brief": {"hook": "H"}, "source": SOURCE},
            "b-auto": {"brief": {"hook": "H"}},
        },
        influencer="Maya",
    )
    assert [(n.path, n.kind) for n in revision_notes(spec, "b")] == [
        (("content", "a-remix", "brief", "hook"), NOT_SENT),
        (("content", "b-auto", "format"), UNSENDABLE),
    ]
    assert [(n.path, n.kind) for n in revision_notes(spec, "a")] == [
        (("content", "a-remix", "source"), NOT_SENT),
    ]


def test_the_errors_of_one_customer_come_in_the_order_of_its_lines(tmp_path: Path) -> None:
    builder = CUSTOMER.replace("format: ugc_remix", "format: slideshow_builder")
    customers = _loaded(tmp_path, text=builder)
    with pytest.raises(ConfigError) as on_a:
        check_revision(customers, "a", pinned_by=None)
    assert [(i.line, i.message.split(" ", 1)[0]) for i in on_a.value.issues] == [
        (12, "influencer:"),
        (18, "format"),  # the content entry's, between the two of the sections
        (22, "mode"),
    ]
