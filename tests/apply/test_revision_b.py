"""The tool against Rev B of the Layers API (the emulator's `--api-revision b`): the same
customer file converges through Rev B's routes and words, a rerun plans nothing, and import
writes back what Rev B has in the file's form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.apply.local import local_emulator
from tests.apply.support import Api, run_cli

REV_B = ("--api-revision", "b")


def _workspace(root: Path, files: dict[str, str], settings: str = "") -> Path:
    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text("workspace: rev-b\n" + settings)
    for name, text in files.items():
        (root / "customers" / f"{name}.yaml").write_text(text)
    return root


APPROVAL = """customerExternalId: rev-review
project:
  name: Review Co
  timezone: Europe/Berlin
approval:
  requiresApproval: true
  firstNPostsBlocked: 3
"""


def _policy(api: Api, customer: str) -> dict[str, Any]:
    pid = api.projects(customer)[0]["id"]
    policy: dict[str, Any] = api.get(f"/v1/projects/{pid}/content-review-policy")
    return policy


def test_approval_becomes_the_review_policy_converges_and_import_writes_it_back(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path / "ws", {"review": APPROVAL})
    with local_emulator(tmp_path, extra=REV_B) as emu:
        api = Api(emu.url)
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "review policy policy=review_first_n, firstN=3" in applied.stdout
        policy = _policy(api, "rev-review")
        assert (policy["policy"], policy["firstN"]) == ("review_first_n", 3)
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout  # converged: nothing to do

        # Someone reviews everything now (in the Layers UI): plan shows it in the file's words,
        # apply puts the file's policy back.
        pid = api.projects("rev-review")[0]["id"]
        api.http.patch(
            f"/v1/projects/{pid}/content-review-policy", json={"policy": "review_all"}
        ).raise_for_status()
        drift = run_cli("plan", str(ws), env=emu.env())
        assert "rev-review/approval  update" in drift.stdout
        assert "firstNPostsBlocked: null -> 3" in drift.stdout
        imported = run_cli("import", str(tmp_path / "imported"), env=emu.env())
        assert imported.returncode == 0, imported.stderr
        written = yaml.safe_load((tmp_path / "imported/customers/rev-review.yaml").read_text())
        assert written["approval"] == {"requiresApproval": True}
        fixed = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert _policy(api, "rev-review")["policy"] == "review_first_n"
        api.close()


def test_auto_approve_after_is_explained_under_auto_and_refused_at_its_line_when_pinned(
    tmp_path: Path,
) -> None:
    timed = APPROVAL.replace("firstNPostsBlocked: 3", "autoApproveAfter: PT24H")
    ws = _workspace(tmp_path / "ws", {"review": timed})
    with local_emulator(tmp_path, extra=REV_B) as emu:
        planned = run_cli("plan", str(ws), env=emu.env())
        assert planned.returncode == 0, planned.stderr
        assert (
            "customers/review.yaml:7:21: approval.autoApproveAfter has no equivalent in Rev B"
            in (planned.stdout)
        )
        assert "autoApproveAfter" not in planned.stdout.split("rev-review/approval")[1]
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert applied.returncode == 0, applied.stdout + applied.stderr
        api = Api(emu.url)
        assert _policy(api, "rev-review")["policy"] == "review_all"
        api.close()

        emu.reset_stats()
        pinned = run_cli("plan", str(ws), "--api-revision", "b", env=emu.env())
        assert pinned.returncode == 1
        assert "customers/review.yaml:7:21: approval.autoApproveAfter has no equivalent" in (
            pinned.stderr
        )
        assert emu.stats()["total"] == 0  # refused before any request


MANAGED = """customerExternalId: rev-managed
project:
  name: Managed Co
  timezone: Europe/Berlin
social:
  tiktok:
    returnUrl: http://localhost/done
content:
  launch:
    format: slideshow_builder
    brief:
      hook: Skip the line.
    schedule:
      - account: tiktok
        mode: managed
        at: "2027-06-01T10:00:00Z"
      - account: tiktok
        id: second
        mode: direct_publish
        at: "2027-06-02T10:00:00Z"
"""


def test_schedule_modes_speak_rev_b_and_managed_is_refused_at_its_line_on_rev_a(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path / "ws", {"managed": MANAGED})
    with local_emulator(tmp_path) as emu:  # Rev A
        refused = run_cli("plan", str(ws), env=emu.env())
        assert refused.returncode == 1
        assert (
            "customers/managed.yaml:15:15: mode 'managed' exists only in Rev B of the Layers API"
            in refused.stderr
        )
        assert "use direct_publish or draft_to_device" in refused.stderr
    with local_emulator(tmp_path, extra=REV_B) as emu:
        planned = run_cli("plan", str(ws), "--format", "json", env=emu.env())
        assert planned.returncode == 0, planned.stderr
        steps = json.loads(planned.stdout)["customers"][0]["steps"]
        modes = {s["address"]: s["target"]["mode"] for s in steps if s["kind"] == "schedule"}
        assert modes == {
            "rev-managed/content/launch/schedule/tiktok": "managed",
            "rev-managed/content/launch/schedule/second": "publish",
        }


def test_a_project_name_outside_rev_b_limits_is_a_warning_under_auto_an_error_pinned(
    tmp_path: Path,
) -> None:
    long = APPROVAL.replace("name: Review Co", "name: A Much Longer Review Company Name")
    ws = _workspace(tmp_path / "ws", {"review": long})
    with local_emulator(tmp_path, extra=REV_B) as emu:
        warned = run_cli("plan", str(ws), env=emu.env())
        assert warned.returncode == 0, warned.stderr
        assert "customers/review.yaml:3:9: project.name is 33 characters; Rev B" in warned.stdout
        assert "takes 3–30" in warned.stdout
    ws_pinned = _workspace(tmp_path / "pinned", {"review": long}, settings="apiRevision: b\n")
    refused = run_cli("validate", str(ws_pinned), env={})
    assert refused.returncode == 1
    assert (
        "customers/review.yaml:3:9: project.name is 33 characters"
        in refused.stdout + refused.stderr
    )


PERSONA = """customerExternalId: rev-persona
project:
  name: Persona Co
  timezone: Europe/Berlin
brand:
  tagline: Run with your city.
  brandVoice: warm
  audience: Runners in Berlin
influencer:
  name: Lena — Berlin run club captain
  gender: female
  ageRange: 25-34
  hairColor: auburn
  style: technical running gear
"""


def test_the_influencer_is_created_from_hints_named_by_layers_and_found_again_by_its_id(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path / "ws", {"persona": PERSONA})
    with local_emulator(tmp_path, extra=REV_B) as emu:
        api = Api(emu.url)
        planned = run_cli("plan", str(ws), env=emu.env())
        assert "brand.audience has no Rev B field" in planned.stdout
        assert 'prompt: "auburn, technical running gear"' in planned.stdout
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert applied.returncode == 0, applied.stdout + applied.stderr
        project = api.project("rev-persona")
        assert (project["tagline"], project["brandVoice"]) == ("Run with your city.", "warm")
        [made] = api.influencers(project["id"])
        assert made["gender"] == "female"
        assert made["name"]
        assert made["name"] != "Lena — Berlin run club captain"  # Layers named it
        made_id = made.get("id") or made["influencerId"]
        pinned = project["metadata"]["layersReconcile"]["influencerId"]
        assert pinned == made_id
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout  # found by the id the tool recorded

        # import writes it back as the influencer Layers named; the round trip plans nothing
        imported = run_cli("import", str(tmp_path / "imported"), env=emu.env())
        assert imported.returncode == 0, imported.stderr
        written = yaml.safe_load((tmp_path / "imported/customers/rev-persona.yaml").read_text())
        assert written["influencer"] == made["name"]
        round_trip = run_cli(
            "plan", str(tmp_path / "imported"), "--detailed-exitcode", env=emu.env()
        )
        assert round_trip.returncode == 0, round_trip.stdout

        # `id:` adopts another influencer of the project (made in the Layers UI, say)
        other = api.post(f"/v1/projects/{project['id']}/influencers", {"gender": "male"})
        other_id = other["influencerId"]
        emu.clock.advance(60)  # made a while ago: its creation job (~60 s at most) is done
        (ws / "customers/persona.yaml").write_text(
            PERSONA.split("influencer:")[0] + f"influencer:\n  id: {other_id}\n  gender: male\n"
        )
        adopted = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert adopted.returncode == 0, adopted.stdout + adopted.stderr
        assert "rev-persona/influencer: select" in adopted.stdout
        stamp = api.project("rev-persona")["metadata"]["layersReconcile"]
        assert stamp["influencerId"] == other_id
        assert len(api.influencers(project["id"])) == 2  # none created
        api.close()


def test_the_embedded_emulator_speaks_the_revision_the_run_pins(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", {"review": APPROVAL})
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200"}
    applied = run_cli(
        "apply", str(ws), "--emulator", "--auto-approve", "--api-revision", "b", env=env
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "API revision B" in applied.stdout.splitlines()[0]
    assert "review policy policy=review_first_n, firstN=3" in applied.stdout
    again = run_cli(
        "plan", str(ws), "--emulator", "--api-revision", "b", "--detailed-exitcode", env=env
    )
    assert again.returncode == 0, again.stdout
    # unpinned, the same state is served as the guide's Rev A: converged there too
    rev_a = run_cli("plan", str(ws), "--emulator", "--detailed-exitcode", env=env)
    assert rev_a.returncode == 0, rev_a.stdout
    assert "API revision A" in rev_a.stdout.splitlines()[0]


SOCIAL = """customerExternalId: {ext}
project:
  name: {name}
  timezone: UTC
social:
  tiktok:
    returnUrl: https://app.your-partner.com/social-complete
"""


def test_links_orphans_and_conflicts_behave_on_rev_b_as_on_rev_a(tmp_path: Path) -> None:
    files = {
        "one": SOCIAL.format(ext="rev-one", name="One Co"),
        "two": SOCIAL.format(ext="rev-two", name="Two Co"),
    }
    ws = _workspace(tmp_path / "ws", files)
    theirs = _workspace(
        tmp_path / "theirs", {"mine": SOCIAL.format(ext="rev-theirs", name="Th Co")}
    )
    (theirs / "layers.yaml").write_text("workspace: someone-else\n")
    with local_emulator(tmp_path, auto_consent=False, extra=REV_B) as emu:
        first = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert first.returncode == 3, first.stdout + first.stderr  # the consents wait
        links = run_cli("links", str(ws), "--format", "json", env=emu.env())
        assert links.returncode == 0, links.stderr
        rows = json.loads(links.stdout)["links"]
        assert sorted((r["customer"], r["kind"]) for r in rows) == [
            ("rev-one", "social_oauth"),
            ("rev-two", "social_oauth"),
        ]
        assert all(r["url"] for r in rows)

        # a file removed: its project is an orphan, archived with --prune
        (ws / "customers/two.yaml").unlink()
        orphaned = run_cli("plan", str(ws), "--prune", "--format", "json", env=emu.env())
        doc = json.loads(orphaned.stdout)
        assert doc["apiRevision"] == "b"
        assert [o["customerExternalId"] for o in doc["orphans"]] == ["rev-two"]
        pruned = run_cli("apply", str(ws), "--auto-approve", "--prune", env=emu.env())
        assert "rev-two/project: archive done" in pruned.stdout, pruned.stdout
        api = Api(emu.url)
        assert api.projects("rev-two")[0]["status"] == "archived"

        # another workspace's project is a conflict, left alone
        made = run_cli("apply", str(theirs), "--auto-approve", env=emu.env())
        assert made.returncode == 3, made.stdout + made.stderr
        (ws / "customers/theirs.yaml").write_text(SOCIAL.format(ext="rev-theirs", name="Mine Co"))
        conflict = run_cli("plan", str(ws), "--format", "json", env=emu.env())
        assert conflict.returncode == 1
        [row] = json.loads(conflict.stdout)["conflicts"]
        assert (row["customerExternalId"], row["workspace"]) == ("rev-theirs", "someone-else")
        assert api.project("rev-theirs")["name"] == "Th Co"
        api.close()


def test_an_influencer_id_the_project_lacks_is_said_at_its_line_with_the_fix(
    tmp_path: Path,
) -> None:
    # `id:` beside attributes: an id that does not exist (or is another project's) is named as
    # an id, at the `id:` line, and the fix is to correct it or drop `id:` (the attributes are
    # already there), never "give attributes".
    head = PERSONA.split("influencer:")[0]
    text = head + "influencer:\n  id: inf_not-in-this-project-01\n  gender: female\n"
    ws = _workspace(tmp_path / "ws", {"persona": text})
    line = text.splitlines().index("  id: inf_not-in-this-project-01") + 1
    with local_emulator(tmp_path, extra=REV_B) as emu:
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        planned = run_cli("plan", str(ws), env=emu.env())
    output = applied.stdout + applied.stderr
    assert applied.returncode == 1, output
    assert (
        f"customers/persona.yaml:{line}:3: no influencer with id 'inf_not-in-this-project-01'"
        in output
    )
    assert "remove `id:` to have one created from the attributes" in output
    assert "give attributes" not in output
    assert "no influencer with id 'inf_not-in-this-project-01' exists" in planned.stdout
    assert "chosen by name" not in planned.stdout


# slideshow_builder writes from the project's app description (100-1000 characters)
DESCRIBED = MANAGED.replace(
    "social:", "brand:\n  appDescription: " + "Order ahead and skip the line. " * 4 + "\nsocial:"
)


def test_a_changed_mode_of_a_queued_post_is_said_with_the_way_to_apply_it(tmp_path: Path) -> None:
    # A post's target cannot change (only its time can): a mode changed in the file used to
    # plan nothing at all; it is said at the entry, with the fix (a new `id:`), which works.
    ws = _workspace(tmp_path / "ws", {"managed": DESCRIBED})
    file = ws / "customers/managed.yaml"
    with local_emulator(tmp_path, extra=REV_B) as emu:
        applied = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert applied.returncode == 0, applied.stdout + applied.stderr
        file.write_text(DESCRIBED.replace("mode: managed", "mode: draft_to_device"))
        planned = run_cli("plan", str(ws), env=emu.env())
        assert "rev-managed/content/launch/schedule/tiktok: the queued post" in planned.stdout, (
            planned.stdout
        )
        assert "is in mode 'managed', the file asks 'draft'" in planned.stdout
        assert "give the entry a new `id:`" in planned.stdout
        file.write_text(
            DESCRIBED.replace("mode: managed", "mode: draft_to_device").replace(
                "      - account: tiktok\n        mode: draft",
                "      - id: as-draft\n        account: tiktok\n        mode: draft",
            )
        )
        moved = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert moved.returncode == 0, moved.stdout + moved.stderr
        api = Api(emu.url)
        posts = api.posts(api.project("rev-managed")["id"])
        api.close()
        queued = sorted(p["mode"] for p in posts if p["status"] == "queued")
        assert queued == ["draft", "publish"]
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout
        assert "cannot change" not in again.stdout
