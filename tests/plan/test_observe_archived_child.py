"""observe_customer and a customer's archived children (Rev B, the emulator in this process): they
are read with the children, and the child apply knows, found archived meanwhile (by hand, or
while apply waited), makes it read every child again, so the new child's keys count them all."""

from __future__ import annotations

import httpx

from layers_reconcile.client import LayersClient
from layers_reconcile.emulator.app import create_app
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.plan.observe import SharedActual, observe_customer
from tests.plan.builders import loaded

KEY = "lp_test_archivedkids_K3yThatMustNeverLeakIntoOutput000000000000"
STAMP = {"externalId": "kid", "layersReconcileWorkspace": "ws"}
FILE = {"customerExternalId": "kid", "project": {"name": "Kid"}, "organization": {"name": "Kid"}}


async def test_a_known_child_found_archived_reads_every_child_and_plans_a_new_one() -> None:
    app = create_app(EmulatorSettings(api_key=KEY, api_revision="b"))
    try:
        async with LayersClient(
            "http://emulator", KEY, transport=httpx.ASGITransport(app=app)
        ) as client:
            await client.whoami()
            ids = []
            for n in range(2):
                made = await client.create_organization(
                    {"name": "Kid", "metadata": STAMP}, f"kid-{n}"
                )
                await client.archive_organization(made.id)
                ids.append(made.id)
            other = {"name": "O", "metadata": {**STAMP, "externalId": "other"}}
            gone = await client.create_organization(other, "other-0")
            await client.archive_organization(gone.id)
            spec = loaded(FILE).spec

            # apply knew the second child; someone archived it meanwhile
            known = await observe_customer(
                client, spec, SharedActual(revision="b"), workspace="ws", organization_id=ids[1]
            )
            assert known.organization is None
            assert [c.id for c in known.archived_organizations or []] == sorted(ids)

            live = await client.create_organization({"name": "Kid", "metadata": STAMP}, "kid-2")
            again = await observe_customer(
                client, spec, SharedActual(revision="b"), workspace="ws", organization_id=live.id
            )
            assert again.organization is not None
            assert again.organization.id == live.id
            assert again.archived_organizations is None  # only the known child was read
    finally:
        app.state.emulator.close()
