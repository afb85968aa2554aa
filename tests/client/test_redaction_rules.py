"""The redaction rule, for any text: no output shows 8 consecutive characters of the key's
secret part, whatever their case, with any invisible characters between them, and whether the
server sent them plainly or as JSON `\\u` escapes. Text without such a run is left alone."""

from __future__ import annotations

import json
import unicodedata

import httpx
from hypothesis import given
from hypothesis import strategies as st

from layers_reconcile.client.envelope import REDACTED, Redactor
from layers_reconcile.client.redaction import RUN, _anchors, _holds_any
from layers_reconcile.client.transport import redacted_headers
from layers_reconcile.emulator.settings import DEV_API_KEY

KEY_ID = "RULESKEYID0001"
SECRET = "Zq9xW3vB7nM2kL5pR8tY1uI4oA6sD0fGhJcVbNm12"
KEY = f"lp_live_{KEY_ID}_{SECRET}"
REDACTOR = Redactor(KEY)
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\x00", "\ufe0f"]


def shows_a_run(text: str) -> bool:
    seen = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc", "Mn")).lower()
    folded = SECRET.lower()
    return any(folded[i : i + 8] in seen for i in range(len(folded) - 7))


@st.composite
def disguised_runs(draw: st.DrawFn) -> str:
    """A run of 8+ characters of the secret, each in a random case, with invisible characters
    drawn between some of them."""
    start = draw(st.integers(0, len(SECRET) - 8))
    run = SECRET[start : start + draw(st.integers(8, len(SECRET) - start))]
    out = []
    for char in run:
        out.append(char.upper() if draw(st.booleans()) else char.lower())
        out.append(draw(st.sampled_from(["", "", "", *INVISIBLE])))
    return "".join(out)


noise = st.text(max_size=30)


@given(before=noise, run=disguised_runs(), after=noise)
def test_a_disguised_run_in_any_text_is_never_shown(before: str, run: str, after: str) -> None:
    shown = REDACTOR.text(before + run + after)
    assert not shows_a_run(shown), shown
    assert REDACTED in shown


@given(before=noise, run=disguised_runs(), after=noise)
def test_a_run_sent_as_json_escapes_is_redacted_once_decoded(
    before: str, run: str, after: str
) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else c for c in before + run + after)
    body = json.loads('{"name": "' + escaped.replace('"', '\\"') + '", "n": 1}')
    shown = REDACTOR.value({"items": [body]})
    assert not shows_a_run(json.dumps(shown, ensure_ascii=False))
    assert shown["items"][0]["n"] == 1


@given(st.text())
def test_text_without_a_run_is_left_alone(text: str) -> None:
    if not shows_a_run(text) and KEY not in text:
        assert REDACTOR.text(text) == text


def test_seven_characters_are_not_a_run() -> None:
    assert REDACTOR.text(f"#{SECRET[4:11]}#") == f"#{SECRET[4:11]}#"
    assert REDACTOR.text(f"#{SECRET[4:12].upper()}#") == "#***#"
    assert REDACTOR.text("#" + "\u200b".join(SECRET[4:12]) + "#") == "#***#"


def test_the_emulator_links_are_not_taken_for_the_dev_key() -> None:
    url = "http://127.0.0.1:8787/_emulator/github/install?state=gh_state_01ABC"
    assert Redactor(DEV_API_KEY).text(url) == url


@given(before=noise, run=disguised_runs(), after=noise, in_key=st.booleans(), ascii=st.booleans())
def test_a_run_in_an_answer_is_redacted_whichever_text_it_was_decoded_from(
    before: str, run: str, after: str, in_key: bool, ascii: bool
) -> None:
    """The client searches the answer's own JSON text when it holds no escape (not dumping
    the decoded value again): a run in any string, key or value, is found either way."""
    text = before + run + after
    value = {"items": [{text: 1} if in_key else {"name": text, "n": 1}], "nextCursor": None}
    source = json.dumps(value, ensure_ascii=ascii)  # `ascii`: escapes, so dumped again
    shown = REDACTOR.value(json.loads(source), source)
    assert not shows_a_run(json.dumps(shown, ensure_ascii=False)), shown


def test_headers_are_redacted_one_by_one_only_when_one_holds_a_run() -> None:
    clean = httpx.Headers({"x-request-id": "req_1", "etag": '"abc"'})
    assert redacted_headers(clean, REDACTOR) is clean
    # two values that only make a run side by side are each left as they are
    split = httpx.Headers({"a": SECRET[:4], "b": SECRET[4:8]})
    assert dict(redacted_headers(split, REDACTOR)) == {"a": SECRET[:4], "b": SECRET[4:8]}
    echoed = httpx.Headers({"x-request-id": "req_1", "x-echo": SECRET[3:20].upper()})
    assert dict(redacted_headers(echoed, REDACTOR)) == {"x-request-id": "req_1", "x-echo": "***"}


@given(part=st.text(alphabet="abcdefghij0123", max_size=60))
def test_every_run_of_any_secret_holds_one_of_its_anchors(part: str) -> None:
    """The anchors rule text out before the runs are searched: never one that holds a run."""
    anchors = _anchors(part)
    for start in range(len(part) - RUN + 1):
        run = part[start : start + RUN]
        assert any(piece in run for piece in anchors), (part, start)


@given(text=st.text(alphabet="zq9xw3vb7nm2kl5pr8ty1ui4oa6sd0fghjcvbnm ", max_size=200))
def test_the_anchored_search_finds_exactly_what_searching_every_run_finds(text: str) -> None:
    part = SECRET.lower()
    grams = frozenset(part[i : i + RUN] for i in range(len(part) - RUN + 1))
    assert _holds_any(text, grams, _anchors(part)) == any(g in text for g in grams)
