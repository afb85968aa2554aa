"""The machine-readable rendering: the versioned plan document (PRODUCT.md §5)."""

from __future__ import annotations

import json

from layers_reconcile.plan.model import Plan
from layers_reconcile.printable import json_printable


def render_json(plan: Plan) -> str:
    return json_printable(json.dumps(plan.to_document(), indent=2, ensure_ascii=False)) + "\n"
