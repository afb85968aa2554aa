"""The pre-commit hook: what `validate --staged` checks, a real `git commit` through pre-commit
with the hook's entry (fast: a local hook, no install), and `pre-commit try-repo`, which installs
this repository in a fresh environment (slow: marked so, `.ci/run` runs it in its own step)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from layers_reconcile.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
HOOK = "layers-reconcile-validate"


def test_the_hook_is_declared() -> None:
    (hook,) = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == HOOK
    assert hook["entry"] == "layers-reconcile validate --staged"
    assert hook["language"] == "python"


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False
    )


BROKEN = "customerExternalId: broken-one\nproject: [not, a, mapping]\n"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The examples workspace, committed in a fresh repository."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    repo = tmp_path / "sample"
    shutil.copytree(REPO / "examples", repo)
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "t@example.com"],
        ["config", "user.name", "t"],
        ["add", "."],
        ["commit", "-qm", "base"],
    ):
        assert git(repo, *args).returncode == 0
    return repo


def validate_staged(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", "--staged", str(repo), *args])


def test_staged_checks_the_index_not_untracked_or_unstaged_files(sample: Path) -> None:
    (sample / "customers" / "draft.yaml").write_text(BROKEN)  # untracked
    tracked = sample / "customers" / "acme-fitness.yaml"
    good = tracked.read_text()
    tracked.write_text(good.replace("customerExternalId:", "customerExternalID:", 1))  # unstaged
    assert CliRunner().invoke(cli, ["validate", str(sample)]).exit_code == 1  # the work tree
    result = validate_staged(sample)
    assert result.exit_code == 0, result.output
    assert "customers valid" in result.output

    git(sample, "add", "customers/acme-fitness.yaml")
    staged = validate_staged(sample)
    assert staged.exit_code == 1
    assert f"{sample}/customers/acme-fitness.yaml:" in staged.output
    assert "draft.yaml" not in staged.output
    assert "layers-staged" not in staged.output  # paths read as the work tree's

    (sample / "customers" / "new").mkdir()
    (sample / "customers" / "new" / "draft.yaml").write_text(BROKEN)
    nothing = validate_staged(sample / "customers" / "new")  # untracked: nothing to commit
    assert nothing.exit_code == 0, nothing.output
    assert "no customer files under" in nothing.output

    tracked.write_text(good)  # fixed in the work tree, still broken in the index
    assert validate_staged(sample).exit_code == 1
    git(sample, "add", "customers/acme-fitness.yaml")
    assert validate_staged(sample).exit_code == 0


def test_staged_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "plain")
    result = validate_staged(tmp_path / "plain")
    assert result.exit_code == 1
    assert "not in a git work tree" in result.output
    assert "Traceback" not in result.output


def test_a_commit_runs_the_hook_on_what_is_staged(sample: Path) -> None:
    """`git commit` through pre-commit, with the declared hook as a local one (no install)."""
    exe = Path(sys.executable).parent / "pre-commit"
    if not exe.exists():
        pytest.skip("needs pre-commit (pip install -e '.[test]')")
    (hook,) = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    local = {**hook, "language": "system", "entry": hook["entry"]}
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    with (sample / ".pre-commit-config.yaml").open("w") as out:
        YAML().dump(config, out)
    git(sample, "add", ".pre-commit-config.yaml")
    assert git(sample, "commit", "-qm", "hook config").returncode == 0
    installed = subprocess.run(
        [str(exe), "install"], cwd=sample, capture_output=True, text=True, check=False
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    (sample / "customers" / "draft.yaml").write_text(BROKEN)  # untracked: not committed
    edited = sample / "customers" / "acme-fitness.yaml"
    edited.write_text(edited.read_text().replace("Acme", "ACME", 1))
    git(sample, "add", "customers/acme-fitness.yaml")
    passed = git(sample, "commit", "-m", "rename acme")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout + passed.stderr

    git(sample, "add", "customers/draft.yaml")
    failed = git(sample, "commit", "-m", "add the draft")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "Failed" in output
    assert "customers/draft.yaml:2:" in output


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
