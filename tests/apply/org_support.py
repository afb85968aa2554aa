"""Workspaces of customers in child organizations, and reads of the Rev B emulator to assert on."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tests.apply.local import LocalEmulator
from tests.apply.support import Api, Emulator

WORKSPACE = "acme-prod"
REV_B = ("--api-revision", "b")
TRANSFER_KEY = "layersReconcileTransfer"


def child_yaml(ext: str, *, transfers: tuple[tuple[str, int], ...] = (("initial", 500),)) -> str:
    lines = [
        f"customerExternalId: {ext}",
        "project:",
        f"  name: Customer {ext}",
        "organization:",
        f"  name: Child {ext}",
        "  billingEmail: billing@example.com",
        "  metadata: {plan: pro}",
        "  credits:",
        "    monthlyCap: 5000",
    ]
    if transfers:
        lines.append("    transfers:")
        lines += [
            f"      - {{id: {tid}, credits: {n}, description: onboarding}}" for tid, n in transfers
        ]
    return "\n".join(lines) + "\n"


def flat_yaml(ext: str) -> str:
    return f"customerExternalId: {ext}\nproject:\n  name: Customer {ext}\n"


def write_workspace(root: Path, customers: dict[str, str], *, workspace: str = WORKSPACE) -> Path:
    (root / "customers").mkdir(parents=True, exist_ok=True)
    (root / "layers.yaml").write_text(f"workspace: {workspace}\n", encoding="utf-8")
    for ext, text in customers.items():
        (root / "customers" / f"{ext}.yaml").write_text(text, encoding="utf-8")
    return root


def rev_b(tmp: Path, *extra: str, **kw: Any) -> LocalEmulator:
    """A Rev B emulator in this process (`tests.apply.local`) with the emulator flags `extra`."""
    return LocalEmulator(db=tmp / "rev-b.sqlite3", extra=(*REV_B, *extra), **kw).start()


def rev_b_process(tmp: Path, *extra: str, **kw: Any) -> Emulator:
    """`rev_b` as its own process, for the tests that kill the CLI's process."""
    return Emulator(db=tmp / "rev-b.sqlite3", extra=(*REV_B, *extra), **kw).start()


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a CLI run that must have exited 0 (shown whole when it did not)."""
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    return out


class OrgApi(Api):
    """The Rev B emulator read through the public API with the parent key."""

    def children(self, status: str | None = None) -> list[dict[str, Any]]:
        return self.items("/v1/organizations", **({"status": status} if status else {}))

    def child(self, ext: str) -> dict[str, Any]:
        found = [
            c
            for c in self.children()
            if c["metadata"].get("externalId") == ext and c["status"] != "archived"
        ]
        assert len(found) == 1, f"{ext}: {len(found)} live children"
        return found[0]

    def inside(self, org_id: str, path: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, str] = {"cursor": cursor} if cursor else {}
            page = self.http.get(path, params=params, headers={"X-Layers-Organization": org_id})
            page.raise_for_status()
            body = page.json()
            out += body["items"]
            cursor = body.get("nextCursor")
            if not cursor:
                return out

    def allocations(self, org_id: str) -> list[dict[str, Any]]:
        return self.items(f"/v1/organizations/{org_id}/credits/events", eventType="allocation")

    def transfers(self, org_id: str) -> dict[str, list[int]]:
        """Transfer id → the credits of each allocation carrying it on the child's ledger."""
        out: dict[str, list[int]] = {}
        for row in self.allocations(org_id):
            tid = (row.get("metadata") or {}).get(TRANSFER_KEY)
            if tid:
                out.setdefault(tid, []).append(row["credits"])
        return out

    def parent_balance(self) -> int:
        balance: int = self.get("/v1/credits")["balance"]
        return balance

    def parent_transfers_out(self) -> dict[str, list[int]]:
        """On the parent's ledger: transfer id → credits of each allocation out carrying it."""
        out: dict[str, list[int]] = {}
        for row in self.items("/v1/credits/events", eventType="allocation"):
            tid = (row.get("metadata") or {}).get(TRANSFER_KEY)
            if tid:
                out.setdefault(tid, []).append(row["credits"])
        return out


E = TypeVar("E", LocalEmulator, Emulator)


@contextmanager
def with_api(emu: E) -> Iterator[tuple[E, OrgApi]]:
    """A started emulator and its parent-key API, closed and stopped whatever the test does."""
    api = OrgApi(emu.url)
    try:
        yield emu, api
    finally:
        api.close()
        emu.stop()


def rev_b_world(
    tmp: Path, *extra: str, **kw: Any
) -> AbstractContextManager[tuple[LocalEmulator, OrgApi]]:
    """A Rev B emulator (`rev_b`) and its parent-key API (`with_api`)."""
    return with_api(rev_b(tmp, *extra, **kw))
