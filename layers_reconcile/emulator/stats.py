"""Request counts per method and route template, for `GET /_emulator/stats`."""

from __future__ import annotations

from layers_reconcile.emulator.common import JSON


class Stats:
    def __init__(self) -> None:
        self.routes: dict[str, int] = {}
        # 429s the rate limiter itself answered, per endpoint class (injected faults apart).
        self.refused: dict[str, int] = {}

    def count(self, label: str) -> None:
        self.routes[label] = self.routes.get(label, 0) + 1

    def count_refused(self, endpoint_class: str) -> None:
        self.refused[endpoint_class] = self.refused.get(endpoint_class, 0) + 1

    def reset(self) -> None:
        self.routes = {}
        self.refused = {}

    def snapshot(self, faults: dict[str, int]) -> JSON:
        return {
            "total": sum(self.routes.values()),
            "routes": dict(sorted(self.routes.items())),
            "faults": dict(faults),
            "rateLimited": {
                "total": sum(self.refused.values()),
                "byClass": dict(sorted(self.refused.items())),
            },
        }
