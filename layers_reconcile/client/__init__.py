"""The Layers API client: auth, retries, rate pacing, idempotency, jobs, typed errors.

async with LayersClient(base_url, api_key) as client:
    await client.whoami()                     # learns the tier; pacing starts
    project = await client.create_project(body, idempotency_key)
    job = await client.wait_for_job(job_id, expected_seconds=330)
"""

from layers_reconcile.client.api import LayersClient, utc_timestamp
from layers_reconcile.client.jobs import PollSchedule
from layers_reconcile.client.pacing import TIER_RPM, EndpointClass, endpoint_class
from layers_reconcile.client.sending import ClientStats
from layers_reconcile.client.wire import Response

__all__ = [
    "TIER_RPM",
    "ClientStats",
    "EndpointClass",
    "LayersClient",
    "PollSchedule",
    "Response",
    "endpoint_class",
    "utc_timestamp",
]
