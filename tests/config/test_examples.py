"""The examples are a real workspace: they validate, and say what PRODUCT.md section 3 says."""

from __future__ import annotations

from datetime import UTC, datetime

from layers_reconcile.config import check_workspace, load_workspace, resolve_at
from layers_reconcile.config.models import InfluencerSpec

from .helpers import EXAMPLES, NOW


def test_the_examples_validate_with_no_issue() -> None:
    report = check_workspace(EXAMPLES, now=NOW)
    assert report.issues == []
    assert report.workspace is not None
    assert len(report.workspace.customers) == 3


def test_workspace_settings() -> None:
    settings = load_workspace(EXAMPLES, now=NOW).settings
    assert settings.workspace == "acme-agency-demo"
    assert settings.parallelism == 8
    assert settings.defaults == {
        "project": {"timezone": "America/Los_Angeles", "primaryLanguage": "en"},
        "approval": {"requiresApproval": True, "firstNPostsBlocked": 3},
    }


def test_quinns_coffee_is_the_guide_customer_whole() -> None:
    workspace = load_workspace(EXAMPLES, now=NOW)
    (quinn,) = [c for c in workspace.customers if c.spec.customerExternalId == "quinn-coffee-001"]
    assert quinn.spec.model_dump(exclude_unset=True) == {
        "customerExternalId": "quinn-coffee-001",
        "project": {
            "name": "Quinns Coffee Co",
            "timezone": "America/Los_Angeles",
            "primaryLanguage": "en",
            "metadata": {"tier": "gold"},
        },
        "approval": {"requiresApproval": True, "firstNPostsBlocked": 3},
        "github": {
            "installationId": 48271993,
            "repo": "quinns-coffee/quinns-app",
            "branch": "main",
            "platforms": ["ios", "web"],
            "returnUrl": "https://app.your-partner.com/github/callback",
        },
        "brand": {
            "tagline": "Your cafe, skip the line.",
            "brandVoice": "Warm, specific, lightly opinionated about beans.",
        },
        "influencer": "Maya — PNW cafe regular",
        "social": {
            "tiktok": {"returnUrl": "https://app.your-partner.com/customers/quinn/social-complete"}
        },
        "content": {
            "launch-hook": {
                "format": "auto",
                "variants": 1,
                "brief": {
                    "hook": "Your cafe, skip the line.",
                    "cta": "Download Quinns Coffee",
                    "targetPlatforms": ["tiktok", "instagram"],
                },
                "approve": True,
                "schedule": [
                    {
                        "account": "tiktok",
                        "mode": "direct_publish",
                        "at": "2027-03-01T22:00:00Z",
                        "variant": 1,
                    }
                ],
            }
        },
    }
    assert quinn.path.as_posix().endswith("examples/customers/quinns-coffee.yaml")


def test_the_minimal_customer_writes_only_a_name_and_takes_the_defaults() -> None:
    workspace = load_workspace(EXAMPLES, now=NOW)
    (bakery,) = [c for c in workspace.customers if c.spec.customerExternalId.startswith("blue")]
    text = (EXAMPLES / "customers" / "bluebird-bakery.yaml").read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith("#")]
    assert keys == ["customerExternalId", "project", "  name"]
    assert bakery.spec.model_fields_set == {"customerExternalId", "project", "approval"}
    assert bakery.spec.project.timezone == "America/Los_Angeles"


def test_the_rich_customer() -> None:
    workspace = load_workspace(EXAMPLES, now=NOW)
    (acme,) = [c for c in workspace.customers if c.spec.customerExternalId == "acme-fitness-003"]
    spec = acme.spec
    assert spec.project.timezone == "Europe/Berlin"
    assert spec.github is not None
    assert spec.github.installationId is None
    assert spec.github.repo == "acme-fitness/acme-app"
    assert isinstance(spec.influencer, InfluencerSpec)
    assert spec.social is not None
    assert set(spec.social) == {"tiktok", "instagram"}
    assert spec.content is not None
    assert len(spec.content) == 3
    first = spec.content["morning-run-hook"].schedule[0]
    assert "+" not in first.at
    assert not first.at.endswith("Z")
    assert resolve_at(first.at, spec.project.timezone) == datetime(2027, 3, 29, 5, 30, tzinfo=UTC)
    every_time = [e.at for piece in spec.content.values() for e in piece.schedule]
    assert all(resolve_at(at, "Europe/Berlin") > NOW for at in every_time)
