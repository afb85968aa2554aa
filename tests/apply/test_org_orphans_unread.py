"""A plan on Rev B with a key that lacks org:admin (the read-only key a pull request plans with)
cannot read the child organizations: when that can hide an orphan child (a deleted customer
file with no orphan project, or `--prune` of everything), the plan says so, rather than showing
no orphan at all. A flat workspace's other plans stay quiet."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.apply.org_support import child_yaml, flat_yaml, ok, rev_b_world, write_workspace
from tests.apply.support import run_cli
from tests.apply.test_links import READ_ONLY, mint_key

WARNING = "the key lacks org:admin"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_a_key_without_org_admin_says_orphan_children_were_not_looked_for(tmp_path: Path) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "solo": flat_yaml("solo")})
    _git(ws, "init", "-q")
    _git(ws, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    _git(ws, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "base")
    with rev_b_world(tmp_path) as (emu, api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        (ws / "customers" / "kid.yaml").unlink()  # the last customer in a child
        read_only = {**emu.env(), "LAYERS_API_KEY": mint_key(emu.url, READ_ONLY)}

        pr = run_cli("plan", str(ws), "--changed-since", "HEAD", "--prune", env=read_only)
        out = pr.stdout + pr.stderr
        assert pr.returncode == 0, out
        assert WARNING in out
        assert "'kid'" in out
        pruned = run_cli("plan", str(ws), "--prune", "--format", "json", env=read_only)
        assert pruned.returncode == 0, pruned.stdout + pruned.stderr
        assert WARNING in pruned.stdout
        quiet = run_cli("plan", str(ws), env=read_only)  # nothing archives: nothing to say
        assert quiet.returncode == 0, quiet.stdout + quiet.stderr
        assert WARNING not in quiet.stdout + quiet.stderr

        # the full key sees the orphan child, and says nothing of the kind
        full = ok(run_cli("plan", str(ws), "--changed-since", "HEAD", env=emu.env()))
        assert f"kid · child organization {api.child('kid')['id']}" in full
        assert WARNING not in full


def test_import_without_org_admin_says_customers_in_children_were_not_imported(
    tmp_path: Path,
) -> None:
    ws = write_workspace(tmp_path / "ws", {"kid": child_yaml("kid"), "solo": flat_yaml("solo")})
    with rev_b_world(tmp_path) as (emu, _api):
        ok(run_cli("apply", str(ws), "--auto-approve", env=emu.env()))
        read_only = {**emu.env(), "LAYERS_API_KEY": mint_key(emu.url, READ_ONLY)}
        into = tmp_path / "imported"

        done = run_cli("import", str(into), env=read_only)

        out = done.stdout + done.stderr
        assert done.returncode == 0, out
        assert (into / "customers" / "solo.yaml").exists()
        assert WARNING in out
        assert "child organizations" in out
        full = ok(run_cli("import", str(tmp_path / "all"), env=emu.env()))
        assert WARNING not in full
