"""`links` with a read-only key (what the README says is enough to list): the GitHub install link
apply sent is listed too, saying that the key cannot check whether it is still needed, not
left out of the list; once the customer is installed and ingested, it is not listed."""

from __future__ import annotations

from pathlib import Path

from tests.apply.local import local_emulator
from tests.apply.support import DATA, KEY, Api, copy_workspace, run_cli
from tests.apply.test_links import BLUEBIRD, READ_ONLY, expire, listed, mint_key, opened
from tests.apply.test_people_and_failures import consent


def test_a_read_only_key_lists_the_github_install_link_too(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    with local_emulator(tmp_path, auto_consent=False) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = first.stdout + first.stderr
        assert first.returncode == 3, output
        install = opened(output, f"{BLUEBIRD}/github")
        read_only = {**emu.env(), "LAYERS_API_KEY": mint_key(emu.url, READ_ONLY)}

        rows = {r["kind"]: r for r in listed(ws, read_only, "--customer", BLUEBIRD)}

        github = rows["github_install"]
        assert (github["status"], github["url"]) == ("valid", install)
        assert github["address"] == f"{BLUEBIRD}/github"
        assert "lacks github:admin" in github["note"]
        text = run_cli("links", str(ws), "--customer", BLUEBIRD, env=read_only)
        assert f"url: {install}" in text.stdout
        assert "2 links outstanding" in text.stdout

        # expired: listed as such, and not replaced (the key may not)
        api = Api(emu.url)
        expire(api, BLUEBIRD, "github")
        api.close()
        rows = {r["kind"]: r for r in listed(ws, read_only, "--customer", BLUEBIRD)}
        assert (rows["github_install"]["status"], rows["github_install"]["url"]) == (
            "expired",
            None,
        )
        assert "github:admin" in rows["github_install"]["note"]
        assert KEY not in text.stdout + text.stderr

        # once installed and ingested, nothing is outstanding: the old link is not listed
        renewed = {r["kind"]: r for r in listed(ws, emu.env(), "--customer", BLUEBIRD)}
        api = Api(emu.url)
        consent(api, renewed["github_install"]["url"])
        consent(api, renewed["social_oauth"]["url"])
        api.close()
        done = run_cli("apply", str(ws), "--auto-approve", "--customer", BLUEBIRD, env=emu.env())
        assert done.returncode == 3, done.stdout + done.stderr  # a content approval waits
        assert f"{BLUEBIRD}/ingest: run_job done" in done.stdout
        assert listed(ws, read_only, "--customer", BLUEBIRD) == []
