"""Renderings beyond the goldens: markdown splitting, colour on a terminal, plain when piped."""

from __future__ import annotations

import io
import json

from rich.console import Console

from layers_reconcile.plan.actual import ActualCustomer
from layers_reconcile.plan.diff import build_plan, diff_customer
from layers_reconcile.plan.model import FORMAT_VERSION, Orphan, Plan
from layers_reconcile.render.json import render_json
from layers_reconcile.render.markdown import LIMIT, MARKER, render_markdown
from layers_reconcile.render.text import plain_text, render_text
from tests.plan.builders import NOW, WORKSPACE, loaded


def many(n: int, *, brief: str = "hook") -> Plan:
    plans = []
    for i in range(n):
        data = {
            "customerExternalId": f"customer-{i:04d}",
            "project": {"name": f"Customer {i}"},
            "social": {"tiktok": {"returnUrl": "https://app.your-partner.com/x"}},
            "content": {
                "launch": {
                    "brief": {"hook": brief},
                    "schedule": [
                        {
                            "account": "tiktok",
                            "mode": "direct_publish",
                            "at": "2027-02-01T12:30:00Z",
                        }
                    ],
                }
            },
        }
        c = loaded(data, f"customers/c{i}.yaml")
        actual = ActualCustomer(customer_external_id=c.spec.customerExternalId)
        plans.append(diff_customer(c, actual, WORKSPACE, now=NOW))
    return build_plan(plans, now=NOW, workspace="acme-agency-prod")


def test_markdown_fits_in_one_comment_when_small() -> None:
    (part,) = render_markdown(many(3))
    assert part.startswith("<!-- layers-reconcile-plan workspace=acme-agency-prod -->\n")
    assert MARKER == "<!-- layers-reconcile-plan -->"  # a plan without a workspace name
    assert part.count("<details>") == 3
    # warnings come before the first customer, and the summary line before them
    assert part.index("**Plan:") < part.index("[!WARNING]") < part.index("<details>")


def test_markdown_splits_under_the_limit_and_keeps_every_customer() -> None:
    plan = many(400)
    parts = render_markdown(plan)
    assert len(parts) > 1
    assert all(len(p) <= LIMIT for p in parts)
    assert all(p.startswith(MARKER[:-4] + " workspace=acme-agency-prod -->") for p in parts)
    assert f"(part 1 of {len(parts)})" in parts[0]
    joined = "".join(parts)
    assert all(f"<code>customer-{i:04d}</code>" in joined for i in range(400))
    # the summary line is visible in every part
    assert all("**Plan: 400 customers" in p for p in parts)


def test_one_huge_customer_is_truncated_not_lost() -> None:
    plan = many(1, brief="x" * 1_900)
    (part,) = render_markdown(plan, limit=1_500)
    assert len(part) <= 1_500
    assert "output truncated" in part
    assert part.rstrip().endswith("</details>")


def test_text_is_coloured_on_a_terminal_and_plain_when_piped() -> None:
    plan = many(1)
    tty = io.StringIO()
    Console(file=tty, force_terminal=True, color_system="standard", width=200).print(
        render_text(plan)
    )
    assert "\x1b[" in tty.getvalue()
    piped = io.StringIO()
    Console(file=piped, width=200).print(render_text(plan))
    assert "\x1b[" not in piped.getvalue()
    no_color = io.StringIO()
    Console(file=no_color, force_terminal=True, no_color=True, width=200).print(render_text(plan))
    assert "\x1b[3" not in no_color.getvalue()  # no foreground colours


def test_text_shows_known_after_apply_and_summary() -> None:
    text = plain_text(many(2))
    assert "(known after apply)" in text
    assert text.rstrip().splitlines()[-1].startswith("Plan: 2 customers")


def test_json_is_the_versioned_document() -> None:
    doc = json.loads(render_json(many(2)))
    assert doc["formatVersion"] == FORMAT_VERSION
    steps = [s for c in doc["customers"] for s in c["steps"]]
    waits = [s for s in steps if s["action"] == "wait_on_person"]
    assert doc["summary"]["changes"] == len(steps) - len(waits)
    assert doc["summary"]["waitsOnPeople"] >= len(waits)


def test_no_changes_reads_plainly() -> None:
    plan = build_plan([], now=NOW)
    assert "No changes." in plain_text(plan)
    (part,) = render_markdown(plan)
    assert "No changes." in part


def test_conflicts_and_orphans_are_shown_in_every_rendering() -> None:
    from layers_reconcile.plan.model import Conflict, CustomerPlan, Orphan

    conflicted = CustomerPlan(
        customer_external_id="shared-1",
        project_id="prj_1",
        file="customers/shared-1.yaml",
        conflict=Conflict(
            workspace="agency-b",
            project_id="prj_1",
            message="project prj_1 is managed by workspace 'agency-b'; apply refuses this "
            "customer. Remove the file from one of the workspaces, or take it over with "
            "`--take-over agency-b`",
        ),
    )
    orphan = Orphan(
        customer_external_id="gone-1",
        project_id="prj_2",
        name="Gone",
        last_applied_at="2026-11-01T08:00:00Z",
    )
    plan = build_plan([conflicted], now=NOW, workspace="agency-a", orphans=[orphan])
    text = plain_text(plan)
    assert "Conflicts: apply refuses these customers" in text
    assert "x shared-1 · customers/shared-1.yaml · project prj_1 is managed by" in text
    assert "Orphans: projects stamped by workspace agency-a that no customer file names" in text
    assert (
        '- gone-1 · project prj_2 "Gone" · last applied 2026-11-01T08:00:00Z · would be '
        "archived with --prune"
    ) in text
    assert text.rstrip().endswith(
        "No changes. 1 customer matches the files. 1 orphan (would be archived with --prune). "
        "1 conflict: apply refuses it."
    )
    (markdown,) = render_markdown(plan)
    assert "> [!CAUTION]" in markdown
    assert "--take-over agency-b" in markdown
    assert "last applied 2026-11-01T08:00:00Z" in markdown
    doc = json.loads(render_json(plan))
    assert doc["summary"]["orphans"] == 1
    assert doc["summary"]["conflicts"] == 1
    assert doc["conflicts"][0]["workspace"] == "agency-b"
    assert Plan.from_document(doc) == plan


def test_orphan_children_are_named_in_the_heading_and_say_nothing_of_a_last_apply() -> None:
    child = Orphan(
        customer_external_id="gone-kid",
        project_id="org_1",
        organization_id="org_1",
        name="Gone Kid",
    )
    plan = build_plan([], now=NOW, workspace="agency-a", orphans=[child])
    text = plain_text(plan)
    heading = "Orphans: projects and child organizations stamped by workspace agency-a"
    assert heading in text
    assert '- gone-kid · child organization org_1 "Gone Kid" · would be archived' in text
    assert "last applied unknown" not in text


def test_a_warning_that_starts_at_a_file_line_is_annotated_there_on_github() -> None:
    from layers_reconcile.plan.model import CustomerPlan
    from layers_reconcile.render.github import plan_annotations

    placed = "customers/c.yaml:7:21: approval.autoApproveAfter has no equivalent in Rev B"
    customer = CustomerPlan(
        customer_external_id="c",
        project_id=None,
        file="customers/c.yaml",
        warnings=[placed, "c/content/launch: a warning about an entry"],
    )
    plan = build_plan([customer], now=NOW)
    at_id = ("customers/c.yaml", 1, 1)
    found = plan_annotations(plan, lambda ext, address: at_id if address == "" else None)
    assert found == [
        f"::warning file=customers/c.yaml,line=7,col=21::c: {placed}",
        "::warning::c: c/content/launch: a warning about an entry",
    ]


def test_an_orphaned_child_organization_is_headed_by_its_id_not_a_project_to_come() -> None:
    # `--prune` of a child organization whose customer file is gone: there is no project to
    # name, and "project (known after apply)" read as if apply would create one.
    from layers_reconcile.plan.diff_org import archive_child_plan
    from layers_reconcile.records import Organization
    from layers_reconcile.render.format import customer_title

    child = Organization.model_validate(
        {
            "id": "org_child1",
            "name": "C One",
            "status": "active",
            "metadata": {"externalId": "c-1"},
            "summary": {"available": 40, "creditConfig": {}},
        }
    )
    title = customer_title(archive_child_plan(child, workspace="acme-agency-prod"))
    assert title == "c-1 · no file · child organization org_child1 · 1 change"
