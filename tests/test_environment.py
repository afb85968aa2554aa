"""The suite is isolated from the developer's environment (issue 14.6): with a key, an API URL, a
GitHub job summary and a proxy exported, every test still passes and nothing lands in the
summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTSIDE = ("LAYERS_", "GITHUB_")

# Tests that read the environment one way or another: one that expects "no key", one whose
# module fixture applies (a job summary would collect its report), one that asks a subprocess, one
# that talks to a server on loopback (a proxy would get its requests).
SENSITIVE = [
    "tests/client/test_network.py::test_a_connection_the_server_closed_while_idle_is_not_reused",
    "tests/test_environment.py::test_no_outside_variable_reaches_a_test_or_its_subprocesses",
    "tests/plan/test_cli_plan.py::test_no_api_key_is_one_clear_line",
    "tests/plan/test_prune_scope.py::test_a_renamed_or_moved_file_is_never_an_orphan_and_prune"
    "_needs_the_whole_workspace[root-noPATH-all-noshard-list-everyone]",
]


def seen(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    return sorted(n for n in environ if n.startswith(OUTSIDE) or n.lower().endswith("_proxy"))


def test_no_outside_variable_reaches_a_test_or_its_subprocesses() -> None:
    assert seen(os.environ) == []
    child = subprocess.run(
        [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert seen(json.loads(child.stdout)) == []


def test_an_exported_key_url_job_summary_and_proxy_change_no_test(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    exported = {
        "LAYERS_API_KEY": "exported-by-the-developer",
        "LAYERS_API_URL": "http://127.0.0.1:9",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTIONS": "true",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", *SENSITIVE],
        cwd=REPO,
        env={**os.environ, **exported},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{len(SENSITIVE)} passed" in done.stdout
    assert not summary.exists() or summary.read_text() == ""
