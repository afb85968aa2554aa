"""The one mapping from a content entry to each API revision's generation request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from layers_reconcile.config.content import ContentSpec
from layers_reconcile.config.generation import FORMATS_B, Speaker, generation_request
from layers_reconcile.config.loader import check_workspace
from layers_reconcile.config.models import CustomerSpec

SOURCE = {"tiktokVideoId": "7300000000000000003"}


def entry(**fields: Any) -> ContentSpec:
    return ContentSpec.model_validate(fields)


def customer(content: dict[str, Any], **extra: Any) -> CustomerSpec:
    return CustomerSpec.model_validate(
        {"customerExternalId": "c", "project": {"name": "C"}, "content": content, **extra}
    )


def paths(notes: Any) -> list[tuple[str | int, ...]]:
    return [n.path for n in notes]


def test_rev_a_sends_the_guides_one_call_with_the_whole_brief() -> None:
    spec = entry(format="video_remix", variants=3, brief={"hook": "H", "cta": "C"})
    request = generation_request("k", spec, "a", Speaker(influencer=True, influencer_id="inf_1"))
    assert (request.route, request.calls, request.containers) == (None, 1, 3)
    assert request.body == {
        "format": "video_remix",
        "variantCount": 3,
        "brief": {"hook": "H", "cta": "C", "influencerId": "inf_1"},
    }
    assert request.inputs == {"hook": "H", "cta": "C"}  # the brief as written: its hash
    assert request.dropped == request.problems == ()


def test_rev_a_without_an_influencer_in_the_file_names_none() -> None:
    request = generation_request("k", entry(brief={"hook": "H"}), "a", Speaker(influencer_id="x"))
    assert request.body == {"format": "auto", "variantCount": 1, "brief": {"hook": "H"}}


def test_rev_b_is_one_call_per_variant_with_the_route_of_the_format() -> None:
    spec = entry(format="video_remix", variants=2, source=SOURCE)
    request = generation_request("k", spec, "b", Speaker(influencer=True, influencer_id="inf_1"))
    assert (request.route, request.calls, request.containers) == ("video-remix", 2, 2)
    assert request.body == {"tiktokVideoId": SOURCE["tiktokVideoId"], "influencerId": "inf_1"}
    assert request.problems == ()


@pytest.mark.parametrize(
    ("fields", "route", "body"),
    [
        (
            {"format": "slideshow_builder", "brief": {"hook": "H"}},
            "slideshow-builder",
            {"hook": "H", "influencerId": "inf_1"},
        ),
        (
            {"format": "slideshow_remix", "source": SOURCE},
            "slideshow-remix",
            {"tiktokVideoId": SOURCE["tiktokVideoId"], "influencerId": "inf_1"},
        ),
        (
            {"format": "ugc_remix", "brief": {"hook": "H"}, "media": "med_9"},
            "ugc-remix",
            {"hook": "H", "mediaId": "med_9", "influencerId": "inf_1"},
        ),
        (
            {"format": "ugc_remix", "account": "tiktok"},
            "ugc-remix",
            {"socialAccountId": "sa_7"},
        ),
    ],
)
def test_rev_b_bodies_per_format(fields: dict[str, Any], route: str, body: dict[str, Any]) -> None:
    speaker = Speaker(influencer=True, influencer_id="inf_1", social_account_id="sa_7")
    request = generation_request("k", entry(**fields), "b", speaker)
    assert (request.route, request.body, request.problems) == (route, body, ())


def test_ids_not_known_yet_are_left_out_of_the_body() -> None:
    spec = entry(format="ugc_remix", account="tiktok")
    request = generation_request("k", spec, "b", Speaker(influencer=True))
    assert request.body == {}
    assert request.inputs == {"account": "tiktok"}


def test_rev_b_does_not_send_brief_fields_but_the_hook() -> None:
    spec = entry(format="slideshow_builder", brief={"hook": "H", "cta": "C", "language": "de"})
    request = generation_request("k", spec, "b", Speaker(influencer=True))
    assert "cta" not in request.body
    assert paths(request.dropped) == [
        ("content", "k", "brief", "cta"),
        ("content", "k", "brief", "language"),
    ]
    assert "Rev B's routes take only the hook" in request.dropped[0].message


def test_the_plain_remixes_take_no_hook_on_rev_b() -> None:
    spec = entry(format="slideshow_remix", brief={"hook": "H"}, source=SOURCE)
    request = generation_request("k", spec, "b", Speaker(influencer=True))
    assert "hook" not in request.body
    assert paths(request.dropped) == [("content", "k", "brief", "hook")]


def test_rev_a_does_not_send_source_media_or_account() -> None:
    spec = entry(format="ugc_remix", source=SOURCE, media="med_1", account="tiktok")
    request = generation_request("k", spec, "a", Speaker(influencer=True))
    assert paths(request.dropped) == [
        ("content", "k", "source"),
        ("content", "k", "media"),
        ("content", "k", "account"),
    ]
    assert request.body["brief"] == {}


def test_format_auto_has_no_rev_b_route_and_names_the_choices() -> None:
    request = generation_request("k", entry(brief={"hook": "H"}), "b", Speaker(influencer=True))
    (problem,) = request.problems
    assert problem.path == ("content", "k", "format")
    assert all(name in problem.message for name in FORMATS_B)
    assert request.route is None


def test_slideshow_builder_has_no_rev_a_format() -> None:
    request = generation_request("k", entry(format="slideshow_builder", brief={"hook": "H"}), "a")
    (problem,) = request.problems
    assert problem.path == ("content", "k", "format")
    assert "auto, slideshow_remix, video_remix or ugc_remix" in problem.message


@pytest.mark.parametrize(
    ("fields", "influencer", "words"),
    [
        ({"format": "video_remix"}, True, "add `source: {tiktokVideoId: …}`"),
        ({"format": "slideshow_builder"}, False, "needs `brief.hook`"),
        ({"format": "ugc_remix"}, False, "add `account: PLATFORM`"),
        ({"format": "video_remix", "source": SOURCE}, False, "give the customer an `influencer:`"),
    ],
)
def test_what_rev_b_cannot_do_without(fields: dict[str, Any], influencer: bool, words: str) -> None:
    request = generation_request("k", entry(**fields), "b", Speaker(influencer=influencer))
    assert [words in p.message for p in request.problems] == [True]


def test_a_builder_needs_no_speaker() -> None:
    request = generation_request("k", entry(format="slideshow_builder", brief={"hook": "H"}), "b")
    assert (request.body, request.problems) == ({"hook": "H"}, ())


def test_an_entry_without_a_brief_is_valid() -> None:
    spec = entry(format="video_remix", source=SOURCE)
    assert spec.brief.model_dump(exclude_unset=True) == {}
    assert "brief" not in spec.model_dump(exclude_unset=True)


def test_an_account_to_speak_through_must_be_connected_under_social(tmp_path: Path) -> None:
    (tmp_path / "customers").mkdir()
    (tmp_path / "layers.yaml").write_text("workspace: w\n")
    (tmp_path / "customers" / "c.yaml").write_text(
        "customerExternalId: c\nproject: {name: C}\ncontent:\n"
        "  demo:\n    format: ugc_remix\n    account: instagram\n"
    )
    report = check_workspace(tmp_path)
    assert [(i.line, i.col, i.message) for i in report.errors] == [
        (
            6,
            14,
            "content account 'instagram' is not connected under 'social'; add "
            "social.instagram to connect it, or drop `account` to speak through the customer's "
            "influencer",
        )
    ]
