"""`defaults:` fills in fields of the sections a customer has and never adds a section."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.config import check_workspace, load_workspace

from .helpers import NOW
from .test_loader import MINIMAL, errors_of, write

RETURN = "https://app.example.com/back"
GITHUB_DEFAULT = f"defaults:\n  github: {{returnUrl: {RETURN}, branch: main}}\n"


def test_a_github_default_fills_in_customers_with_github_and_fails_none_without(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "workspace: ws\n" + GITHUB_DEFAULT,
            "customers/plain.yaml": MINIMAL,
            "customers/repo.yaml": MINIMAL.replace("c-001", "c-002") + "github: {repo: o/r}\n",
        },
    )
    assert errors_of(tmp_path) == []
    specs = {c.spec.customerExternalId: c.spec for c in load_workspace(tmp_path, now=NOW).customers}
    assert specs["c-001"].github is None
    github = specs["c-002"].github
    assert github is not None
    assert (github.repo, github.branch, github.returnUrl) == ("o/r", "main", RETURN)


def test_a_social_default_fills_in_that_platform_and_adds_no_consent_step(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n"
            f"  social: {{tiktok: {{returnUrl: {RETURN}}}, instagram: {{returnUrl: {RETURN}}}}}\n",
            "customers/none.yaml": MINIMAL,
            "customers/tiktok.yaml": MINIMAL.replace("c-001", "c-002") + "social: {tiktok: {}}\n",
        },
    )
    specs = {c.spec.customerExternalId: c.spec for c in load_workspace(tmp_path, now=NOW).customers}
    assert specs["c-001"].social is None
    assert specs["c-002"].social is not None
    assert {p: s.returnUrl for p, s in specs["c-002"].social.items()} == {"tiktok": RETURN}


def test_content_and_brand_defaults_fill_in_only_what_the_customer_has(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n"
            "  brand: {brandVoice: Warm}\n"
            "  content: {launch: {variants: 2, brief: {cta: Download}}, other: {brief: {}}}\n",
            "customers/none.yaml": MINIMAL,
            "customers/some.yaml": MINIMAL.replace("c-001", "c-002")
            + "brand: {tagline: Hi}\ncontent:\n  launch:\n    brief: {hook: Go}\n",
        },
    )
    specs = {c.spec.customerExternalId: c.spec for c in load_workspace(tmp_path, now=NOW).customers}
    assert specs["c-001"].model_fields_set == {"customerExternalId", "project"}
    assert specs["c-002"].model_dump(exclude_unset=True)["brand"] == {
        "tagline": "Hi",
        "brandVoice": "Warm",
    }
    content = specs["c-002"].content
    assert content is not None
    assert list(content) == ["launch"]
    assert content["launch"].variants == 2
    assert content["launch"].brief.model_dump(exclude_unset=True) == {
        "hook": "Go",
        "cta": "Download",
    }


def test_project_and_approval_defaults_still_apply_to_every_customer(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n"
            "  project: {timezone: Europe/Berlin}\n  approval: {requiresApproval: true}\n",
            "customers/c.yaml": MINIMAL,
        },
    )
    (customer,) = load_workspace(tmp_path, now=NOW).customers
    assert customer.spec.project.timezone == "Europe/Berlin"
    assert customer.spec.approval is not None
    assert customer.spec.approval.requiresApproval


def test_an_error_in_a_merged_default_names_the_customer_file_it_applied_to(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  content:\n    launch:\n      schedule:\n"
            "        - {account: tiktok, mode: direct_publish, at: '2027-03-01T22:00:00Z'}\n",
            "customers/with-tiktok.yaml": MINIMAL
            + f"social: {{tiktok: {{returnUrl: {RETURN}}}}}\n"
            + "content: {launch: {brief: {hook: Go}}}\n",
            "customers/without.yaml": MINIMAL.replace("c-001", "c-002")
            + "content: {launch: {brief: {hook: Go}}}\n",
        },
    )
    errors = errors_of(tmp_path)
    assert len(errors) == 1, errors
    settings = (tmp_path / "layers.yaml").as_posix()
    assert errors[0].startswith(f"{settings}:5:21: ")
    assert errors[0].endswith(
        f"(in the defaults merged into {(tmp_path / 'customers/without.yaml').as_posix()})"
    )


def test_an_error_of_the_defaults_alone_is_reported_once_without_a_customer(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "layers.yaml": "defaults:\n  github: {branch: ''}\n",
            "customers/a.yaml": MINIMAL + "github: {repo: o/r}\n",
            "customers/b.yaml": MINIMAL.replace("c-001", "c-002") + "github: {repo: o/s}\n",
        },
    )
    report = check_workspace(tmp_path, now=NOW)
    assert [
        (i.file.endswith("layers.yaml"), "merged into" in i.message) for i in report.errors
    ] == [(True, False)]


def test_a_key_the_customer_file_must_write_is_reported_in_that_file_not_at_the_default(
    tmp_path: Path,
) -> None:
    """A file without `project:` in a workspace whose defaults give `project:` other fields was
    reported at layers.yaml ("missing required key 'name' in 'project' (in the defaults merged
    into ...)"), sending the user to the wrong file: no default can give a customer its name."""
    write(
        tmp_path,
        {
            "layers.yaml": "workspace: ws\ndefaults:\n  project: {timezone: UTC}\n",
            "customers/noname.yaml": "customerExternalId: c-001\nbrand: {tagline: Hi}\n",
        },
    )
    file = (tmp_path / "customers" / "noname.yaml").as_posix()
    assert errors_of(tmp_path) == [f"{file}:1:1: missing required key 'name' in 'project'"]
