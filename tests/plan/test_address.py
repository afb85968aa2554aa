"""A step's address is parsed once (`plan.address.Address`): what the steps read back from it."""

from __future__ import annotations

import pytest

from layers_reconcile.plan.address import Address

C = "quinn-coffee-001"


@pytest.mark.parametrize(
    ("text", "section", "key", "platform", "qualifier"),
    [
        (f"{C}/content/launch-hook", "content", "launch-hook", None, "launch-hook"),
        (f"{C}/content/launch-hook/approval", "content", "launch-hook", None, "launch-hook"),
        (f"{C}/content/k/schedule/tiktok/v2", "content", "k", None, "k"),
        (f"{C}/social/instagram", "social", None, "instagram", "instagram"),
        (f"{C}/project", "project", None, None, None),
        (f"{C}/github", "github", None, None, None),
    ],
)
def test_an_address_names_its_section_content_key_and_platform(
    text: str, section: str, key: str | None, platform: str | None, qualifier: str | None
) -> None:
    address = Address.parse(C, text)
    assert (address.section, address.content_key, address.platform) == (section, key, platform)
    assert address.qualifier == qualifier
    assert str(address) == text


def test_a_customer_id_that_looks_like_a_path_is_taken_whole() -> None:
    """The customer is what plan says it is, never the address's first segment."""
    address = Address.parse("a/b", "a/b/content/k")
    assert address.parts == ("content", "k")
    assert address.content_key == "k"


def test_a_content_address_names_its_variant() -> None:
    assert Address.parse("c", "c/content/launch").variant == 1
    assert Address.parse("c", "c/content/launch/v3").variant == 3
    assert Address.parse("c", "c/content/launch/approval").variant is None
    assert Address.parse("c", "c/content/launch/schedule/tiktok").variant is None
    assert Address.parse("c", "c/social/tiktok").variant is None
