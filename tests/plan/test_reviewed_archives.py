"""Which archives a reviewed plan covers: its own archive steps, and the orphans it showed as
held back by `--max-archives` for a later run; never an orphan a plan without --prune listed."""

from __future__ import annotations

from layers_reconcile.plan.model import Action, Change, CustomerPlan, Orphan, Plan, Step, StepKind
from layers_reconcile.plan.reviewed import Reviewed


def archive(ext: str) -> CustomerPlan:
    step = Step(
        address=f"{ext}/project",
        kind=StepKind.PROJECT,
        action=Action.ARCHIVE,
        changes=[Change(field="status", before="active", after="archived")],
        target={"projectId": f"p-{ext}"},
    )
    return CustomerPlan(customer_external_id=ext, project_id=f"p-{ext}", steps=[step])


def orphan(ext: str, *, archived: bool) -> Orphan:
    return Orphan(customer_external_id=ext, project_id=f"p-{ext}", archived=archived)


def test_an_orphan_held_back_by_the_cap_was_reviewed_for_the_later_run() -> None:
    pruned = Plan(
        customers=[archive("a")],
        orphans=[orphan("a", archived=True), orphan("b", archived=False)],
    )
    assert [o.customer_external_id for o in pruned.held_back_orphans] == ["b"]
    reviewed = Reviewed.of([pruned])
    assert reviewed.holds(archive("a").steps[0])
    assert reviewed.holds(archive("b").steps[0])
    assert not reviewed.holds(archive("c").steps[0])


def test_a_plan_without_prune_holds_nothing_back_and_reviews_no_archive() -> None:
    listed = Plan(orphans=[orphan("d", archived=False)])
    assert listed.held_back_orphans == []
    assert not Reviewed.of([listed]).holds(archive("d").steps[0])
