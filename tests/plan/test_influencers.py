"""Which influencer is the file's (plan.influencers) and the hints Rev B creates one from."""

from __future__ import annotations

from typing import Any

import pytest

from layers_reconcile.config.models import InfluencerSpec
from layers_reconcile.plan.influencers import file_influencer
from layers_reconcile.records import Influencer
from layers_reconcile.revb import influencer_hints


def _items(*rows: tuple[str, str, str]) -> list[Influencer]:
    return [Influencer.model_validate({"id": i, "name": n, "status": s}) for i, n, s in rows]


def id_of(found: Influencer | None) -> str | None:
    return found.id if found else None


ITEMS = _items(
    ("inf_1", "Lena", "ready"),
    ("inf_2", "Maya", "ready"),
    ("inf_3", "Old", "deleted"),
)


def test_a_name_or_id_is_found_by_id_then_name_then_name_ignoring_case() -> None:
    for revision in ("a", "b"):
        assert id_of(file_influencer(ITEMS, "inf_2", revision=revision)) == "inf_2"
        assert id_of(file_influencer(ITEMS, "Lena", revision=revision)) == "inf_1"
        assert id_of(file_influencer(ITEMS, "maya", revision=revision)) == "inf_2"
        assert file_influencer(ITEMS, "Old", revision=revision) is None  # unusable


def test_attributes_are_found_by_name_on_rev_a_and_by_the_recorded_id_on_rev_b() -> None:
    lena = InfluencerSpec(name="Lena", gender="female")
    assert id_of(file_influencer(ITEMS, lena, revision="a", recorded=["inf_2"])) == "inf_1"
    assert id_of(file_influencer(ITEMS, lena, revision="b", recorded=["inf_2"])) == "inf_2"
    assert file_influencer(ITEMS, lena, revision="b", recorded=[None]) is None
    adopt = InfluencerSpec(id="inf_1")
    for revision in ("a", "b"):
        assert (
            id_of(file_influencer(ITEMS, adopt, revision=revision, recorded=["inf_2"])) == "inf_1"
        )


@pytest.mark.parametrize(
    ("attributes", "hints"),
    [
        (
            {"name": "Lena", "gender": "female", "ageRange": "25-34"},
            {"gender": "female", "ageRange": "adult"},
        ),
        (
            {"name": "Sam", "gender": "nonbinary", "ageRange": "18–24"},
            {"gender": "non_binary", "ageRange": "young_adult"},
        ),
        (
            {"name": "Al", "gender": "unspecified", "ageRange": "mid adult"},
            {"ageRange": "mid_adult"},
        ),
        ({"name": "Bo", "ageRange": "60+"}, {"ageRange": "senior"}),
        ({"name": "Cy", "ageRange": "about thirty"}, {}),
        (
            {
                "name": "Di",
                "hairColor": "auburn",
                "hairStyle": "high ponytail",
                "style": "technical running gear with bright accents",
            },
            {"prompt": "auburn, high ponytail, technical running gear with bright"},
        ),
    ],
)
def test_the_files_attributes_become_rev_b_hints(
    attributes: dict[str, Any], hints: dict[str, Any]
) -> None:
    made = influencer_hints(attributes)
    assert made == hints
    assert len(made.get("prompt", "")) <= 60
