"""`printable()`: untrusted text is escaped, never dropped, before anything shows it."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from layers_reconcile.printable import json_printable, printable, printable_value


def test_terminal_sequences_are_escaped_not_dropped() -> None:
    title = "acme\x1b]0;pwned\x07"
    assert printable(title) == "acme\\x1b]0;pwned\\x07"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("nul\x00del\x7fcsi\x9b") == "nul\\x00del\\x7fcsi\\x9b"


def test_a_newline_cannot_split_a_file_line_col_message() -> None:
    shown = printable("customers/a\nb.yaml:1:1: error: forged")
    assert "\n" not in shown
    assert shown == "customers/a\\x0ab.yaml:1:1: error: forged"


def test_bidi_overrides_are_escaped() -> None:
    assert printable("abc\u202edcba") == "abc\\u202edcba"
    assert printable("x\u2066y\u2069") == "x\\u2066y\\u2069"


def test_ordinary_text_of_any_script_is_unchanged() -> None:
    for text in ("acme-corp", "café", "東京", "Ελλάδα", "emoji 😀 ok", "path/with spaces.yaml"):
        assert printable(text) == text


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    shown = printable(text)
    assert all(unicodedata.category(c) != "Cc" for c in shown)
    assert not any(c in shown for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_SHOWN_AS_IS = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
    blacklist_characters="\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)


@given(st.text(alphabet=_SHOWN_AS_IS))
def test_text_without_controls_or_bidi_marks_is_unchanged(text: str) -> None:
    assert printable(text) == text


@given(st.text())
def test_escaping_keeps_every_character_visible(text: str) -> None:
    # Escaped, not dropped: each input character leaves at least one output character.
    assert len(printable(text)) >= len(text)
    assert printable(printable(text)) == printable(text)


@given(st.text())
def test_json_printable_keeps_the_value_and_shows_no_control(text: str) -> None:
    import json

    shown = json_printable(json.dumps({"k": text}, indent=2, ensure_ascii=False))
    assert json.loads(shown) == {"k": text}
    assert not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n" for c in shown)


def test_printable_value_walks_models_dataclasses_and_containers() -> None:
    from layers_reconcile.apply.events import ApplyReport, CustomerOutcome, CustomerStatus, Failure

    report = ApplyReport(
        [CustomerOutcome("c\x1b[2J", CustomerStatus.FAILED, failure=Failure("a", "m\x9b"))]
    )
    shown = printable_value(report)
    assert shown.outcomes[0].customer == "c\\x1b[2J"
    assert shown.outcomes[0].status is CustomerStatus.FAILED
    assert shown.outcomes[0].failure is not None
    assert shown.outcomes[0].failure.message == "m\\x9b"
    assert report.outcomes[0].customer == "c\x1b[2J"  # the original is left as it was
    clean = ApplyReport([CustomerOutcome("c", CustomerStatus.CONVERGED)])
    assert printable_value(clean) is clean
    assert printable_value({"k\n": ["v\x07", ("t\x00",)]}) == {"k\\x0a": ["v\\x07", ("t\\x00",)]}
