"""The emulator's settings: one field per flag of `layers-reconcile emulator`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# Well known and printed on start: a local dev key, worthless anywhere but on the emulator.
DEV_API_KEY = "lp_test_emulatordevkeyaa_localDevKeyNotASecretDoNotUseInProd"
DEFAULT_RETURN_DOMAINS = ("localhost", "127.0.0.1", "app.your-partner.com")
RATE_LIMIT_TIERS = ("standard", "pilot", "partner")
DEFAULT_TIER = "partner"
# Which revision of the Layers API is served: `a` (the onboarding guide's) or `b` (today's docs).
API_REVISIONS = ("a", "b")
ApiRevision = Literal["a", "b"]
# Where the docs are silent on `X-Layers-Organization` (CONTRACT-revb.md §10.1-2), both answers a
# partner could meet: see "Organizations" in emulator/README.md.
ArchivedChildStatus = Literal[404, 409]
SuspendedChildHeader = Literal["manage", "kill_switch"]
ChildNamespace = Literal["parent_key", "child"]
MigrateTargets = Literal["name_or_id", "name"]


@dataclass(frozen=True)
class EmulatorSettings:
    host: str = "127.0.0.1"
    port: int = 8787
    db: Path | None = None
    speed: float = 1.0
    api_key: str | None = field(default=None, repr=False)
    auto_consent: bool = False
    fault_rate: float = 0.0
    fault_seed: int | None = None
    latency_ms: float = 0.0
    rate_limit_tier: str | None = None
    allow_return_domains: tuple[str, ...] = ()
    seed: int = 0
    api_revision: ApiRevision = "a"
    # a parent key naming an archived child in the header: 404 NOT_FOUND or 409 CONFLICT
    archived_child_status: ArchivedChildStatus = 404
    # a parent key naming a suspended child: act (only spending is refused), or 503 KILL_SWITCH
    suspended_child_header: SuspendedChildHeader = "manage"
    # a parent key acting inside children: one rate bucket / Idempotency-Key namespace per parent
    # key (shared by every child), or one per (parent key, child)
    child_rate_buckets: ChildNamespace = "parent_key"
    child_idempotency: ChildNamespace = "parent_key"
    # a migrate mapping value `org_<uuid>`: an existing child to move into (inferred), or, as
    # the docs say of every value, the name of a new child
    migrate_targets: MigrateTargets = "name_or_id"

    def __post_init__(self) -> None:
        if self.api_revision not in API_REVISIONS:
            raise ValueError(f"api_revision must be one of {', '.join(API_REVISIONS)}")
        if self.archived_child_status not in (404, 409):
            raise ValueError("archived_child_status must be 404 or 409")
        if self.suspended_child_header not in ("manage", "kill_switch"):
            raise ValueError("suspended_child_header must be manage or kill_switch")
        if self.migrate_targets not in ("name_or_id", "name"):
            raise ValueError("migrate_targets must be name_or_id or name")
        for name in ("child_rate_buckets", "child_idempotency"):
            if getattr(self, name) not in ("parent_key", "child"):
                raise ValueError(f"{name} must be parent_key or child")
        if not self.speed > 0:
            raise ValueError("speed must be greater than 0")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        if self.rate_limit_tier is not None and self.rate_limit_tier not in RATE_LIMIT_TIERS:
            raise ValueError(f"rate_limit_tier must be one of {', '.join(RATE_LIMIT_TIERS)}")
        if self.api_key is not None and not self.api_key.strip():
            raise ValueError("api_key must not be empty")

    @property
    def effective_api_key(self) -> str:
        return self.api_key or DEV_API_KEY

    @property
    def uses_dev_key(self) -> bool:
        return self.api_key is None

    @property
    def return_domains(self) -> tuple[str, ...]:
        extra = tuple(d.strip().lower() for d in self.allow_return_domains if d.strip())
        return tuple(dict.fromkeys(DEFAULT_RETURN_DOMAINS + extra))

    @property
    def reported_tier(self) -> str:
        return self.rate_limit_tier or DEFAULT_TIER
