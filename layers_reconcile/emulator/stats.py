"""Request counts per method and route template, for `GET /_emulator/stats`."""

from __future__ import annotations

from layers_reconcile.emulator.common import JSON


class Stats:
    def __init__(self) -> None:
        self.routes: dict[str, int] = {}

    def count(self, label: str) -> None:
        self.routes[label] = self.routes.get(label, 0) + 1

    def reset(self) -> None:
        self.routes = {}

    def snapshot(self, faults: dict[str, int]) -> JSON:
        return {
            "total": sum(self.routes.values()),
            "routes": dict(sorted(self.routes.items())),
            "faults": dict(faults),
        }
