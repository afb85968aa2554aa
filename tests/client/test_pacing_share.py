"""`--shard I/N`: each shard's client paces itself to 1/N of the tier, so N shards stay within it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from layers_reconcile.client import LayersClient
from layers_reconcile.client.pacing import TIER_RPM, EndpointClass, burst_for

from .conftest import FakeClock, Script, ok

READ = EndpointClass.READ_LIGHT


@pytest.mark.parametrize("shards", [1, 3, 4])
async def test_a_shard_paces_reads_at_its_share_of_the_tier(
    make_client: Callable[..., LayersClient], clock: FakeClock, shards: int
) -> None:
    rpm = TIER_RPM["standard"][READ] // shards  # 120 reads/min: 120, 40, 30 per shard
    script = Script([ok({"rateLimitTier": "standard"})])
    async with make_client(script, rate_share=1 / shards) as client:
        await client.whoami()
        assert client.pacer.buckets[READ].rpm == rpm
        for _ in range(burst_for(rpm) + 10):
            await client.request("GET", "/v1/projects/p1")
    # After the burst, one read per interval: the shard's share of the minute, no more.
    assert clock.sleeps == pytest.approx([60.0 / (rpm - burst_for(rpm))] * 10)
