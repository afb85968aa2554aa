"""Property: whatever is done to a valid workspace, loading it either succeeds or raises the tool's
own ConfigError, every issue of which has a file, a positive line and a positive column."""

from __future__ import annotations

import copy
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from layers_reconcile.config import load_workspace
from layers_reconcile.config.source import parse_yaml
from layers_reconcile.errors import ConfigError

from .helpers import EXAMPLES, NOW

SEEDS = {path.name: path for path in sorted((EXAMPLES / "customers").glob("*.yaml"))}
SETTINGS = EXAMPLES / "layers.yaml"

TRICKY = [
    "",
    "-",
    "~",
    "null",
    "yes",
    "tiktok",
    "instagram",
    "reels",
    "feed",
    "auto",
    "Europe/Berlin",
    "Mars/Olympus_Mons",
    "2027-03-28T02:30",
    "2027-10-31T02:30",
    "2027-02-30T10:00",
    "2019-01-01T00:00:00Z",
    "http://example.com",
    "https://app.your-partner.com/x",
    "Launch_Hook",
    "owner/name",
    "layersReconcile",
    # hostile values: terminal sequences, invisible characters, look-alikes, huge numbers
    "\x1b[2J",
    "\x1b]0;title\x07",
    "a\u200bb",
    "x\u202ey",
    "nul\x00",
    "cafe\u0301",
    "caf\u00e9",
    "0x" + "f" * 5000,
    "9" * 5000,
]
SNIPPETS = [
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "<<: *a",
    "\t",
    "'",
    '"',
    "#",
    "?",
    "!!",
    "%",
    " 0x" + "f" * 5000,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=2**63 - 2, max_value=10**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(TRICKY),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["name", "x", "at", "mode", "hook"]), scalars, max_size=3),
)


def _read(text: str) -> Any:
    data = parse_yaml(text, "seed.yaml").data
    return data if data is not None else {}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    children: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    for key, child in children:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _misspell(word: str, data: st.DataObject) -> str:
    if not word:
        return "x"
    index = data.draw(st.integers(0, len(word) - 1))
    edit = data.draw(st.sampled_from(["drop", "double", "swap", "case"]))
    if edit == "drop":
        return word[:index] + word[index + 1 :]
    if edit == "double":
        return word[:index] + word[index] + word[index:]
    if edit == "swap" and index + 1 < len(word):
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    return word[:index] + word[index].swapcase() + word[index + 1 :]


def _mutate_tree(doc: Any, data: st.DataObject) -> Any:
    paths = _paths(doc)
    if not paths:
        return data.draw(values)
    path = data.draw(st.sampled_from(paths))
    parent = _parent(doc, path)
    key = path[-1]
    op = data.draw(st.sampled_from(["drop", "retype", "misspell", "scalar", "grow"]))
    if op == "drop":
        del parent[key]
    elif op == "retype":
        parent[key] = data.draw(values.filter(lambda v: type(v) is not type(parent[key])))
    elif op == "misspell" and isinstance(parent, dict):
        parent[_misspell(str(key), data)] = parent.pop(key)
    elif op == "scalar":
        parent[key] = data.draw(scalars)
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    else:
        parent[data.draw(st.sampled_from(["extra", "id", "variant", "tz"]))] = data.draw(values)
    return doc


def _dump(doc: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _mutate_text(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True) or [""]
    index = data.draw(st.integers(0, len(lines) - 1))
    op = data.draw(st.sampled_from(["duplicate-line", "insert", "indent", "drop-line"]))
    if op == "duplicate-line":
        lines.insert(index, lines[index])
    elif op == "insert":
        line = lines[index]
        at = data.draw(st.integers(0, len(line)))
        lines[index] = line[:at] + data.draw(st.sampled_from(SNIPPETS)) + line[at:]
    elif op == "indent":
        lines[index] = data.draw(st.sampled_from(["  ", " ", "    "])) + lines[index]
    else:
        del lines[index]
    return "".join(lines)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_workspaces_load_or_fail_with_positioned_issues(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(sorted(SEEDS)), label="seed")
    target = data.draw(st.sampled_from(["customer", "customer", "settings"]), label="file")
    source = SEEDS[seed] if target == "customer" else SETTINGS
    text = source.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3), label="rounds")):
        if data.draw(st.booleans(), label="tree"):
            doc = _mutate_tree(_read(text), data)
            text = _dump(doc)
        else:
            text = _mutate_text(text, data)
    raw = text.encode("utf-8")
    if data.draw(st.integers(0, 9), label="bytes") == 0:
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "customers").mkdir()
        settings_text = SETTINGS.read_bytes() if target == "customer" else raw
        (root / "layers.yaml").write_bytes(settings_text)
        customer = raw if target == "customer" else SEEDS[seed].read_bytes()
        (root / "customers" / seed).write_bytes(customer)
        failure: ConfigError | None = None
        try:
            workspace = load_workspace(root, now=NOW)
        except ConfigError as exc:
            failure = exc
    if failure is None:
        assert len(workspace.customers) == 1
        assert len(workspace.customers[0].fingerprint) == 64
        return
    assert failure.issues
    for issue in failure.issues:
        assert issue.file, issue
        assert issue.line >= 1, issue
        assert issue.col >= 1, issue
        assert issue.message, issue
