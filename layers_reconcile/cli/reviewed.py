"""`apply --reviewed PLANFILE`: read the reviewed plans, say what a fresh plan holds that they
do not (held back, exit 1), and refuse a reviewed plan of another workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from layers_reconcile.apirevision import RevisionMismatch, label
from layers_reconcile.cli.common import Endpoint
from layers_reconcile.errors import ReconcileError
from layers_reconcile.plan.model import Action, Plan, Step
from layers_reconcile.plan.reviewed import Reviewed, step_key


@dataclass(frozen=True)
class ReviewedPlans:
    plans: tuple[Plan, ...]
    matcher: Reviewed

    def holds(self, step: Step) -> bool:
        return self.matcher.holds(step)

    @property
    def take_over(self) -> str | None:
        """The workspace a reviewed plan takes projects over from (`plan --take-over`)."""
        return next((p.take_over for p in self.plans if p.take_over), None)

    @property
    def archives(self) -> bool:
        """A reviewed plan archives a project (a file deleted in the pull request)."""
        return any(
            s.action is Action.ARCHIVE for p in self.plans for c in p.customers for s in c.steps
        )


def read_reviewed(files: Sequence[Path], saved: Plan | None) -> ReviewedPlans | None:
    if not files:
        return None
    if saved is not None:
        raise ValueError("--reviewed makes a fresh plan: give PATHs, not a plan file to apply")
    from layers_reconcile.cli.apply import read_plan

    plans = []
    for file in files:
        plan = read_plan(file)
        if plan is None:
            raise ValueError(f"--reviewed {file}: not a plan file (JSON from `plan --out`)")
        plans.append(plan)
    return ReviewedPlans(tuple(plans), Reviewed.of(plans))


def check_same_api(plan: Plan, endpoint: Endpoint, *, what: str = "the plan") -> None:
    """Refuse, before any request, a plan (`apply PLANFILE`, `--reviewed FILE`) made against
    another API URL than this run's: a plan of one account or emulator never authorizes changes
    in another (a trailing `/` aside). The embedded emulator is exempt: it has a new URL each run."""
    moved = plan.api_url and plan.api_url.rstrip("/") != endpoint.url.rstrip("/")
    if moved and not endpoint.emulator:
        raise ReconcileError(
            f"{what} was made against {plan.api_url}, not {endpoint.url}; "
            "make a new plan against this API"
        )


def check_reviewed_workspace(reviewed: ReviewedPlans, fresh: Plan) -> None:
    """Refuse, before any write, a reviewed plan of another workspace or made against the other
    API revision (its steps would say other requests than the ones this run sends)."""
    for plan in reviewed.plans:
        if plan.workspace != fresh.workspace:
            raise ReconcileError(
                f"the reviewed plan is of workspace {plan.workspace!r}, not {fresh.workspace!r}; "
                "give the plan made from this workspace"
            )
        made, now = plan.api_revision, fresh.api_revision
        if made is not None and now is not None and made != now:
            raise RevisionMismatch(
                f"the reviewed plan was made against Rev {label(made)} of the Layers API, "
                f"but the API now answers in Rev {label(now)}; nothing was written. "
                "Plan again against it and review that plan"
            )


def show_not_reviewed(console: Console, reviewed: ReviewedPlans, fresh: Plan) -> None:
    held = reviewed.matcher.not_reviewed(fresh)
    if not held:
        if any(c.steps for c in fresh.customers):
            console.print(Text("Every step above is in the reviewed plan.\n"))
        return
    console.print(
        Text(
            f"\nNot reviewed: {len(held)} step{'s' if len(held) != 1 else ''} the reviewed plan "
            "does not show (held back; apply exits 1; plan again and review them):",
            style="bold red",
        )
    )
    for _customer, step in held:
        console.print(Text(f"  x {step_key(step)}", style="red"))
    console.print()
