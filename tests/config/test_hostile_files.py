"""Hostile workspace files: every one is refused at `file:line` with exit 1, quickly, in little
memory, without blocking and without echoing what a link points at."""

from __future__ import annotations

import itertools
import json
import os
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers_reconcile.cli.main import cli
from layers_reconcile.config import load_workspace
from layers_reconcile.config.files import MAX_FILE_BYTES, read_bytes
from layers_reconcile.config.source import MAX_NODES
from layers_reconcile.errors import ConfigError

from .helpers import NOW

VALID = "customerExternalId: cust-1\nproject:\n  name: One\n"
SECRET = "ghp_S3cr3tS3cr3tS3cr3t"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The billion laughs: `width ** levels` strings from a few hundred bytes."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ",".join(['"lol"'] * width) + "]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * width) + "]")
    return "customerExternalId: bomb\nproject:\n  name: Bomb\n" + "\n".join(lines) + "\n"


def schedule_at(at: str, timezone: str | None = None) -> str:
    zone = f"\n  timezone: {timezone}" if timezone else ""
    return (
        f"customerExternalId: cust-t\nproject:\n  name: Times{zone}\n"
        "social:\n  tiktok:\n    returnUrl: https://app.example.com/done\n"
        "content:\n  hook:\n    format: video_remix\n"
        "    brief:\n      hook: Run\n      targetPlatforms: [tiktok]\n"
        f"    schedule:\n      - account: tiktok\n        mode: direct_publish\n"
        f"        at: '{at}'\n"
    )


def workspace(folder: Path) -> Path:
    (folder / "layers.yaml").write_text("workspace: hostile\n")
    customers = folder / "customers"
    customers.mkdir()
    (customers / "ok.yaml").write_text(VALID)
    return customers


def validate(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--no-color", "validate", str(folder)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def refused(folder: Path, name: str) -> str:
    """The one error line of `customers/<name>`, after checking exit 1 and the file:line form."""
    code, output = validate(folder)
    assert code == 1, output
    lines = [line for line in output.splitlines() if f"customers/{name}:" in line]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_an_alias_bomb_fails_fast_and_says_the_limit(tmp_path: Path) -> None:
    (workspace(tmp_path) / "bomb.yaml").write_text(alias_bomb())
    started = time.monotonic()
    line = refused(tmp_path, "bomb.yaml")
    assert time.monotonic() - started < 10
    assert f"over {MAX_NODES:,} values once its aliases are expanded" in line
    assert ":4:" in line  # the first line whose aliases cross the limit


def test_aliases_of_a_real_size_are_still_fine(tmp_path: Path) -> None:
    text = VALID + "x-shared: &s {a: 1, b: 2}\nx-more: [*s, *s, *s]\n"
    (workspace(tmp_path) / "ok.yaml").write_text(text)
    code, output = validate(tmp_path)
    assert "aliases are expanded" not in output
    assert "x-shared" in output  # refused as an unknown key, not for its aliases
    assert code == 1


def test_a_link_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    (workspace(tmp_path) / "zero.yaml").symlink_to("/dev/zero")
    line = refused(tmp_path, "zero.yaml")
    assert "zero.yaml:1:1: this is a link to a file outside the workspace" in line


def test_a_device_is_not_a_regular_file() -> None:
    raw, why = read_bytes(Path("/dev/zero"), None)
    assert raw is None
    assert "not a regular file (it is a device)" in why


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(workspace(tmp_path) / "pipe.yaml")
    line = refused(tmp_path, "pipe.yaml")
    assert "not a regular file (it is a named pipe)" in line


def test_a_link_to_stdin_is_refused_without_blocking(tmp_path: Path) -> None:
    (workspace(tmp_path) / "stdin.yaml").symlink_to("/dev/stdin")
    line = refused(tmp_path, "stdin.yaml")
    assert "outside the workspace" in line


def test_a_big_file_is_refused_by_its_size(tmp_path: Path) -> None:
    customers = workspace(tmp_path)
    with (customers / "big.yaml").open("w") as out:
        out.write(VALID)
        out.truncate(50 * 1024 * 1024)  # sparse: no disk, same size
    line = refused(tmp_path, "big.yaml")
    assert f"the file is 50.0 MB; files over {MAX_FILE_BYTES // 1024 // 1024} MB" in line


def test_a_link_out_of_the_workspace_is_never_read_nor_echoed(tmp_path: Path) -> None:
    secret = tmp_path / "home" / "secret"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n")
    root = tmp_path / "repo"
    root.mkdir()
    (workspace(root) / "leak.yaml").symlink_to(secret)
    line = refused(root, "leak.yaml")
    assert "link to a file outside the workspace" in line
    _code, output = validate(root)
    assert SECRET[:8] not in output


def test_a_link_inside_the_workspace_is_followed(tmp_path: Path) -> None:
    customers = workspace(tmp_path)
    (tmp_path / ".shared").mkdir()
    (tmp_path / ".shared" / "two.yaml").write_text(VALID.replace("cust-1", "cust-2"))
    (customers / "two.yaml").symlink_to(tmp_path / ".shared" / "two.yaml")
    code, output = validate(tmp_path)
    assert code == 0, output


def test_a_settings_file_linked_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(f"workspace: {SECRET}\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "layers.yaml").symlink_to(outside)
    (root / "c.yaml").write_text(VALID)
    code, output = validate(root)
    assert code == 1
    assert "layers.yaml:1:1: this is a link to a file outside the workspace" in output
    assert SECRET[:8] not in output


@pytest.mark.parametrize(
    ("at", "timezone"),
    [
        ("9999-12-31T23:59:59-05:00", None),
        ("0001-01-01T00:00:00+05:00", None),
        ("0001-01-01T00:00:00", "Asia/Tokyo"),
        ("9999-12-31T23:59:59", "America/New_York"),
    ],
)
def test_times_at_the_edge_of_the_calendar_are_errors_at_their_line(
    tmp_path: Path, at: str, timezone: str | None
) -> None:
    (workspace(tmp_path) / "times.yaml").write_text(schedule_at(at, timezone))
    line = refused(tmp_path, "times.yaml")
    expected_line = schedule_at(at, timezone).splitlines().index(f"        at: '{at}'") + 1
    assert line.startswith(f"customers/times.yaml:{expected_line}:") or (
        f"times.yaml:{expected_line}:" in line
    )
    assert "edge of the calendar" in line


# -- property: whatever hostile file lands in the workspace, the answer is a clean refusal ---

Make = Callable[[Path, str], None]


def _write(text: str) -> Make:
    def make(path: Path, _secret: str) -> None:
        path.write_text(text)

    return make


def _link_out(path: Path, secret: str) -> None:
    target = path.parent.parent.parent / f"secret-{path.name}"
    target.write_text(f"token: {secret}\n")
    path.symlink_to(target)


def _fifo(path: Path, _secret: str) -> None:
    os.mkfifo(path)


def _sized(size: int) -> Make:
    def make(path: Path, _secret: str) -> None:
        with path.open("w") as out:
            out.write(VALID)
            out.truncate(size)

    return make


def _loop(path: Path, _secret: str) -> None:
    path.symlink_to(path.name + ".other")
    path.with_name(path.name + ".other").symlink_to(path.name)


def _with_id(external_id: str) -> Make:
    return _write(f"customerExternalId: {json.dumps(external_id)}\nproject:\n  name: Hidden\n")


# Characters that must never reach an id: controls (C0, DEL, C1), zero-width, bidi, BOM.
hidden_characters = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]),
    st.sampled_from(["\u200e", "\u200f", "\u061c"]),
    st.characters(min_codepoint=0x202A, max_codepoint=0x202E),
    st.characters(min_codepoint=0x2066, max_codepoint=0x2069),
)
id_text = st.text(alphabet="abcxyz019-_.", min_size=0, max_size=6)

hostile: st.SearchStrategy[Make] = st.one_of(
    st.builds(
        lambda depth: _write(VALID + "x: " + "[" * depth + "]" * depth + "\n"),
        st.integers(65, 20_000),
    ),
    st.builds(
        lambda digits, where, sign: _write(
            VALID.replace("cust-1", f"{sign}{digits}")
            if where == "id"
            else VALID + f"  metadata:\n    n: {sign}{digits}\n"
        ),
        st.one_of(
            st.integers(20, 20_000).map(lambda n: "9" * n),
            st.integers(17, 20_000).map(lambda n: "0x" + "f" * n),
            st.integers(65, 5_000).map(lambda n: "0b" + "1" * n),
        ),
        st.sampled_from(["id", "metadata"]),
        st.sampled_from(["", "-", "+"]),
    ),
    st.just(_loop),
    st.builds(
        lambda levels, width: _write(alias_bomb(levels, width)),
        st.integers(6, 12),
        st.integers(9, 20),
    ),
    st.builds(_sized, st.integers(MAX_FILE_BYTES + 1, 3 * MAX_FILE_BYTES)),
    st.just(_fifo),
    st.just(_link_out),
    st.sampled_from(["/dev/zero", "/dev/stdin", "/dev/urandom", "/dev/null"]).map(
        lambda dev: lambda path, _s: path.symlink_to(dev)
    ),
    st.builds(
        lambda at, zone: _write(schedule_at(at, zone)),
        st.sampled_from(
            [
                "9999-12-31T23:59:59-05:00",
                "9999-12-31T20:00:00-23:59",
                "0001-01-01T00:00:00+05:00",
                "0001-01-01T00:00:00+23:59",
                "0001-01-01T00:00:00",
                "9999-12-31T23:30:00",
            ]
        ),
        st.sampled_from([None, "Asia/Tokyo", "Pacific/Kiritimati", "America/Los_Angeles"]),
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(make=hostile, name=st.sampled_from(["a.yaml", "zz.yml", "nested/c.yaml"]))
def test_any_hostile_file_is_a_clean_refusal(make: Make, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        root.mkdir()
        customers = workspace(root)
        path = customers / name
        path.parent.mkdir(exist_ok=True)
        make(path, SECRET)
        started = time.monotonic()
        try:
            load_workspace(root, now=NOW)
        except ConfigError as exc:
            issues = exc.issues
        else:
            # A few calendar edges are real instants in the past: valid, with a warning.
            return
        assert time.monotonic() - started < 10
        assert issues
        for issue in issues:
            assert issue.line >= 1
            assert issue.col >= 1
            assert SECRET[:8] not in issue.message


@settings(max_examples=60, deadline=None)
@given(before=id_text, hidden=hidden_characters, after=id_text)
def test_any_invisible_or_control_character_in_an_id_is_refused_at_its_line(
    before: str, hidden: str, after: str
) -> None:
    written = json.dumps(before + hidden + after)  # a YAML double-quoted string, escapes and all
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace(root)
        (root / "customers" / "odd.yaml").write_text(
            f"customerExternalId: {written}\nproject:\n  name: Odd\n"
        )
        with pytest.raises(ConfigError) as caught:
            load_workspace(root, now=NOW)
    (issue,) = caught.value.issues
    assert (issue.line, issue.col) == (1, 21)
    assert f"U+{ord(hidden):04X}" in issue.message
    assert f"at character {len(before) + 1}" in issue.message
    assert hidden not in issue.message


@settings(max_examples=60, deadline=None)
@given(
    base=st.text(alphabet="abcdeiou", min_size=1, max_size=4),
    accent=st.sampled_from("\u0301\u0300\u0308\u0302"),
)
def test_ids_that_print_alike_are_duplicates_at_both_files(base: str, accent: str) -> None:
    composed = unicodedata.normalize("NFC", base + accent)
    decomposed = unicodedata.normalize("NFD", base + accent)
    if composed == decomposed:  # no precomposed form: one spelling only
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        customers = workspace(root)
        for name, written in (("nfc.yaml", composed), ("nfd.yaml", decomposed)):
            (customers / name).write_text(
                f"customerExternalId: {json.dumps(written)}\nproject:\n  name: X\n"
            )
        with pytest.raises(ConfigError) as caught:
            load_workspace(root, now=NOW)
    files = sorted(Path(i.file).name for i in caught.value.issues)
    assert files == ["nfc.yaml", "nfd.yaml"]
    assert all("spelt with other Unicode code points" in i.message for i in caught.value.issues)


# -- ids of blanks: they validated, then named nothing the API has ------------------------------

ENTRIES = """customerExternalId: cust-b
project: {{name: Blanks}}
influencer: {influencer}
github: {{repo: a/b, installationId: 3, branch: {branch}}}
social:
  tiktok: {{returnUrl: "https://app.example.com/done"}}
content:
  slides:
    format: slideshow_remix
    source: {{tiktokVideoId: {video}}}
    account: tiktok
  demo:
    format: ugc_remix
    media: {media}
    brief: {{hook: Hi}}
"""
FINE = {
    "influencer": "Maya",
    "branch": "main",
    "video": '"7300000000000000002"',
    "media": "med_01H9ZX9FR",
}


@pytest.mark.parametrize(
    ("field", "written", "where", "said"),
    [
        (
            "video",
            '"  "',
            (10, 29),
            "'tiktokVideoId' is only spaces: write the id of the TikTok post",
        ),
        ("video", '"\u00a0"', (10, 29), "'tiktokVideoId' is only spaces"),
        (
            "video",
            '" 7300000000000000002"',
            (10, 29),
            "'tiktokVideoId' has spaces before or after the id of the TikTok post: remove them",
        ),
        ("video", '"73000\\u200b"', (10, 29), "'tiktokVideoId' holds an invisible"),
        ("media", '"   "', (14, 12), "'media' is only spaces: write the id of the media"),
        ("media", '"med_1 "', (14, 12), "'media' has spaces before or after"),
        ("influencer", '"  "', (3, 13), "'influencer' is only spaces: write it, or remove the key"),
        ("influencer", '{id: " "}', (3, 18), "'id' is only spaces: write the influencer's id"),
        ("influencer", '{name: " "}', (3, 20), "'name' is only spaces"),
        ("branch", '" "', (4, 48), "'branch' is only spaces: write the branch's name"),
    ],
)
def test_an_id_of_blanks_or_with_spaces_around_is_refused_at_its_line(
    tmp_path: Path, field: str, written: str, where: tuple[int, int], said: str
) -> None:
    text = ENTRIES.format(**{**FINE, field: written})
    (workspace(tmp_path) / "blank.yaml").write_text(text)
    line = refused(tmp_path, "blank.yaml")
    assert f"customers/blank.yaml:{where[0]}:{where[1]}: {said}" in line, line


def test_the_same_entries_with_real_ids_are_valid(tmp_path: Path) -> None:
    (workspace(tmp_path) / "fine.yaml").write_text(ENTRIES.format(**FINE))
    assert validate(tmp_path)[0] == 0


# -- digits of other scripts: a pattern's \d took them, JSON Schema's and the API's do not ------

DIGITS = """customerExternalId: cust-d
project: {{name: Digits, timezone: UTC}}
approval: {{autoApproveAfter: "{duration}"}}
brand: {{logoUrl: "{logo}"}}
social:
  tiktok: {{returnUrl: "{url}"}}
content:
  k:
    brief: {{hook: Hi}}
    schedule:
      - {{account: tiktok, mode: direct_publish, at: "{at}"}}
"""
PLAIN_DIGITS = {
    "duration": "PT24H",
    "logo": "https://cdn.example.com/\u0662\u0660.png",  # a path may be in any script
    "url": "http://localhost:8080/done",
    "at": "2030-03-01T22:00:00Z",
}


@pytest.mark.parametrize(
    ("field", "written", "where", "said"),
    [
        ("duration", "PT\u0662\u0664H", (3, 30), "'autoApproveAfter' has a digit other than 0-9"),
        ("url", "http://localhost:\u0668\u0660/done", (6, 23), "'returnUrl' has a digit"),
        ("logo", "https://cdn.example.com:\u0664\u0664\u0663/l.png", (4, 18), "'logoUrl' has"),
        ("at", "\uff12\uff10\uff13\uff10-03-01T22:00:00Z", (11, 53), "'at' has a digit"),
    ],
)
def test_a_number_written_in_digits_other_than_0_to_9_is_refused_at_its_line(
    tmp_path: Path, field: str, written: str, where: tuple[int, int], said: str
) -> None:
    (workspace(tmp_path) / "digits.yaml").write_text(
        DIGITS.format(**{**PLAIN_DIGITS, field: written})
    )
    line = refused(tmp_path, "digits.yaml")
    assert f"customers/digits.yaml:{where[0]}:{where[1]}: {said}" in line, line
    assert "type the number again with 0-9" in line


def test_the_same_numbers_in_0_to_9_are_valid(tmp_path: Path) -> None:
    (workspace(tmp_path) / "digits.yaml").write_text(DIGITS.format(**PLAIN_DIGITS))
    code, output = validate(tmp_path)
    assert code == 0, output


def test_a_key_of_a_megabyte_is_quoted_short_in_every_message(tmp_path: Path) -> None:
    long = 200_000
    (workspace(tmp_path) / "keys.yaml").write_text(
        "customerExternalId: cust-k\nproject: {name: Keys}\n"
        f"? {'k' * long}\n: 1\n"
        f'social:\n  ? "{"t" * long}"\n  : {{returnUrl: "https://a.example.com/done"}}\n'
        f"content:\n  ? {'x' * long}\n  : {{brief: {{hook: Hi}}}}\n"
    )
    code, output = validate(tmp_path)
    assert code == 1
    said = [line.split("customers/", 1)[1] for line in output.splitlines() if "keys.yaml:" in line]
    assert [line.split(": ", 1)[0] for line in said] == [
        "keys.yaml:3:3",
        "keys.yaml:6:5",
        "keys.yaml:9:5",
    ]
    assert said[0].startswith(f"keys.yaml:3:3: unknown key '{'k' * 57}...'; allowed")
    assert f"'{'t' * 57}...' is not allowed in 'social'" in said[1]
    assert f"invalid key '{'x' * 57}...' in 'content'" in said[2]
    assert len(output) < 2_000


LONG_KEY = "k" * 1_100


@pytest.mark.parametrize(
    ("written", "where"),
    [
        (f"{LONG_KEY}: 1\n", "4:1"),  # after other keys: "could not find expected ':'"
        (f"project2:\n  {LONG_KEY}: 1\n", "5:3"),
        (f"tags:\n  - {LONG_KEY}: 1\n", "5:5"),  # "mapping values are not allowed here"
        (f"brand: {{appName: A, {LONG_KEY}: 1}}\n", "4:21"),  # "expected ',' or '}'"
        (f'"{LONG_KEY}": 1\n', "4:1"),
    ],
)
def test_a_key_over_yamls_limit_is_named_too_long_at_its_line(
    tmp_path: Path, written: str, where: str
) -> None:
    (workspace(tmp_path) / "long.yaml").write_text(
        "customerExternalId: cust-l\nproject:\n  name: Long\n" + written
    )
    line = refused(tmp_path, "long.yaml")
    assert f"customers/long.yaml:{where}: the key " in line, line
    assert "characters long: YAML reads a key written on one line only up to 1,024" in line
    assert "write it shorter" in line
    assert "k" * 100 not in line  # quoted short, as every long key is
    assert "could not find expected" not in line


def test_a_key_of_yamls_limit_is_read_as_a_key(tmp_path: Path) -> None:
    (workspace(tmp_path) / "edge.yaml").write_text(
        "customerExternalId: cust-e\nproject:\n  name: Edge\n" + "k" * 1_024 + ": 1\n"
    )
    assert f"edge.yaml:4:1: unknown key '{'k' * 57}...'" in refused(tmp_path, "edge.yaml")


def test_a_line_without_a_colon_is_still_a_syntax_error(tmp_path: Path) -> None:
    (workspace(tmp_path) / "text.yaml").write_text(
        "customerExternalId: cust-t\nproject:\n  name: Text\n" + "k" * 1_100 + "\n"
    )
    assert "YAML syntax error: could not find expected ':'" in refused(tmp_path, "text.yaml")
