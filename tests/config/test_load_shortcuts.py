"""What the faster workspace load takes for granted, checked: each shortcut gives what the long
way gave (the limit on values without aliases, YAML 1.2 scalars from the libyaml parser, one
real path per file and link, the working folder as text, `*.yaml` by suffix, the paused cycle
collector)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers_reconcile.config import check_workspace, load_workspace
from layers_reconcile.config.globs import matches_any
from layers_reconcile.config.issues import display_path
from layers_reconcile.config.merge import merge_customer
from layers_reconcile.config.source import MAX_NODES, SourceMap, parse_yaml

from .helpers import NOW
from .test_hostile_files import VALID, validate, workspace

LIMIT = f"over {MAX_NODES:,} values once its aliases are expanded"


def _flow_list(items: int) -> str:
    return "x: [" + ",".join(["1"] * items) + "]\n"


def test_a_document_without_aliases_is_held_to_the_limit_where_it_crosses_it() -> None:
    # The mapping, its key, the list and its items: one item more than the limit allows.
    over = parse_yaml(_flow_list(MAX_NODES - 2), "big.yaml")
    assert over.data is None
    assert [(i.mark.line, i.mark.col) for i in over.issues] == [(1, 2 * MAX_NODES - 1)]
    assert LIMIT in over.issues[0].message

    at = parse_yaml(_flow_list(MAX_NODES - 3), "big.yaml")
    assert at.issues == []
    assert at.data == {"x": [1] * (MAX_NODES - 3)}


def test_a_star_in_a_value_is_no_alias() -> None:
    parsed = parse_yaml("a: '*'\nb: 2 * 3\nc: &x [1]\nd: *x\n", "s.yaml")
    assert parsed.issues == []
    assert parsed.data == {"a": "*", "b": "2 * 3", "c": [1], "d": [1]}


def test_scalars_keep_their_yaml_1_2_meaning() -> None:
    text = (
        "s: [yes, no, on, off, y, Yes, 'true']\n"
        "b: [true, True, FALSE]\n"
        "n: [~, null, Null, '']\n"
        "i: [0x1F, 0o17, 017, +3, -4, 1_000]\n"
        "f: [1.5, .5, 1e3]\n"
        "t: [2001-12-14t21:59:43.10-05:00, 2002-12-14]\n"
        "e:\n"
        "x: !!str 5\n"
    )
    parsed = parse_yaml(text, "s.yaml")
    assert parsed.data == {
        "s": ["yes", "no", "on", "off", "y", "Yes", "true"],
        "b": [True, True, False],
        "n": [None, None, None, ""],
        "i": [31, 15, 17, 3, -4, 1000],
        "f": [1.5, 0.5, 1000.0],
        "t": ["2001-12-14t21:59:43.10-05:00", "2002-12-14"],
        "e": None,
        "x": "5",
    }
    assert [i.message for i in parsed.issues] == []


def test_a_link_to_a_customer_file_in_the_workspace_is_one_customer(tmp_path: Path) -> None:
    customers = workspace(tmp_path)
    (customers / "again.yaml").symlink_to("ok.yaml")
    (customers / "sub").mkdir()
    (customers / "sub" / "up.yaml").symlink_to("../ok.yaml")
    loaded = load_workspace(tmp_path, now=NOW)
    assert [c.spec.customerExternalId for c in loaded.customers] == ["cust-1"]


def test_a_workspace_reached_through_a_link_reads_inside_and_refuses_outside(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    customers = workspace(real)
    (customers / "two.yaml").write_text(VALID.replace("cust-1", "cust-2"))
    outside = tmp_path / "outside.yaml"
    outside.write_text(VALID.replace("cust-1", "cust-out"))
    (tmp_path / "linked").symlink_to(real)
    loaded = load_workspace(tmp_path / "linked", now=NOW)
    assert sorted(c.spec.customerExternalId for c in loaded.customers) == ["cust-1", "cust-2"]

    (customers / "out.yaml").symlink_to(outside)
    code, output = validate(tmp_path / "linked")
    assert code == 1, output
    assert "out.yaml:1:1: this is a link to a file outside the workspace" in output
    assert "cust-out" not in output


@pytest.fixture
def working_folder(tmp_path: Path) -> Iterator[Path]:
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def test_a_path_is_shown_from_the_working_folder(working_folder: Path) -> None:
    assert display_path(working_folder / "customers" / "a.yaml") == "customers/a.yaml"
    assert display_path(working_folder) == "."
    assert display_path(working_folder / ".." / "x.yaml") == "../x.yaml"
    sibling = working_folder.parent / (working_folder.name + "x") / "a.yaml"
    assert display_path(sibling) == sibling.as_posix()
    assert display_path(Path("customers/./a.yaml")) == "customers/a.yaml"


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("customers/a.yaml", True),
        ("customers/deep/er/a.yaml", True),
        ("customers/.yaml", True),
        ("customers/a.yaml.bak", False),
        ("customers/yaml", False),
        ("customers/a.yml", True),
        ("other/a.yaml", False),
    ],
)
def test_star_dot_yaml_matches_the_names_that_end_so(relative: str, expected: bool) -> None:
    assert matches_any(relative, ("customers/**/*.yaml", "customers/**/*.yml")) is expected


def _many(root: Path, count: int) -> None:
    root.mkdir(exist_ok=True)
    customers = workspace(root)
    for i in range(count):
        (customers / f"c{i}.yaml").write_text(VALID.replace("cust-1", f"cust-{i}-x"))


def test_a_clean_load_leaves_no_cycles_behind(tmp_path: Path) -> None:
    """The loader pauses the cycle collector while files load cleanly: that is only safe while
    a clean file leaves nothing for it to collect."""
    _many(tmp_path, 20)
    load_workspace(tmp_path, now=NOW)
    gc.collect()
    gc.disable()
    try:
        loaded = load_workspace(tmp_path, now=NOW)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert len(loaded.customers) == 21


def test_the_collector_is_on_again_after_any_load(tmp_path: Path) -> None:
    _many(tmp_path / "clean", 3)
    _many(tmp_path / "broken", 3)
    (tmp_path / "broken" / "customers" / "bad.yaml").write_text("a: [\n")
    assert gc.isenabled()
    check_workspace(tmp_path / "clean", now=NOW)
    assert gc.isenabled()
    report = check_workspace(tmp_path / "broken", now=NOW)
    assert report.errors
    assert gc.isenabled()

    gc.disable()  # whoever paused it themselves keeps it paused
    try:
        check_workspace(tmp_path / "clean", now=NOW)
        assert not gc.isenabled()
    finally:
        gc.enable()


MERGE_CASES = [
    "customerExternalId: a\nproject: {name: A}\n",
    "customerExternalId: a\nproject:\n  name: A\nsocial: null\nbrand: ~\ncontent:\n  k: {x: [1, 2]}\n",
    "base: &b {name: B, list: [1, {q: 2}]}\nproject:\n  <<: *b\n  name: C\n",
    "project:\n  <<: [{a: 1}, {a: 2, b: 3}]\n  b: 4\n",
    "a: 1\na: 2\nproject: {name: x, name: y}\n",
    "loop: &l [1, *l]\n",
    "".join("  " * i + f"k{i}:\n" for i in range(70)),
    "? [a]\n: b\nc: d\n",
    "ignore: [brand.tagline]\nbrand: {tagline: t}\n",
]


@pytest.mark.parametrize("text", MERGE_CASES)
def test_without_defaults_a_customer_keeps_its_own_positions(text: str) -> None:
    """With nothing from the defaults, `merge_customer` takes the parsed entries as they are
    (less the sections written null) instead of walking the document: the same entries, in the
    same order, as the walk finds."""
    parsed = parse_yaml(text, "c.yaml")
    assert isinstance(parsed.data, dict)
    assert parsed.source.whole
    walked = SourceMap(parsed.source.root, dict(parsed.source.entries))
    assert not walked.whole
    fast_data, fast = merge_customer({}, None, ("defaults",), parsed.data, parsed.source)
    slow_data, slow = merge_customer({}, None, ("defaults",), parsed.data, walked)
    assert fast_data == slow_data
    assert list(fast.entries.items()) == list(slow.entries.items())
    assert fast.root == slow.root
