"""The emulator's core object: settings, clock, store, keys, and the queue of due work."""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import hmac
import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from layers_reconcile.emulator import tenancy
from layers_reconcile.emulator.clock import Clock, SystemClock
from layers_reconcile.emulator.common import JSON, iso, stable_int
from layers_reconcile.emulator.faults import Faults
from layers_reconcile.emulator.hold import Hold
from layers_reconcile.emulator.ratelimit import RateLimiter
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.emulator.stats import Stats
from layers_reconcile.emulator.store import Store

_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://layers-emulator.local/")
ORGANIZATION_NAME = "Emulated Partner Org"


@dataclass
class _Waiters:
    lock: asyncio.Lock
    count: int = 0


ORG_ADMIN = "org:admin"


@dataclass(frozen=True)
class ApiKey:
    id: str
    scopes: tuple[str, ...]
    return_domains: tuple[str, ...]
    # a child organization's own key (minted by its parent); None: a key of the partner's org
    organization_id: str | None = None

    def grants(self, any_of: tuple[str, ...]) -> bool:
        if self.organization_id is not None and ORG_ADMIN in any_of:
            return False  # org:admin is never delegated to a child's key
        return not any_of or "*" in self.scopes or any(s in self.scopes for s in any_of)


class Emulator:
    def __init__(self, settings: EmulatorSettings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.revision: str = settings.api_revision
        self.clock: Clock = clock or SystemClock()
        self.store = Store(settings.db)
        self.stats = Stats()
        self.hold = Hold()
        self.faults = Faults(settings.fault_rate, settings.fault_seed)
        self.limiter = RateLimiter(settings.rate_limit_tier)
        self.root_org_id = str(uuid.uuid5(_NS, "organization"))
        self.master_key = ApiKey(
            str(uuid.uuid5(_NS, "api-key/master")), ("*",), settings.return_domains
        )
        self._key_by_hash: dict[str, str] = {
            d["secretHash"]: d["id"] for d in self.store.all("apikey")
        }
        self._due: list[tuple[float, int, str, str]] = []
        self._due_seq = 0
        self._locks: dict[str, _Waiters] = {}
        # How many jobs of each kind each project has started: with the seed, it fixes a job's
        # duration, so the same requests meet the same durations run after run.
        self._job_ordinals: Counter[tuple[str, str]] = Counter()

    @property
    def org_id(self) -> str:
        """The organization the running request acts inside (the partner's own by default)."""
        return tenancy.current() or self.root_org_id

    # --- keys ---------------------------------------------------------------------------

    def authenticate(self, raw: str | None) -> ApiKey | None:
        if not raw:
            return None
        if hmac.compare_digest(raw.encode(), self.settings.effective_api_key.encode()):
            return self.master_key
        key_id = self._key_by_hash.get(hashlib.sha256(raw.encode()).hexdigest())
        doc = self.store.get("apikey", key_id) if key_id else None
        if doc is None or doc.get("status", "active") != "active":
            return None
        grace = doc.get("_graceTs")
        if grace is not None and self.clock.now() >= grace:
            return None  # rotated, and its 24 hours of grace are over
        return ApiKey(
            doc["id"],
            tuple(doc["scopes"]),
            tuple(doc["allowedReturnDomains"]),
            doc.get("organizationId"),
        )

    def create_key(
        self,
        scopes: list[str],
        domains: list[str] | None,
        name: str | None,
        extra: JSON | None = None,
    ) -> tuple[str, JSON]:
        """A new key; `extra` adds fields (a child key's organization, env, status...)."""
        key_id = str(uuid.uuid4())
        env = (extra or {}).get("env", "test")
        raw = f"lp_{env}_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"
        doc: JSON = {
            **(extra or {}),
            "id": key_id,
            "name": name or "emulator test key",
            "secretHash": hashlib.sha256(raw.encode()).hexdigest(),
            "scopes": scopes,
            "allowedReturnDomains": [d.lower() for d in domains]
            if domains is not None
            else list(self.settings.return_domains),
            "createdAt": iso(self.clock.now()),
        }
        self.store.put("apikey", doc)
        self.store.commit()
        self._key_by_hash[doc["secretHash"]] = key_id
        return raw, doc

    # --- time and due work --------------------------------------------------------------

    def scaled(self, low: float, high: float, *parts: object) -> float:
        """A deterministic duration in [low, high] seconds for `parts`, divided by --speed."""
        fraction = (stable_int("duration", self.settings.seed, *parts) % 10_000) / 9_999
        return (low + (high - low) * fraction) / self.settings.speed

    def job_duration(self, low: float, high: float, kind: str, project_id: str) -> float:
        """The duration of the next `kind` job of the project (deterministic, see `scaled`)."""
        self._job_ordinals[kind, project_id] += 1
        return self.scaled(low, high, kind, project_id, self._job_ordinals[kind, project_id])

    def due_at(self, when: float, kind: str, ident: str) -> None:
        self._due_seq += 1
        heapq.heappush(self._due, (when, self._due_seq, kind, ident))

    def pop_due(self, now: float) -> list[tuple[str, str]]:
        out = []
        while self._due and self._due[0][0] <= now:
            _, _, kind, ident = heapq.heappop(self._due)
            out.append((kind, ident))
        return out

    def next_due(self) -> float | None:
        return self._due[0][0] if self._due else None

    @asynccontextmanager
    async def serialized(self, key: str) -> AsyncIterator[None]:
        """Run one holder of `key` at a time; the others wait their turn."""
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = _Waiters(asyncio.Lock())
        entry.count += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.count -= 1
            if entry.count == 0:
                del self._locks[key]

    def close(self) -> None:
        self.store.close()
