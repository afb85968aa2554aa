"""Per-key, per-endpoint-class token buckets at the documented rates of each tier."""

from __future__ import annotations

import math
from dataclasses import dataclass

# requests per minute: read-light, write-light, long-running; and the daily write-light cap
TIERS: dict[str, dict[str, int]] = {
    "standard": {"read-light": 120, "write-light": 60, "long-running": 20},
    "pilot": {"read-light": 1200, "write-light": 600, "long-running": 60},
    "partner": {"read-light": 6000, "write-light": 3000, "long-running": 300},
}
DAILY_WRITE_CAP = {"standard": 10_000, "pilot": 100_000, "partner": 500_000}


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int
    headers: dict[str, str]


class RateLimiter:
    """No tier: nothing is enforced. A tier: a bucket of `rpm` tokens refilled at `rpm/60` a second."""

    def __init__(self, tier: str | None) -> None:
        self.tier = tier
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._daily: dict[tuple[str, int], int] = {}

    def check(self, key_id: str, endpoint_class: str, now: float) -> Verdict:
        if self.tier is None:
            return Verdict(True, 0, {})
        rpm = TIERS[self.tier][endpoint_class]
        rate = rpm / 60.0
        bucket = self._buckets.get((key_id, endpoint_class))
        if bucket is None:
            bucket = self._buckets[(key_id, endpoint_class)] = _Bucket(float(rpm), now)
        bucket.tokens = min(float(rpm), bucket.tokens + max(0.0, now - bucket.updated) * rate)
        bucket.updated = now
        headers = {"X-RateLimit-Limit": str(rpm)}
        if bucket.tokens < 1.0:
            retry = max(1, math.ceil((1.0 - bucket.tokens) / rate))
            headers["X-RateLimit-Remaining"] = "0"
            return Verdict(False, retry, headers)
        if endpoint_class == "write-light":
            day = int(now // 86400)
            used = self._daily.get((key_id, day), 0)
            if used >= DAILY_WRITE_CAP[self.tier]:
                headers["X-RateLimit-Remaining"] = "0"
                return Verdict(False, max(1, math.ceil((day + 1) * 86400 - now)), headers)
            self._daily[(key_id, day)] = used + 1
        bucket.tokens -= 1.0
        headers["X-RateLimit-Remaining"] = str(int(bucket.tokens))
        return Verdict(True, 0, headers)
