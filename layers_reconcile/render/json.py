"""The machine-readable rendering: the versioned plan document (PRODUCT.md §5)."""

from __future__ import annotations

import json

from layers_reconcile.plan.model import Plan


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_document(), indent=2, ensure_ascii=False) + "\n"
