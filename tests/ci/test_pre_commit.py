"""The pre-commit hook: `pre-commit try-repo` installs this repository and runs `validate`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
HOOK = "layers-reconcile-validate"


def test_the_hook_is_declared() -> None:
    (hook,) = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == HOOK
    assert hook["entry"] == "layers-reconcile validate"
    assert hook["language"] == "python"


def pre_commit(cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "pre-commit"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    return subprocess.run(
        [str(exe), "try-repo", str(REPO), HOOK, "--all-files", "--color", "never"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_try_repo_validates_a_sample_repository(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (Path(sys.executable).parent / "pre-commit").exists():
        pytest.skip("needs git and pre-commit (pip install -e '.[test]')")
    sample = tmp_path / "sample"
    shutil.copytree(REPO / "examples", sample)
    for args in (["init", "-q"], ["add", "."]):
        subprocess.run(["git", "-C", str(sample), *args], check=True, capture_output=True)
    home = tmp_path / "pre-commit-home"
    good = pre_commit(sample, home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "layers-reconcile validate" in good.stdout
    assert "Passed" in good.stdout

    broken = sample / "customers" / "acme-fitness.yaml"
    broken.write_text(broken.read_text().replace("customerExternalId:", "customerExternalID:", 1))
    subprocess.run(["git", "-C", str(sample), "add", "."], check=True, capture_output=True)
    bad = pre_commit(sample, home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "customers/acme-fitness.yaml:" in bad.stdout
