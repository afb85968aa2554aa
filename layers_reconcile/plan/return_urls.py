"""A return URL is never guessed against a real API: the steps that need one, without one.

Against the embedded emulator (`--emulator`) apply uses a loopback default; against any other
API, a GitHub install or registration and a social consent with no `returnUrl` in the file are
errors at the file and line of the section that needs it, found before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from layers_reconcile.config.source import SourceMap
from layers_reconcile.errors import ConfigIssue
from layers_reconcile.plan.context import Loaded
from layers_reconcile.plan.model import Action, Plan
from layers_reconcile.plan.targets import GithubTarget, SocialTarget


def missing_return_urls(plan: Plan, customers: Iterable[Loaded]) -> list[ConfigIssue]:
    """One issue per planned step that needs a returnUrl the file does not give."""
    by_id = {c.spec.customerExternalId: c for c in customers}
    issues: list[ConfigIssue] = []
    for customer in plan.customers:
        loaded = by_id.get(customer.customer_external_id)
        if loaded is None:
            continue
        for step in customer.steps:
            target = step.target
            path: tuple[str, ...] | None = None
            message = ""
            if isinstance(target, GithubTarget) and not target.returnUrl:
                path = ("github",)
                what = (
                    "registering the installation needs an install URL"
                    if step.action is Action.REGISTER
                    else "someone installs the GitHub App and lands there"
                )
                message = f"github.returnUrl is missing: {what}"
            elif isinstance(target, SocialTarget) and not target.returnUrl:
                path = ("social", target.platform)
                message = (
                    f"social.{target.platform}.returnUrl is missing: the customer lands there "
                    "after consenting"
                )
            if path is None:
                continue
            issues.append(_issue(loaded, path, message))
    return issues


def _issue(loaded: Any, path: tuple[str, ...], message: str) -> ConfigIssue:
    text = (
        f"{message}; set it here or under `defaults` in layers.yaml — a real Layers API is never "
        "sent a guessed one (only the embedded emulator, --emulator, has a default)"
    )
    source = getattr(loaded, "source", None)
    if isinstance(source, SourceMap):
        mark = source.mark(path, key=True)
        return ConfigIssue(mark.file, mark.line, mark.col, text)
    return ConfigIssue(str(loaded.path), 1, 1, text)
