"""CI type-checks every Python folder of the repository, the tests as strictly as the package:
`.ci/run` runs a plain `mypy`, which checks what `[tool.mypy]` in pyproject.toml lists."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# What strict turns on that a per-module override could turn off again for the tests.
STRICT_FLAGS = (
    "check_untyped_defs",
    "disallow_any_generics",
    "disallow_incomplete_defs",
    "disallow_untyped_calls",
    "disallow_untyped_defs",
    "strict_equality",
    "strict_optional",
    "warn_return_any",
)


def mypy_config() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    return config


def python_folders() -> set[str]:
    """The top-level folders holding Python source (not the hidden ones: .venv, caches)."""
    return {
        folder.name
        for folder in REPO.iterdir()
        if folder.is_dir() and not folder.name.startswith(".") and any(folder.rglob("*.py"))
    }


def test_every_python_folder_is_type_checked_by_the_plain_mypy_ci_runs() -> None:
    config = mypy_config()
    checked = {*config.get("files", []), *config.get("packages", [])}
    assert {"layers_reconcile", "benchmarks", "tests"} <= python_folders()
    assert python_folders() - checked == set()
    assert "mypy" in (REPO / ".ci" / "run").read_text().splitlines()


def test_the_tests_are_checked_as_strictly_as_the_package() -> None:
    config = mypy_config()
    assert config["strict"] is True
    for override in config.get("overrides", []):
        modules = override["module"]
        modules = [modules] if isinstance(modules, str) else modules
        if any(m == "tests" or m.startswith("tests.") for m in modules):
            relaxed = [flag for flag in STRICT_FLAGS if override.get(flag) is False]
            assert relaxed == [], f"an override turns off {relaxed} for {modules}"
