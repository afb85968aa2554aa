"""Properties of the diff over generated customer files.

- A customer whose actual state matches its file plans no step (no phantom diffs).
- The order of keys in the YAML never changes the plan.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import build_plan, diff_customer
from tests.plan.builders import NOW, WORKSPACE, converged, loaded, read_yaml

SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=20
).map(lambda s: s.strip() or "x")
ZONES = st.sampled_from(["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"])
PLATFORMS = ["tiktok", "instagram"]
MODES = {"tiktok": ["direct_publish", "draft_to_device"], "instagram": ["reels", "feed"]}


def optional(d: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=d)


@st.composite
def schedule_times(draw: st.DrawFn) -> str:
    when = NOW + timedelta(days=draw(st.integers(2, 300)), minutes=15 * draw(st.integers(0, 95)))
    if draw(st.booleans()):
        return when.strftime("%Y-%m-%dT%H:%M:00Z")
    return when.strftime("%Y-%m-%dT%H:%M:00")


@st.composite
def customers(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "customerExternalId": draw(SLUG),
        "project": {
            "name": draw(TEXT),
            **draw(
                optional(
                    {
                        "timezone": ZONES,
                        "primaryLanguage": st.sampled_from(["en", "de", "pt-BR"]),
                        "ownerEmail": st.just("owner@example.com"),
                        "metadata": st.dictionaries(
                            SLUG, st.one_of(TEXT, st.integers(0, 9)), max_size=3
                        ),
                    }
                )
            ),
        },
    }
    if draw(st.booleans()):
        spec["approval"] = draw(
            optional(
                {
                    "requiresApproval": st.booleans(),
                    "firstNPostsBlocked": st.integers(0, 50),
                    "autoApproveAfter": st.sampled_from(["PT24H", "P7D"]),
                }
            )
        )
    if draw(st.booleans()):
        spec["github"] = {
            "repo": draw(SLUG) + "/" + draw(SLUG),
            **draw(
                optional(
                    {
                        "installationId": st.integers(1, 10**8),
                        "branch": SLUG,
                        "platforms": st.lists(
                            st.sampled_from(["ios", "web", "android"]),
                            min_size=1,
                            max_size=3,
                            unique=True,
                        ),
                    }
                )
            ),
        }
    if draw(st.booleans()):
        spec["brand"] = draw(
            optional({"tagline": TEXT, "brandVoice": TEXT, "keywords": st.lists(TEXT, max_size=3)})
        )
    if draw(st.booleans()):
        spec["influencer"] = draw(
            st.one_of(
                TEXT, st.fixed_dictionaries({"name": TEXT}, optional={"gender": st.just("female")})
            )
        )
    social = draw(st.lists(st.sampled_from(PLATFORMS), unique=True, max_size=2))
    if bool(social) or draw(st.booleans()):
        spec["social"] = {p: {"returnUrl": "https://app.your-partner.com/social"} for p in social}
    if draw(st.booleans()):
        content: dict[str, Any] = {}
        for key in draw(st.lists(SLUG, unique=True, max_size=3)):
            variants = draw(st.integers(1, 3))
            entry: dict[str, Any] = {
                "brief": draw(
                    optional({"hook": TEXT, "cta": TEXT, "targetPlatforms": st.just(["tiktok"])})
                ),
                **draw(
                    optional(
                        {
                            "format": st.sampled_from(["auto", "slideshow_remix", "ugc_remix"]),
                            "approve": st.just(True),
                        }
                    )
                ),
                "variants": variants,
            }
            slots = (
                draw(
                    st.lists(
                        st.tuples(st.sampled_from(social), st.integers(1, variants)),
                        unique=True,
                        max_size=3,
                    )
                )
                if social
                else []
            )
            if slots:
                entry["schedule"] = [
                    {"account": a, "variant": v, "mode": MODES[a][0], "at": draw(schedule_times())}
                    for a, v in slots
                ]
            content[key] = entry
        spec["content"] = content
    return spec


def shuffled(value: Any, order: st.DataObject) -> Any:
    """The same mapping with its keys (at every level) in a drawn order."""
    if isinstance(value, dict):
        keys = order.draw(st.permutations(list(value)))
        return {k: shuffled(value[k], order) for k in keys}
    if isinstance(value, list):
        return [shuffled(v, order) for v in value]
    return value


def as_yaml(data: dict[str, Any]) -> Any:
    return read_yaml(
        json.dumps(data, ensure_ascii=False)
    )  # JSON is YAML, and keeps the order it was given


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers())
def test_matching_actual_state_plans_nothing(data: dict[str, Any]) -> None:
    customer = loaded(as_yaml(data))
    plan = diff_customer(customer, converged(customer.spec), WORKSPACE, now=NOW)
    assert plan.steps == [], [s.address for s in plan.steps]
    assert plan.warnings == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers(), st.data())
def test_key_order_in_yaml_does_not_change_the_plan(
    data: dict[str, Any], order: st.DataObject
) -> None:
    first = loaded(as_yaml(data))
    second = loaded(as_yaml(shuffled(data, order)))
    empty = ActualCustomer(
        customer_external_id=first.spec.customerExternalId, github_installations=[]
    )
    drifted = converged(
        loaded(as_yaml({**data, "project": {**data["project"], "name": "Renamed"}})).spec
    )
    for actual in (empty, drifted):
        a = build_plan([diff_customer(first, actual, WORKSPACE, now=NOW)], now=NOW)
        b = build_plan([diff_customer(second, actual, WORKSPACE, now=NOW)], now=NOW)
        assert a.to_document() == b.to_document()
