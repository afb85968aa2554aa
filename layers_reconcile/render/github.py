"""GitHub Actions workflow commands: a plan's warnings as annotations at the file and line."""

from __future__ import annotations

import re
from collections.abc import Callable

from layers_reconcile.plan.model import Plan
from layers_reconcile.printable import printable_value

# (customerExternalId, address) -> (file, line, col) of the entry that causes it, if known
Locate = Callable[[str, str], tuple[str, int, int] | None]


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, where: tuple[str, int, int] | None) -> str:
    if where is None:
        return f"::{level}::{escape_data(message)}"
    file, line, col = where
    return f"::{level} file={escape_property(file)},line={line},col={col}::{escape_data(message)}"


def plan_annotations(plan: Plan, locate: Locate) -> list[str]:
    """One `::warning` per plan warning, placed at the entry of the customer file it is about;
    one `::error` per conflict (a project another workspace owns), at the customer's id."""
    plan = printable_value(plan)
    out = [annotation("warning", w, None) for w in plan.warnings]
    for c in plan.customers:
        if c.conflict is not None:
            where = locate(c.customer_external_id, "")
            out.append(
                annotation("error", f"{c.customer_external_id}: {c.conflict.message}", where)
            )
        if c.not_planned is not None:
            where = locate(c.customer_external_id, "")
            text = f"{c.customer_external_id}: {c.not_planned.text()}"
            out.append(annotation("error", text, where))
        for text in c.warnings:
            # customer warnings about one entry start with its address: "ext/content/x: ...",
            # or with its place in the file: "customers/x.yaml:7:21: ..." (config.revision)
            head = text.split(": ", 1)[0]
            address = head if head.startswith(c.customer_external_id + "/") else ""
            where = _place(head) or locate(c.customer_external_id, address)
            out.append(annotation("warning", f"{c.customer_external_id}: {text}", where))
        for s in c.steps:
            where = locate(c.customer_external_id, s.address)
            out.extend(annotation("warning", f"{s.address}: {w}", where) for w in s.warnings)
    return out


_PLACE = re.compile(r"(?P<file>.+):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*)")


def _place(head: str) -> tuple[str, int, int] | None:
    """`file:line:col` when a warning starts with one."""
    found = _PLACE.fullmatch(head)
    if found is None:
        return None
    return found["file"], int(found["line"]), int(found["col"])
