from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from layers_reconcile.config import check_workspace, load_workspace
from layers_reconcile.config.models import CustomerSpec
from layers_reconcile.config.source import Mark
from layers_reconcile.errors import ConfigError

from .helpers import NOW

MINIMAL = "customerExternalId: c-001\nproject:\n  name: C\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def errors_of(root: Path) -> list[str]:
    return [str(i) for i in check_workspace(root, now=NOW).errors]


def only_customer(root: Path) -> CustomerSpec:
    workspace = load_workspace(root, now=NOW)
    assert len(workspace.customers) == 1
    return workspace.customers[0].spec


def test_fields_not_written_are_not_managed_and_empty_is_not_absent(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"c.yaml": MINIMAL + "  metadata: {}\nbrand: {}\ngithub: {repo: a/b, platforms: []}\n"},
    )
    spec = only_customer(tmp_path)
    assert spec.model_fields_set == {"customerExternalId", "project", "brand", "github"}
    assert spec.project.model_fields_set == {"name", "metadata"}
    assert spec.brand is not None
    assert spec.brand.model_fields_set == set()
    assert spec.github is not None
    assert spec.github.platforms == []
    assert spec.model_dump(exclude_unset=True) == {
        "customerExternalId": "c-001",
        "project": {"name": "C", "metadata": {}},
        "brand": {},
        "github": {"repo": "a/b", "platforms": []},
    }


def test_defaults_merge_under_the_customer_and_the_customer_wins(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "workspace: ws\ndefaults:\n"
            "  project: {timezone: America/Los_Angeles, primaryLanguage: en}\n"
            "  approval: {requiresApproval: true, firstNPostsBlocked: 3}\n",
            "customers/c.yaml": MINIMAL.replace("name: C\n", "name: C\n  timezone: Europe/Berlin\n")
            + "approval:\n  firstNPostsBlocked: 5\n",
        },
    )
    workspace = load_workspace(tmp_path, now=NOW)
    assert workspace.settings.workspace == "ws"
    customer = workspace.customers[0]
    assert customer.spec.model_dump(exclude_unset=True) == {
        "customerExternalId": "c-001",
        "project": {"name": "C", "timezone": "Europe/Berlin", "primaryLanguage": "en"},
        "approval": {"requiresApproval": True, "firstNPostsBlocked": 5},
    }
    settings_file = (tmp_path / "layers.yaml").as_posix()
    customer_file = (tmp_path / "customers" / "c.yaml").as_posix()
    assert customer.source.mark(("project", "primaryLanguage")) == Mark(settings_file, 3, 61)
    assert customer.source.mark(("approval", "requiresApproval")) == Mark(settings_file, 4, 32)
    assert customer.source.mark(("approval", "firstNPostsBlocked")) == Mark(customer_file, 6, 23)
    assert customer.source.mark(("project", "timezone")).file == customer_file


def test_errors_in_merged_defaults_point_into_layers_yaml_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  approval: {firstNPostsBlocked: 99}\n",
            "customers/a.yaml": MINIMAL,
            "customers/b.yaml": MINIMAL.replace("c-001", "c-002"),
        },
    )
    assert errors_of(tmp_path) == [
        f"{(tmp_path / 'layers.yaml').as_posix()}:2:34: 'firstNPostsBlocked' must be between "
        "0 and 50, got 99"
    ]


def test_a_section_written_as_null_switches_off_its_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  approval: {requiresApproval: true}\n",
            "customers/c.yaml": MINIMAL + "approval:\n",
        },
    )
    assert "approval" not in only_customer(tmp_path).model_fields_set


def test_discovery_is_recursive_skips_hidden_folders_and_nested_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.yaml": MINIMAL,
            "deep/er/b.yml": MINIMAL.replace("c-001", "c-002"),
            ".github/workflows/ci.yml": "on: push\n",
            "deep/layers.yaml": "parallelism: 0\n",
            "notes.txt": "not yaml",
        },
    )
    report = check_workspace(tmp_path, now=NOW)
    assert not report.errors
    assert report.workspace is not None
    assert [c.path.name for c in report.workspace.customers] == ["a.yaml", "b.yml"]
    assert [w.message for w in report.warnings] == [
        "ignored: only the layers.yaml at the workspace root is read"
    ]


def test_a_single_file_takes_the_settings_of_its_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  project: {timezone: Europe/Berlin}\n",
            "customers/c.yaml": MINIMAL,
            "customers/broken.yaml": "nope: [",
        },
    )
    monkeypatch.chdir(tmp_path)
    workspace = load_workspace(Path("customers/c.yaml"), now=NOW)
    assert [c.path for c in workspace.customers] == [Path("customers/c.yaml")]
    assert workspace.customers[0].spec.project.timezone == "Europe/Berlin"
    settings_only = load_workspace(tmp_path / "layers.yaml", now=NOW)
    assert settings_only.customers == []


def test_paths_are_shown_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"ws/customers/c.yaml": "customerExternalId: c\n"})
    monkeypatch.chdir(tmp_path)
    expected = ["ws/customers/c.yaml:1:1: missing required key 'project'"]
    assert errors_of(tmp_path / "ws") == expected
    assert errors_of(Path("ws")) == expected
    assert errors_of(Path("./ws/")) == expected


def test_a_missing_path_is_an_issue_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_workspace(tmp_path / "nowhere")
    assert caught.value.issues[0].message == "no such file or directory"


def test_fingerprint_is_stable_and_ignores_layout_comments_and_key_order(tmp_path: Path) -> None:
    one = write(tmp_path / "one", {"c.yaml": MINIMAL + "brand: {tagline: Hi, appName: A}\n"})
    two = write(
        tmp_path / "two",
        {"c.yaml": "# comment\nbrand:\n  appName: A\n  tagline: Hi\n" + MINIMAL},
    )
    three = write(tmp_path / "three", {"c.yaml": MINIMAL + "brand: {tagline: Hello, appName: A}\n"})
    first = load_workspace(one).customers[0].fingerprint
    assert first == load_workspace(one).customers[0].fingerprint
    assert first == load_workspace(two).customers[0].fingerprint
    assert first != load_workspace(three).customers[0].fingerprint


def test_two_files_with_one_customer_external_id(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": MINIMAL, "b.yaml": MINIMAL})
    (error,) = errors_of(tmp_path)
    a, b = (tmp_path / "a.yaml").as_posix(), (tmp_path / "b.yaml").as_posix()
    assert error == (
        f"{b}:1:21: customerExternalId 'c-001' is already used by {a} (line 1); "
        "each customer needs its own"
    )


def test_anchors_aliases_and_merge_keys_are_understood(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "c.yaml": MINIMAL
            + "social:\n  tiktok: &url {returnUrl: https://localhost/x}\n  instagram: *url\n"
            + "content:\n  a:\n    brief: &brief {hook: Hi, cta: Go}\n"
            + "  b:\n    brief:\n      <<: *brief\n      cta: Stop\n"
        },
    )
    spec = only_customer(tmp_path)
    assert spec.content is not None
    assert spec.content["b"].brief.model_dump(exclude_unset=True) == {"hook": "Hi", "cta": "Stop"}
    assert spec.social is not None
    assert set(spec.social) == {"tiktok", "instagram"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a: &x [*x]\n", "c.yaml:1:4: an alias refers to the node that contains it"),
        (b"a: 1\n---\nb: 2\n", "c.yaml:2:1: YAML syntax error: but found another document"),
        (b"a: \x07\n", "c.yaml:1:4: character U+0007 is not allowed in YAML; remove it"),
        (b"a: !!binary aGk=\n", "c.yaml:1:4: unsupported YAML tag 'tag:yaml.org,2002:binary'"),
        (b"[" * 5000, "c.yaml:1:1: the document is nested too deeply"),
        (b"a: b: c\n", "c.yaml:1:5: YAML syntax error: mapping values are not allowed here"),
        (b"~\n", "c.yaml:1:1: the file is empty"),
        (b"just text\n", "c.yaml:1:1: a customer file must be a mapping of keys"),
        (b"\xff\xfe\x00", "c.yaml:1:1: the file starts with a UTF-16 mark but is not UTF-16"),
        (b"name: caf\xe9\n", "c.yaml:1:10: the file is not UTF-8"),
        (b"? [a, b]\n: c\n", "c.yaml:1:3: a key must be a plain string, not a list or a mapping"),
    ],
)
def test_bad_documents_become_issues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, expected: str
) -> None:
    write(tmp_path, {"c.yaml": content})
    monkeypatch.chdir(tmp_path)
    errors = errors_of(Path("."))
    assert errors
    assert any(e.startswith(expected) for e in errors), errors


def test_utf8_and_utf16_with_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    write(tmp_path / "a", {"c.yaml": codecs.BOM_UTF8 + MINIMAL.encode()})
    write(tmp_path / "b", {"c.yaml": MINIMAL.encode("utf-16")})
    assert only_customer(tmp_path / "a").customerExternalId == "c-001"
    assert only_customer(tmp_path / "b").customerExternalId == "c-001"


def test_a_past_schedule_is_history_not_a_warning(tmp_path: Path) -> None:
    """Offline, a past time may be a post already published: plan warns where it would not be."""
    write(
        tmp_path,
        {
            "c.yaml": MINIMAL
            + "social: {tiktok: {returnUrl: 'https://app.example.com/done'}}\n"
            + "content:\n  a:\n    brief: {hook: Hi}\n    schedule:\n"
            + "      - {account: tiktok, mode: direct_publish, at: 2026-05-01T10:00:00Z}\n"
        },
    )
    report = check_workspace(tmp_path, now=NOW)
    assert report.issues == []
    assert report.workspace is not None


def test_workspace_settings_are_validated(tmp_path: Path) -> None:
    write(tmp_path, {"layers.yaml": "- a list\n", "layers.yml": "workspace: x\n"})
    errors = errors_of(tmp_path)
    assert any("layers.yaml must be a mapping of settings" in e for e in errors)
    assert any("both layers.yaml and layers.yml exist" in e for e in errors)


def test_an_empty_layers_yaml_is_fine(tmp_path: Path) -> None:
    write(tmp_path, {"layers.yaml": "# nothing yet\n", "c.yaml": MINIMAL})
    workspace = load_workspace(tmp_path)
    assert workspace.settings.model_fields_set == set()
    assert workspace.settings_path == tmp_path / "layers.yaml"


def test_unquoted_yaml_timestamps_stay_the_text_written(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "c.yaml": MINIMAL
            + "social: {tiktok: {returnUrl: 'https://app.example.com/done'}}\n"
            + "content:\n  a:\n    brief: {hook: Hi}\n    schedule:\n"
            + "      - {account: tiktok, mode: direct_publish, at: 2027-03-01T22:00:00.5+01:00}\n"
        },
    )
    spec = only_customer(tmp_path)
    assert spec.content is not None
    assert spec.content["a"].schedule[0].at == "2027-03-01T22:00:00.5+01:00"


def test_models_refuse_null_except_where_the_api_clears_with_it() -> None:
    spec = CustomerSpec.model_validate(
        {
            "customerExternalId": "c",
            "project": {"name": "C"},
            "approval": {"firstNPostsBlocked": None, "autoApproveAfter": None},
        }
    )
    assert spec.approval is not None
    assert spec.approval.model_fields_set == {"firstNPostsBlocked", "autoApproveAfter"}
    with pytest.raises(ValueError, match="has no value"):
        CustomerSpec.model_validate({"customerExternalId": "c", "project": {"name": None}})


def test_api_revision_in_layers_yaml_is_one_of_auto_a_b_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "customers").mkdir()
    (tmp_path / "layers.yaml").write_text("workspace: w\napiRevision: c\n")
    with pytest.raises(ConfigError) as refused:
        load_workspace(tmp_path)
    assert [str(i).rsplit("/", 1)[-1] for i in refused.value.issues] == [
        "layers.yaml:2:14: 'apiRevision' must be one of auto, a, b, got 'c'"
    ]
    (tmp_path / "layers.yaml").write_text("workspace: w\napiRevision: b\n")
    assert load_workspace(tmp_path).settings.apiRevision == "b"
