"""`ignore:` paths in layers.yaml defaults and customer files: checked offline, at their line."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.config import load_workspace

from .helpers import NOW
from .test_loader import MINIMAL, errors_of, write


def test_the_defaults_paths_add_to_the_files_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  ignore: [project.metadata.tier, brand.tagline]\n",
            "customers/c.yaml": MINIMAL + "ignore:\n  - project.name\n  - brand.tagline\n",
        },
    )
    (customer,) = load_workspace(tmp_path, now=NOW).customers
    assert customer.spec.ignore == ["project.name", "brand.tagline", "project.metadata.tier"]
    settings = (tmp_path / "layers.yaml").as_posix()
    assert customer.source.mark(("ignore", 2)).file == settings
    assert customer.source.mark(("ignore", 1)).line == 6


def test_a_path_that_names_no_field_is_an_error_at_its_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  ignore: [brnd.tagline]\n",
            "customers/a.yaml": MINIMAL + "  metadata: {tier: gold}\n"
            "content: {launch: {brief: {hook: Hi}}}\n"
            "ignore:\n"
            "  - project.nme\n"
            "  - github.branch\n"
            "  - content.lunch.brief.hook\n"
            "  - project.metadata.tir\n"
            "  - content.launch.brief.hook\n",
            "customers/b.yaml": MINIMAL.replace("c-001", "c-002"),
        },
    )
    a = (tmp_path / "customers" / "a.yaml").as_posix()
    settings = (tmp_path / "layers.yaml").as_posix()
    assert errors_of(tmp_path) == [
        f"{a}:7:5: ignore: 'project.nme' names no field: project has name, timezone, "
        "primaryLanguage, ownerEmail, metadata — did you mean 'project.name'?",
        f"{a}:8:5: ignore: 'github.branch' cannot be ignored: only fields people edit in Layers "
        "can (project.FIELD, project.metadata.KEY, approval.FIELD, brand.FIELD, "
        "content.KEY.brief.FIELD)",
        f"{a}:9:5: ignore: 'content.lunch.brief.hook' names no field: this customer's file has no "
        "content.lunch — did you mean 'content.launch'?",
        f"{a}:10:5: ignore: 'project.metadata.tir' names no field: this customer's file has no "
        "project.metadata.tir — did you mean 'project.metadata.tier'?",
        f"{settings}:2:12: ignore: 'brnd.tagline' cannot be ignored: only fields people edit in "
        "Layers can (project.FIELD, project.metadata.KEY, approval.FIELD, brand.FIELD, "
        "content.KEY.brief.FIELD) — did you mean 'brand'?",
    ]


def test_a_default_path_may_name_a_key_only_some_customers_have(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  ignore: [content.launch.brief.hook]\n",
            "customers/c.yaml": MINIMAL,
        },
    )
    assert errors_of(tmp_path) == []


def test_ignore_at_the_top_of_layers_yaml_says_where_it_belongs(tmp_path: Path) -> None:
    write(
        tmp_path, {"layers.yaml": "workspace: ws\nignore: [brand]\n", "customers/c.yaml": MINIMAL}
    )
    assert errors_of(tmp_path) == [
        f"{(tmp_path / 'layers.yaml').as_posix()}:2:1: 'ignore' belongs under 'defaults' in "
        "layers.yaml (defaults: {ignore: [...]}), or in a customer file"
    ]


def test_a_bare_star_is_not_a_field_path(tmp_path: Path) -> None:
    """`*` stands for one content or metadata key (or every field of a section, `brand.*`); alone
    it would ignore every field of every section (the schema already refuses it)."""
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  ignore: ['*']\n",
            "customers/c.yaml": MINIMAL + "ignore: [brand.*, '*']\n",
        },
    )
    c = (tmp_path / "customers" / "c.yaml").as_posix()
    settings = (tmp_path / "layers.yaml").as_posix()
    only = (
        "cannot be ignored: only fields people edit in Layers can (project.FIELD, "
        "project.metadata.KEY, approval.FIELD, brand.FIELD, content.KEY.brief.FIELD)"
    )
    assert errors_of(tmp_path) == [
        f"{c}:4:19: ignore: '*' {only}",
        f"{settings}:2:12: ignore: '*' {only}",
    ]


def test_a_metadata_key_with_a_dot_can_be_named(tmp_path: Path) -> None:
    """Metadata keys are free text: `project.metadata.billing.plan` names the key
    `billing.plan` (it was refused as naming no field), and a misspelt one still is."""
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  ignore: [project.metadata.region.code]\n",
            "customers/c.yaml": MINIMAL + '  metadata: {"billing.plan": basic}\n'
            "ignore: [project.metadata.billing.plan, project.metadata.billing.plam]\n",
        },
    )
    c = (tmp_path / "customers" / "c.yaml").as_posix()
    assert errors_of(tmp_path) == [
        f"{c}:5:41: ignore: 'project.metadata.billing.plam' names no field: this customer's "
        "file has no project.metadata.billing.plam — did you mean 'project.metadata.billing.plan'?"
    ]
