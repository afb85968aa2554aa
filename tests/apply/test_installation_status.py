"""Plan and apply agree on an installation that is registered but not `active` (CONTRACT.md:
`active | uninstalled`; GitHub also suspends installations): both wait on the install.

Before plan.installations, plan counted it as registered and planned the ingest alone, which
then failed in apply because the API lets only an active installation cover an ingest."""

from __future__ import annotations

from pathlib import Path

from layers_reconcile.emulator.store import Store
from tests.apply.local import local_emulator
from tests.apply.support import run_cli

CUSTOMER = """\
customerExternalId: suspended-org-072
project:
  name: Suspended Org
  timezone: UTC
github:
  repo: acme-fitness/acme-app
  branch: main
  platforms: [{platforms}]
  returnUrl: https://app.your-partner.com/github/callback
"""


def _set_registration_status(db: Path, login: str, status: str) -> None:
    """What the API answers after the org's installation changed on GitHub's side."""
    store = Store(db)
    try:
        (doc,) = [d for d in store.all("gh_registration") if d["login"] == login]
        doc["status"] = status
        store.put("gh_registration", doc)
    finally:
        store.close()


def test_plan_and_apply_both_wait_on_the_install_of_a_suspended_installation(
    tmp_path: Path,
) -> None:
    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    customer = ws / "customers/suspended.yaml"
    customer.write_text(CUSTOMER.format(platforms="ios, web"))
    with local_emulator(tmp_path) as emu:
        first = run_cli("apply", "ws", "--auto-approve", env=emu.env(), cwd=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        emu.stop()
        _set_registration_status(emu.db, "acme-fitness", "suspended")
        emu.start()
        customer.write_text(CUSTOMER.format(platforms="ios"))  # the ingest must run again

        planned = run_cli("plan", "ws", "--detailed-exitcode", env=emu.env(), cwd=tmp_path)
        assert planned.returncode == 3, planned.stdout + planned.stderr  # waits on a person
        assert "suspended-org-072/github" in planned.stdout
        assert "no registered GitHub installation covers 'acme-fitness'" in planned.stdout

        applied = run_cli("apply", "ws", "--auto-approve", env=emu.env(), cwd=tmp_path)
        assert applied.returncode == 3, applied.stdout + applied.stderr  # the same person gate
        assert "suspended-org-072/github: install the Layers GitHub App on acme-fitness" in (
            applied.stdout
        )
        assert "failed" not in applied.stdout  # the ingest waits for the install, not tried
        assert not [r for r in emu.stats()["routes"] if r.endswith("/ingest/github")]
