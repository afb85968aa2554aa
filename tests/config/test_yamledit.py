"""`set_values` edits a YAML file in place: only the characters of the values it changes."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from layers_reconcile.config.yamledit import DELETE, Edit, set_values

FILE = """\
# kept by hand
customerExternalId: c-1
project:
    name: Old Name        # as on the invoice
    timezone: Europe/Berlin
    metadata: {tier: gold, region: eu}
approval:
  requiresApproval: true
brand:
  tagline: 'Skip the line.'
  keywords:
  - coffee
  - cafe
  appName: Quinn
"""


def edited(*edits: Edit) -> str:
    return set_values(FILE, list(edits))


def test_a_scalar_is_rewritten_where_it_stands_keeping_the_comment_column() -> None:
    assert edited(Edit(("project", "name"), "A Longer New Name")) == FILE.replace(
        "    name: Old Name        # as on the invoice",
        "    name: A Longer New Name # as on the invoice",
    )


def test_quotes_stay_and_a_value_that_needs_them_gets_them() -> None:
    after = edited(Edit(("brand", "tagline"), "Yours"), Edit(("brand", "appName"), "a: b"))
    assert "  tagline: 'Yours'\n" in after
    assert "  appName: 'a: b'\n" in after


def test_a_flow_mapping_stays_flow() -> None:
    after = edited(
        Edit(("project", "metadata", "tier"), "platinum"),
        Edit(("project", "metadata", "region"), DELETE),
        Edit(("project", "metadata", "legacy"), True),
    )
    assert after == FILE.replace("{tier: gold, region: eu}", "{tier: platinum, legacy: true}")


def test_a_new_key_goes_after_its_mapping_at_that_mappings_indentation() -> None:
    after = edited(
        Edit(("project", "primaryLanguage"), "en"), Edit(("approval", "firstNPostsBlocked"), 3)
    )
    assert after == FILE.replace("region: eu}\n", "region: eu}\n    primaryLanguage: en\n").replace(
        "requiresApproval: true\n", "requiresApproval: true\n  firstNPostsBlocked: 3\n"
    )


def test_a_removed_key_takes_its_lines_with_it() -> None:
    after = edited(Edit(("brand", "keywords"), DELETE), Edit(("project", "timezone"), DELETE))
    assert after == FILE.replace("  keywords:\n  - coffee\n  - cafe\n", "").replace(
        "    timezone: Europe/Berlin\n", ""
    )


def test_a_block_sequence_replaced_becomes_one_flow_line() -> None:
    after = edited(Edit(("brand", "keywords"), ["tea"]))
    assert after == FILE.replace("  keywords:\n  - coffee\n  - cafe\n", "  keywords: [tea]\n")


def test_a_missing_section_is_added_at_the_end() -> None:
    after = edited(Edit(("influencer",), "Maya"), Edit(("github", "branch"), "main"))
    assert after == FILE + "influencer: Maya\ngithub: {branch: main}\n"


def test_nothing_to_change_returns_the_text_byte_for_byte() -> None:
    assert edited(Edit(("project", "name"), "Old Name"), Edit(("nope", "x"), DELETE)) == FILE


def test_the_last_key_of_a_block_mapping_falls_back_to_a_whole_rewrite() -> None:
    after = edited(Edit(("approval", "requiresApproval"), DELETE))
    assert "requiresApproval" not in after
    assert after.startswith("# kept by hand\n")


def test_a_file_with_aliases_is_rewritten_whole_and_stays_valid() -> None:
    text = "a: &x {t: gold}\nb: *x\nc: 1\n"
    changed = _load(set_values(text, [Edit(("b", "t"), "silver")]))
    assert isinstance(changed, dict)
    assert changed["b"] == {"t": "silver"}  # (the round trip keeps `a` and `b` one mapping)
    assert _load(set_values(text, [Edit(("b",), DELETE)])) == {"a": {"t": "gold"}, "c": 1}


def _load(text: str) -> object:
    return YAML(typ="safe").load(text)


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValueError, match="not a YAML mapping"):
        set_values("- a\n", [Edit(("a",), 1)])


@pytest.mark.parametrize(
    "edit",
    [
        Edit(("project", "name"), "New"),  # in place
        Edit(("approval", "firstNPostsBlocked"), 3),  # a new line
        Edit(("approval", "requiresApproval"), DELETE),  # the whole-document fallback
    ],
    ids=["replace", "insert", "fallback"],
)
def test_crlf_line_endings_stay_crlf(edit: Edit) -> None:
    after = set_values(FILE.replace("\n", "\r\n"), [edit])
    assert after == set_values(FILE, [edit]).replace("\n", "\r\n")
