"""`import` against crafted projects: whatever a project's customerExternalId or workspace stamp
holds, every file is written inside the workspace, under a name that acts on nothing, by the
YAML emitter."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers_reconcile.apply.importer import file_stem
from tests.apply.local import local_emulator
from tests.apply.support import Api, run_cli
from tests.workspaces import write_workspace

EVIL_STAMP = "evilws\napiUrl: https://evil.example"


def _project(api: Api, external_id: str, stamp: str | None = None) -> None:
    metadata = {"layersReconcile": {"workspace": stamp}} if stamp else None
    api.post(
        "/v1/projects",
        {"name": "Crafted", "customerExternalId": external_id, "timezone": "UTC"}
        | ({"metadata": metadata} if metadata else {}),
    )


def test_a_crafted_id_is_written_inside_customers_under_a_safe_name(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", name="ours")
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        _project(api, "../../../../outside/PWNED")
        _project(api, "esc\x1b]0;title\x07name")
        api.close()
        done = run_cli("import", str(ws), env=emu.env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.parent for p in tmp_path.rglob("*PWNED*.yaml")] == [ws / "customers"]
    assert not (tmp_path / "outside").exists()
    names = sorted(p.name for p in (ws / "customers").iterdir())
    assert names == sorted(
        [
            f"{file_stem('../../../../outside/PWNED')}.yaml",
            f"{file_stem('esc' + chr(27) + ']0;title' + chr(7) + 'name')}.yaml",
        ]
    )
    assert all("\x1b" not in n and "/" not in n and not n.startswith(".") for n in names)
    assert "\x1b" not in done.stdout
    written = (ws / "customers" / names[0]).read_text() + (ws / "customers" / names[1]).read_text()
    assert "customerExternalId: ../../../../outside/PWNED" in written


@pytest.mark.parametrize(
    ("external_id", "stem"),
    [
        ("quinn-coffee-001", "quinn-coffee-001"),
        ("Acme_Fitness.003", "Acme_Fitness.003"),
        ("..", "customer-"),
        ("../../x", "x-"),
        ("a/b", "a-b-"),
        ("café", "caf-"),
        ("x\ny", "x-y-"),
    ],
)
def test_file_names_come_from_ids_through_one_slug(external_id: str, stem: str) -> None:
    made = file_stem(external_id)
    assert made == stem if not stem.endswith("-") else made.startswith(stem)
    assert made == stem or len(made) == len(stem) + 8  # a short hash when anything changed
    assert file_stem("a-b") != file_stem("a/b")


def test_ids_that_differ_only_in_case_get_files_no_case_insensitive_disk_merges(
    tmp_path: Path,
) -> None:
    """`Acme.yaml` and `acme.yaml` are one file on macOS and Windows: the second would be
    written over the first there. Each such id gets a name of its own (with its hash), said."""
    beta = "customerExternalId: Beta\nproject: {name: Beta}\n"
    ws = write_workspace(tmp_path / "ws", {"Beta.yaml": beta}, name="ours")
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        for external_id in ("Acme", "acme", "beta", "Other"):
            _project(api, external_id)
        api.close()
        done = run_cli("import", str(ws), env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr
        names = sorted(p.name for p in (ws / "customers").iterdir())
        assert names == sorted(
            [
                "Beta.yaml",  # the workspace's own file, untouched
                "Other.yaml",
                f"{file_stem('Acme', hashed=True)}.yaml",
                f"{file_stem('acme', hashed=True)}.yaml",
                f"{file_stem('beta', hashed=True)}.yaml",
            ]
        )
        assert len({n.casefold() for n in names}) == len(names)
        assert "Beta" in (ws / "customers/Beta.yaml").read_text()
        assert "not acme.yaml: that name and Acme.yaml differ only in case" in done.stdout
        assert "not beta.yaml: that name and Beta.yaml differ only in case" in done.stdout
        assert "4 customer files written from 4 projects" in done.stdout
        again = run_cli("import", str(ws), env=emu.env())
        assert "0 customer files written" in again.stdout, again.stdout
        assert sorted(p.name for p in (ws / "customers").iterdir()) == names


def test_a_workspace_stamp_cannot_plant_a_setting(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        _project(api, "stamped-001", EVIL_STAMP)
        api.close()
        done = run_cli("import", str(ws), "--include-other-workspaces", env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr
        assert not (ws / "layers.yaml").exists()
        assert "skipped  the workspace name: the projects are stamped with" in done.stdout
        valid = run_cli("validate", str(ws), env=emu.env())
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "evil.example" not in valid.stdout


def test_a_plain_stamp_is_still_written_to_a_new_layers_yaml(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        _project(api, "stamped-002", "123")  # digits alone: YAML would read a number
        api.close()
        done = run_cli("import", str(ws), env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr
        valid = run_cli("validate", str(ws), env=emu.env())
    assert valid.returncode == 0, valid.stdout + valid.stderr
    settings = (ws / "layers.yaml").read_text()
    assert settings.startswith("workspace: '123'")
    assert "# stamped on the imported projects" in settings


def test_a_planted_link_in_customers_is_not_written_through(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    # customers/ is not read as customer files here, so the link is only met when writing
    (ws / "layers.yaml").write_text("workspace: ours\ncustomers:\n  include: [clients/*.yaml]\n")
    outside = tmp_path / "outside.yaml"
    outside.write_text("untouched\n")
    (ws / "customers" / "linked-001.yaml").symlink_to(outside)
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        _project(api, "linked-001")
        api.close()
        done = run_cli("import", str(ws), "--force", env=emu.env())
    assert outside.read_text() == "untouched\n"
    assert "leads out of" in done.stdout + done.stderr


def test_an_approval_policy_field_of_the_wrong_type_is_not_written_back(tmp_path: Path) -> None:
    # Layers answers the policy with values of the wrong type: the file import writes holds
    # none of them (a text "no" is no "yes"), so it validates, and plan shows what Layers has.
    ws = write_workspace(tmp_path / "ws", name="ours")
    with local_emulator(tmp_path) as emu:
        api = Api(emu.url)
        _project(api, "odd-policy-001", "ours")
        pid = api.project("odd-policy-001")["id"]
        api.close()
        store = emu.emulator.store
        doc = store.get("project", pid)
        assert doc is not None
        odd = {"requiresApproval": "no", "firstNPostsBlocked": "7", "autoApproveAfter": 5}
        store.put("project", {**doc, **odd})
        done = run_cli("import", str(ws), env=emu.env())
        assert done.returncode == 0, done.stdout + done.stderr
        written = (ws / "customers" / "odd-policy-001.yaml").read_text()
        valid = run_cli("validate", str(ws), env=emu.env())
        planned = run_cli("plan", str(ws), env=emu.env())
    assert "approval:\n  requiresApproval: false\n" in written
    assert "firstNPostsBlocked" not in written
    assert "autoApproveAfter" not in written
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert 'requiresApproval: "no" -> false' in planned.stdout, planned.stdout


@pytest.mark.parametrize("external_id", ["CON", "nul", "Aux.yaml", "com1", "LPT9"])
def test_a_name_windows_reserves_gets_a_hash(external_id: str) -> None:
    """`CON.yaml`, `aux.yaml.yaml`, `com1.yaml` are device names on Windows: a checkout there
    fails on them. Such an id gets its hash, as a name alike-but-case does."""
    made = file_stem(external_id)
    assert made != external_id
    assert made.startswith(external_id[:3])
    assert "." not in made  # `Aux.yaml-…` would be the device AUX again


def test_a_name_only_starting_like_a_device_is_kept() -> None:
    assert file_stem("console-7") == "console-7"
    assert file_stem("com10") == "com10"
