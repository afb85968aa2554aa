"""Exit 3 while people have not acted (with their URLs), exit 1 with the guide's recoveries."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.apply.local import local_emulator
from tests.apply.support import (
    DATA,
    KEY,
    REVISIONS,
    Api,
    copy_workspace,
    emulator,
    for_revision,
    kill9,
    revision_args,
    run_cli,
    start_cli,
)

CUSTOMER = "bluebird-labs-010"
URL = re.compile(r"open: (\S+)|^\s+(http\S+)$", re.MULTILINE)


def urls(output: str) -> set[str]:
    return {a or b for a, b in URL.findall(output)}


def consent(api: Api, url: str) -> None:
    """A person opens the URL (a plain GET); for a GitHub install, the partner's callback then
    registers the installation with the id and state GitHub sends back."""
    answer = api.visit(url)
    assert answer.status_code == 302, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    if "installation_id" in query:
        api.post(
            "/v1/github/installation",
            {"installationId": int(query["installation_id"][0]), "state": query["state"][0]},
        )


@pytest.mark.parametrize("revision", REVISIONS)
def test_without_consent_apply_exits_3_with_the_urls_then_converges_after_it(
    tmp_path: Path, revision: str
) -> None:
    ws = for_revision(copy_workspace(DATA / "people", tmp_path / "ws"), revision)
    with local_emulator(tmp_path, auto_consent=False, extra=revision_args(revision)) as emu:
        api = Api(emu.url)
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = first.stdout + first.stderr
        assert first.returncode == 3, output
        assert KEY not in output
        opened = urls(output)
        assert any("/github/" in u for u in opened), output
        assert any("/social/" in u for u in opened), output
        summary = output[output.rindex(f"… {CUSTOMER}") :]  # the final summary lists each gate
        assert f"{CUSTOMER}/github" in summary
        assert f"{CUSTOMER}/social/tiktok" in summary
        assert urls(summary) == opened

        for url in sorted(u for u in opened if "/_emulator/" in u):
            consent(api, url)

        second = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = second.stdout + second.stderr
        # The install and the consent are done; now the content waits for someone to approve.
        assert second.returncode == 3, output
        assert f"{CUSTOMER}/content/first-post/approval" in output
        project = api.project(CUSTOMER)
        (container,) = api.containers(project["id"])
        assert container["approvalStatus"] == "pending"
        assert api.posts(project["id"]) == []

        api.post(f"/v1/content/{container['id']}/approve", {"note": "looks good"})
        third = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert third.returncode == 0, third.stdout + third.stderr
        (post,) = api.posts(project["id"])
        assert post["status"] == "queued"
        plan = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert plan.returncode == 0, plan.stdout
        api.close()


@pytest.mark.parametrize("revision", REVISIONS)
def test_apply_waits_for_people_who_act_while_it_waits(tmp_path: Path, revision: str) -> None:
    ws = for_revision(copy_workspace(DATA / "people", tmp_path / "ws"), revision)
    text = (ws / "customers/bluebird.yaml").read_text()
    (ws / "customers/bluebird.yaml").write_text(
        text.replace("    brief:", "    approve: true\n    brief:")
    )
    with emulator(tmp_path, auto_consent=False, extra=revision_args(revision)) as emu:
        api = Api(emu.url)
        proc = start_cli(
            "apply", str(ws), "--auto-approve", "--wait-for-people", "1m", env=emu.env()
        )
        assert proc.stdout is not None
        seen: list[str] = []
        opened: set[str] = set()
        deadline = time.monotonic() + 60
        try:
            while len(opened) < 2 and time.monotonic() < deadline:
                line = proc.stdout.readline()
                seen.append(line)
                for url in urls(line):
                    if url not in opened:
                        opened.add(url)
                        consent(api, url)
            output, _ = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                kill9(proc)
        assert proc.returncode == 0, "".join(seen) + output
        assert len(api.posts(api.project(CUSTOMER)["id"])) == 1
        api.close()


def test_failed_steps_name_customer_address_code_request_id_and_recovery(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "failures", tmp_path / "ws")
    with local_emulator(tmp_path) as emu:
        result = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        summary = output[output.rindex("✓ fine-023") :]
        assert "fine-023  converged" in summary  # the others went on

        def block(customer: str) -> str:
            start = summary.index(f"✗ {customer}")
            end = summary.find("\n✗", start + 1)
            return summary[start : end if end > 0 else None]

        no_sdk = block("no-sdk-020")
        assert "no-sdk-020/ingest: SDK_PATCH_GENERATION_FAILED" in no_sdk
        assert "requestId req_" in no_sdk
        assert "set github.platforms" in no_sdk
        private = block("private-021")
        assert "private-021/ingest: VALIDATION" in private
        assert "repoFullName" in private
        assert "requestId req_" in private
        assert "grant the Layers GitHub App access to quinns-coffee/vault-private" in private
        wrong = block("wrong-org-022")
        assert "wrong-org-022/ingest: PLATFORM_ERROR" in wrong
        assert "requestId req_" in wrong
        assert "re-register the installation" in wrong

        # Following the recovery fixes it: the failed ingest runs again (a new job).
        path = ws / "customers/no-sdk-020.yaml"
        path.write_text(path.read_text() + "  platforms: [ios]\n")
        again = run_cli(
            "--customer", "no-sdk-020", "apply", str(ws), "--auto-approve", env=emu.env()
        )
        assert again.returncode == 0, again.stdout + again.stderr
        api = Api(emu.url)
        reserved = api.project("no-sdk-020")["metadata"]["layersReconcile"]["ingest"]
        assert (reserved["status"], reserved["attempt"]) == ("completed", 2)
        api.close()
