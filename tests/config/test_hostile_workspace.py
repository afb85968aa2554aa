"""Hostile workspaces, round two: what a pull request can plant in `layers.yaml` and beside the
customer files. Each is a clean answer at `file:line` from `validate`, never a traceback, never a
spin, and never a read outside the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from layers_reconcile.config import load_workspace

from .test_hostile_files import SECRET, VALID, validate, workspace


def _settings(root: Path, text: str) -> None:
    (root / "layers.yaml").write_text(text)


@pytest.mark.timeout(120)
def test_thirty_double_star_segments_and_a_deep_file_do_not_spin(tmp_path: Path) -> None:
    customers = workspace(tmp_path)
    pattern = "customers/" + "**/" * 30 + "x.yaml"
    _settings(tmp_path, f"workspace: hostile\ncustomers:\n  exclude: ['{pattern}']\n")
    deep = customers.joinpath(*["d"] * 25)
    deep.mkdir(parents=True)
    (deep / "y.yaml").write_text(VALID.replace("cust-1", "deep-1"))
    code, output = validate(tmp_path)
    assert code == 0, output
    assert "2 customers valid" in output


@pytest.mark.parametrize("name", ["[z-a].yaml", "[]x].yaml", "[!].yaml"])
def test_brackets_in_file_names_are_plain_names(tmp_path: Path, name: str) -> None:
    customers = workspace(tmp_path)
    (customers / name).write_text(VALID.replace("cust-1", "bracket-1"))
    code, output = validate(tmp_path)
    assert code == 0, output
    assert "2 customers valid" in output


@pytest.mark.parametrize(
    ("pattern", "matched"), [("customers/[[]z-a].yaml", True), ("customers/[!].yaml", True)]
)
def test_a_file_with_brackets_can_be_named_in_include(
    tmp_path: Path, pattern: str, matched: bool
) -> None:
    customers = workspace(tmp_path)
    name = pattern.removeprefix("customers/").replace("[[]", "[")
    (customers / name).write_text(VALID.replace("cust-1", "bracket-1"))
    _settings(tmp_path, f"workspace: hostile\ncustomers:\n  include: ['{pattern}']\n")
    code, output = validate(tmp_path)
    assert code == 0, output
    assert "1 customer valid" in output
    assert "Traceback" not in output


def test_a_backwards_range_in_include_is_an_error_at_its_line(tmp_path: Path) -> None:
    workspace(tmp_path)
    _settings(
        tmp_path,
        "workspace: hostile\ncustomers:\n  include:\n    - customers/*.yaml\n"
        "    - customers/[z-a].yaml\n",
    )
    code, output = validate(tmp_path)
    assert code == 1, output
    assert "Traceback" not in output
    assert (
        "layers.yaml:5:7: the class '[z-a]' in 'customers/[z-a].yaml' has the range 'z-a' "
        "backwards: write 'a-z' (and '[[]' for a plain '[')"
    ) in output


def test_a_loop_of_links_is_an_error_at_the_file(tmp_path: Path) -> None:
    customers = workspace(tmp_path)
    (customers / "a.yaml").symlink_to("b.yaml")
    (customers / "b.yaml").symlink_to("a.yaml")
    code, output = validate(tmp_path)
    assert code == 1, output
    assert "Traceback" not in output
    for name in ("a.yaml", "b.yaml"):
        assert (
            f"customers/{name}:1:1: this link is part of a loop of links and never reaches a "
            "file; replace it with the file itself"
        ) in output


def test_the_misplaced_file_warning_never_opens_a_link_out_of_the_workspace(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside" / "secret.yaml"
    outside.parent.mkdir()
    outside.write_text(f"customerExternalId: {SECRET}\n")
    root = tmp_path / "repo"
    root.mkdir()
    workspace(root)
    (root / "ci").mkdir()
    (root / "ci" / "compose.yml").symlink_to(outside)
    (root / "ci" / "inside.yml").write_text("customerExternalId: lost-1\n")
    code, output = validate(root)
    assert code == 0, output
    assert "ci/inside.yml:1:1: warning: looks like a customer file" in output
    assert "compose.yml" not in output


@pytest.mark.parametrize("name", ["layers.yaml", "layers.yml"])
def test_a_settings_file_that_is_a_folder_is_an_error(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    (tmp_path / "customers").mkdir()
    (tmp_path / "customers" / "ok.yaml").write_text(VALID)
    code, output = validate(tmp_path)
    assert code == 1, output
    assert f"{name}:1:1: not a regular file (it is a folder)" in output


HUGE = "0x" + "f" * 20_000


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        (
            "customerExternalId: c-1\nproject:\n  name: One\napproval:\n"
            f"  requiresApproval: true\n  firstNPostsBlocked: {HUGE}\n",
            6,
            23,
        ),
        (f"customerExternalId: {HUGE}\nproject:\n  name: One\n", 1, 21),
        (f"customerExternalId: c-1\nproject:\n  name: One\n  metadata:\n    n: {HUGE}\n", 5, 8),
        (
            f"customerExternalId: c-1\nproject:\n  name: One\n  metadata:\n    n: -{'9' * 5000}\n",
            5,
            8,
        ),
    ],
)
def test_a_huge_integer_is_an_error_at_its_line(
    tmp_path: Path, text: str, line: int, col: int
) -> None:
    (workspace(tmp_path) / "big.yaml").write_text(text)
    code, output = validate(tmp_path)
    assert code == 1, output
    assert "Traceback" not in output
    assert "set_int_max_str_digits" not in output
    assert "Exceeds the limit" not in output
    assert f"customers/big.yaml:{line}:{col}: the number " in output
    assert "is too large: numbers here fit in 64 bits (at most 9,223,372,036,854,775,807)" in output
    assert "f" * 100 not in output  # shortened, not echoed


def test_the_largest_64_bit_integers_are_still_numbers(tmp_path: Path) -> None:
    (workspace(tmp_path) / "edge.yaml").write_text(
        "customerExternalId: c-2\nproject:\n  name: Two\n  metadata:\n"
        f"    top: {2**63 - 1}\n    bottom: {-(2**63)}\n    hex: 0x{'0' * 70}1\n"
    )
    code, output = validate(tmp_path)
    assert code == 0, output


@pytest.mark.parametrize(
    ("written", "described"),
    [
        ("a\\u200bb", "U+200B, ZERO WIDTH SPACE, at character 2"),
        ("x\\u202ey", "U+202E, RIGHT-TO-LEFT OVERRIDE, at character 2"),
        ("\\u2066ab", "U+2066, LEFT-TO-RIGHT ISOLATE, at character 1"),
        ("\\e]0;title\\a", "U+001B, a control character, at character 1"),
        ("\\e[2J", "U+001B, a control character, at character 1"),
        ("n\\0ul", "U+0000, a control character, at character 2"),
        ("del\\x7f", "U+007F, a control character, at character 4"),
        ("csi\\x9b", "U+009B, a control character, at character 4"),
        ("bom\\ufeff", "U+FEFF, ZERO WIDTH NO-BREAK SPACE, at character 4"),
    ],
)
def test_an_id_with_an_invisible_or_control_character_is_refused(
    tmp_path: Path, written: str, described: str
) -> None:
    (workspace(tmp_path) / "odd.yaml").write_text(
        f'customerExternalId: "{written}"\nproject:\n  name: Odd\n'
    )
    code, output = validate(tmp_path)
    assert code == 1, output
    assert (
        f"customers/odd.yaml:1:21: 'customerExternalId' holds an invisible or control character "
        f"({described}): it would look like another id, or act on the terminal that shows it; "
        "type the id again without it"
    ) in output
    assert "\x1b" not in output
    assert "\x00" not in output


def test_ids_equal_once_unicode_is_normalised_are_a_duplicate_at_both_files(
    tmp_path: Path,
) -> None:
    customers = workspace(tmp_path)
    (customers / "nfc.yaml").write_text('customerExternalId: "caf\\u00e9"\nproject:\n  name: A\n')
    (customers / "nfd.yaml").write_text('customerExternalId: "cafe\\u0301"\nproject:\n  name: B\n')
    code, output = validate(tmp_path)
    assert code == 1, output
    for here, there in (("nfc", "nfd"), ("nfd", "nfc")):
        (line,) = [x for x in output.splitlines() if f"customers/{here}.yaml:1:21:" in x]
        assert f"customerExternalId 'caf\u00e9' is also in {tmp_path.as_posix()}/customers/" in line
        assert (
            f"{there}.yaml (line 1), spelt with other Unicode code points: the two print alike "
            "but would be two projects"
        ) in line


def test_plan_refuses_a_huge_integer_at_its_line_too(tmp_path: Path) -> None:
    (workspace(tmp_path) / "big.yaml").write_text(
        f"customerExternalId: c-1\nproject:\n  name: One\n  metadata:\n    n: {HUGE}\n"
    )
    result = CliRunner().invoke(cli, ["--no-color", "plan", "--emulator", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "customers/big.yaml:5:8: the number 0xffffffffff…ffff (20,002 characters)" in (
        result.output
    )


@pytest.mark.parametrize("written", [".nan", ".inf", "-.Inf", "1e999", "-2.5e400"])
def test_a_number_json_cannot_carry_is_an_error_at_its_line(tmp_path: Path, written: str) -> None:
    """NaN and infinities (a float past its range reads as one) passed validate and the plan,
    then broke apply with "this is a bug" (JSON has no such number)."""
    (workspace(tmp_path) / "nan.yaml").write_text(
        f"customerExternalId: c-1\nproject:\n  name: One\n  metadata:\n    n: {written}\n"
    )
    code, output = validate(tmp_path)
    assert code == 1, output
    assert (
        f"customers/nan.yaml:5:8: the number {written} is not a finite number (NaN or "
        "infinity), which JSON and the API cannot carry; put it in quotes if it is text"
    ) in output


def test_plan_refuses_a_nan_before_apply_could_send_it(tmp_path: Path) -> None:
    (workspace(tmp_path) / "nan.yaml").write_text(
        "customerExternalId: c-1\nproject:\n  name: One\n  metadata:\n    n: .nan\n"
    )
    result = CliRunner().invoke(
        cli, ["--no-color", "apply", "--emulator", "--auto-approve", str(tmp_path)]
    )
    assert result.exit_code == 1, result.output
    assert "customers/nan.yaml:5:8: the number .nan is not a finite number" in result.output
    assert "bug in layers-reconcile" not in result.output


def test_a_loop_of_links_beside_the_file_planned_is_no_traceback(tmp_path: Path) -> None:
    """A path naming part of the workspace still reads the other customer files for their ids;
    a loop of links among them names nothing (it is reported when the whole workspace is)."""
    customers = workspace(tmp_path)
    (customers / "a.yaml").symlink_to("b.yaml")
    (customers / "b.yaml").symlink_to("a.yaml")
    (customers / "two.yaml").write_text(VALID.replace("cust-1", "cust-2"))
    loaded = load_workspace(customers / "ok.yaml")
    assert [c.spec.customerExternalId for c in loaded.customers] == ["cust-1"]
    assert loaded.named == {"cust-1", "cust-2"}
    code, output = validate(customers / "ok.yaml")
    assert code == 0, output
    assert "Traceback" not in output
