"""One content entry converges on both API revisions (issue 17): the real CLI against the
emulator over HTTP, `--api-revision b` (one route per format, one container per call) and `a`
(the guide's one call with `variantCount` and the brief).

What a user notices: every format is generated with the body its revision takes, each variant
is one container made exactly once (also across a `kill -9` between two variant calls), a
rerun plans nothing, and what a revision cannot take is said at its line.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from layers_reconcile.apply.events import CustomerStatus
from tests.apply.inprocess import in_process
from tests.apply.local import LocalEmulator, local_emulator
from tests.apply.support import (
    KEY,
    Api,
    Emulator,
    cli_env,
    emulator,
    kill_apply_after,
    run_cli,
    run_cli_process,
)

SLIDESHOW_POST = "7300000000000000002"  # the emulator's TikTok world: a slideshow
VIDEO_POST = "7300000000000000001"  # and a video

HEAD = """\
customerExternalId: {ext}
project:
  name: Quinns Coffee
  timezone: UTC
github:
  installationId: 48271993
  repo: quinns-coffee/quinns-app
  returnUrl: http://localhost/github-done
influencer: Maya — PNW cafe regular
social:
  tiktok:
    returnUrl: http://localhost/social-done
content:
"""
BUILDER_HOOK = "Skip the line."
BUILDER = f"""\
  builder:
    format: slideshow_builder
    variants: 2
    brief:
      hook: {BUILDER_HOOK}
"""
REMIXES = f"""\
  slides:
    format: slideshow_remix
    source: {{tiktokVideoId: "{SLIDESHOW_POST}"}}
  video:
    format: video_remix
    source: {{tiktokVideoId: "{VIDEO_POST}"}}
    account: tiktok
  ugc:
    format: ugc_remix
    brief: {{hook: I hated queues.}}
"""
REV_B = ("--api-revision", "b")
POSTED = """\
    schedule:
      - account: tiktok
        mode: direct_publish
        at: 2030-01-01T10:00:00Z
"""


# The customer without its GitHub repo and influencer: content that needs neither.
BARE_HEAD = HEAD.replace(
    "github:\n  installationId: 48271993\n  repo: quinns-coffee/quinns-app\n"
    "  returnUrl: http://localhost/github-done\n",
    "",
).replace("influencer: Maya — PNW cafe regular\n", "")


def workspace(
    root: Path, content: str, *, ext: str = "quinn", settings: str = "", head: str = HEAD
) -> Path:
    (root / "customers").mkdir(parents=True)
    (root / "layers.yaml").write_text(f"workspace: content-revisions\n{settings}")
    (root / "customers" / f"{ext}.yaml").write_text(head.format(ext=ext) + content)
    return root


def project_of(api: Api, ext: str) -> str:
    return str(api.project(ext)["id"])


def formats(api: Api, project_id: str) -> Counter[str]:
    return Counter(str(c["format"]) for c in api.containers(project_id))


def plan_json(emu_env: dict[str, str], ws: Path) -> dict[str, Any]:
    result = run_cli("plan", str(ws), "--format", "json", env=emu_env)
    assert result.returncode == 0, result.stdout + result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def converges(emu_env: dict[str, str], ws: Path) -> str:
    result = run_cli("apply", str(ws), "--auto-approve", env=emu_env)
    assert result.returncode == 0, result.stdout + result.stderr
    again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu_env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout
    return result.stdout + result.stderr


def test_each_format_converges_on_rev_b_one_container_per_variant(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", BUILDER + REMIXES)
    with local_emulator(tmp_path, extra=REV_B) as emu:
        planned = plan_json(emu.env(), ws)
        assert planned["apiRevision"] == "b"
        (customer,) = planned["customers"]
        content = {s["address"]: s for s in customer["steps"] if s["kind"] == "content"}
        assert sorted(content) == [
            "quinn/content/builder",
            "quinn/content/builder/v2",
            "quinn/content/slides",
            "quinn/content/ugc",
            "quinn/content/video",
        ]
        credits = {a: s["job"]["credits"] for a, s in content.items()}
        assert credits == {
            "quinn/content/builder": 50,
            "quinn/content/builder/v2": 50,
            "quinn/content/slides": 50,
            "quinn/content/ugc": 120,
            "quinn/content/video": 120,
        }
        # the entry that speaks through the TikTok account waits for its consent
        assert content["quinn/content/video"]["target"]["platform"] == "tiktok"
        emu.reset_stats()
        converges(emu.env(), ws)
        routes = emu.stats()["routes"]
        assert {r: n for r, n in routes.items() if "/content/" in r and r.startswith("POST")} == {
            "POST /v1/projects/{projectId}/content/slideshow-builder": 2,
            "POST /v1/projects/{projectId}/content/slideshow-remix": 1,
            "POST /v1/projects/{projectId}/content/video-remix": 1,
            "POST /v1/projects/{projectId}/content/ugc-remix": 1,
        }
        api = Api(emu.url)
        pid = project_of(api, "quinn")
        assert formats(api, pid) == {
            "slideshow-builder": 2,
            "slideshow-remix": 1,
            "video-remix": 1,
            "ugc-remix": 1,
        }
        made = {c["format"]: c for c in api.containers(pid)}
        assert made["video-remix"]["brief"]["socialAccountId"].startswith("sa_")
        assert made["ugc-remix"]["brief"]["hook"] == "I hated queues."
        assert made["slideshow-remix"]["brief"]["tiktokVideoId"] == SLIDESHOW_POST
        assert api.get("/v1/credits")["usedThisPeriod"] == sum(credits.values())
        api.close()


def test_a_changed_hook_on_rev_b_generates_each_variant_anew_once(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", BUILDER)
    with local_emulator(tmp_path, extra=REV_B) as emu:
        converges(emu.env(), ws)
        file = ws / "customers" / "quinn.yaml"
        file.write_text(file.read_text().replace("Skip the line.", "Skip the queue."))
        shown = run_cli("plan", str(ws), env=emu.env()).stdout
        assert 'brief.hook: "Skip the line." -> "Skip the queue."' in shown
        assert "Rev B has no regenerate" in shown
        converges(emu.env(), ws)
        api = Api(emu.url)
        hooks = Counter(c["brief"]["hook"] for c in api.containers(project_of(api, "quinn")))
        assert hooks == {"Skip the line.": 2, "Skip the queue.": 2}
        api.close()


def test_the_remixes_converge_on_rev_a_and_what_it_does_not_take_is_a_warning(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path / "ws", REMIXES)
    with local_emulator(tmp_path) as emu:
        shown = run_cli("plan", str(ws), env=emu.env())
        assert shown.returncode == 0, shown.stdout + shown.stderr
        assert "API revision A" in shown.stdout
        assert (
            "customers/quinn.yaml:16:5: `source` names the post a remix starts from (Rev B); "
            "Rev A does not take it (the API speaks Rev A; pin apiRevision to make this an error)"
            in shown.stdout
        )
        assert "quinn.yaml:20:5: `account` speaks through a social account" in shown.stdout
        annotations = run_cli("plan", str(ws), "--format", "github", env=emu.env()).stdout
        assert "customers/quinn.yaml,line=16,col=5::quinn: " in annotations  # at `source:`
        emu.reset_stats()
        converges(emu.env(), ws)
        assert emu.stats()["routes"]["POST /v1/projects/{projectId}/content"] == 3
        api = Api(emu.url)
        assert formats(api, project_of(api, "quinn")) == {
            "slideshow_remix": 1,
            "video_remix": 1,
            "ugc_remix": 1,
        }
        api.close()


def test_a_pinned_revision_refuses_what_it_does_not_take_at_its_line(tmp_path: Path) -> None:
    pinned_a = workspace(tmp_path / "a", REMIXES, settings="apiRevision: a\n")
    result = run_cli("validate", ".", env=cli_env("http://127.0.0.1:9", 1), cwd=pinned_a)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:3] == [
        "customers/quinn.yaml:16:5: `source` names the post a remix starts from (Rev B); "
        "Rev A does not take it (apiRevision: a)",
        "customers/quinn.yaml:19:5: `source` names the post a remix starts from (Rev B); "
        "Rev A does not take it (apiRevision: a)",
        "customers/quinn.yaml:20:5: `account` speaks through a social account (Rev B); "
        "Rev A does not take it (apiRevision: a)",
    ]
    extra = "  anything:\n    brief: {hook: Hi, cta: Download}\n"
    pinned_b = workspace(tmp_path / "b", BUILDER + extra, settings="apiRevision: b\n")
    result = run_cli("validate", ".", env=cli_env("http://127.0.0.1:9", 1), cwd=pinned_b)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:1] == [
        "customers/quinn.yaml:19:3: format auto has no Rev B route: choose slideshow_builder, "
        "slideshow_remix, video_remix or ugc_remix (apiRevision: b)",
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_format_auto_detected_on_rev_b_is_an_error_at_its_line_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path / "ws", "  launch:\n    brief: {hook: Hi, cta: Download}\n")
    with local_emulator(tmp_path, extra=REV_B) as emu:
        emu.reset_stats()
        result = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert result.returncode == 1
        assert (
            "customers/quinn.yaml:14:3: format auto has no Rev B route: choose "
            "slideshow_builder, slideshow_remix, video_remix or ugc_remix (the API speaks Rev B)"
        ) in result.stderr
        assert "Traceback" not in result.stderr
        sent = emu.stats()["routes"]
        assert [r for r in sent if not r.startswith("GET")] == []


def test_a_hook_on_a_plain_remix_is_a_plan_warning_under_auto_on_rev_b(tmp_path: Path) -> None:
    remix = f'  slides:\n    format: slideshow_remix\n    source: {{tiktokVideoId: "{SLIDESHOW_POST}"}}\n    brief: {{hook: Hi}}\n'
    ws = workspace(tmp_path / "ws", remix)
    with local_emulator(tmp_path, extra=REV_B) as emu:
        shown = run_cli("plan", str(ws), env=emu.env())
        assert shown.returncode == 0, shown.stderr
        assert (
            "customers/quinn.yaml:17:13: `brief.hook` is not sent: the remix routes take no hook"
            in shown.stdout
        )
        emu.reset_stats()
        pinned = run_cli("plan", str(ws), "--api-revision", "b", env=emu.env())
        assert pinned.returncode == 1
        assert (
            "customers/quinn.yaml:17:13: `brief.hook` is not sent: the remix routes take no "
            "hook (the source post's text is adapted) (pinned by --api-revision b)"
        ) in pinned.stderr
        assert [r for r in emu.stats()["routes"] if not r.startswith("GET")] == []


SLOW = 300.0  # jobs last long enough for a kill to land between two variant calls


@pytest.mark.parametrize(
    ("route", "count"),
    [
        ("POST /v1/projects/{projectId}/content/slideshow-builder", 1),
        ("POST /v1/projects/{projectId}/content/slideshow-builder", 2),
        ("PATCH /v1/projects/{id}", 3),  # a variant's container just recorded
    ],
)
def test_kill_9_between_variant_calls_then_rerun_makes_each_variant_once(
    tmp_path: Path, route: str, count: int
) -> None:
    three = BUILDER.replace("variants: 2", "variants: 3")
    ws = workspace(tmp_path / "ws", three)
    with emulator(tmp_path, extra=REV_B, speed=SLOW) as emu:
        assert kill_apply_after(emu, ws, route, count)
        api = Api(emu.url)
        pid = project_of(api, "quinn")
        # Wherever the kill landed, at most one call of the key was not yet recorded: a
        # variant's call is sent only once the one before it is in the record.
        made = len(api.containers(pid))
        record = api.get(f"/v1/projects/{pid}")["metadata"]["layersReconcile"].get("content")
        recorded = len(((record or {}).get("builder") or {}).get("variantIds") or {})
        assert recorded <= made <= recorded + 1, (made, recorded)
        converges(emu.env(), ws)
        assert formats(api, pid) == {"slideshow-builder": 3}
        record = api.get(f"/v1/projects/{pid}")["metadata"]["layersReconcile"]["content"]
        ids = [c["id"] for c in api.containers(pid)]
        assert sorted(record["builder"]["containerIds"]) == sorted(ids)
        assert api.get("/v1/credits")["usedThisPeriod"] == 3 * 50
        api.close()


@pytest.fixture
def rev_b_server(tmp_path: Path) -> Iterator[LocalEmulator]:
    with local_emulator(tmp_path, speed=600, auto_consent=True, extra=REV_B) as running:
        yield running


def test_credits_short_is_a_clear_error_of_that_customer(
    rev_b_server: LocalEmulator, tmp_path: Path
) -> None:
    ws = workspace(tmp_path / "ws", BUILDER)
    emu = rev_b_server.emulator
    emu.store.put("org", {"id": emu.org_id, "creditsUsed": 100_000 - 60})
    result = run_cli("apply", str(ws), "--auto-approve", env=cli_env(rev_b_server.url, 600))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "BILLING_EXHAUSTED" in output
    assert "50 credits are needed and 10 are available" in output
    assert "add credits, then apply again" in output
    assert "Traceback" not in output
    assert KEY not in output


def test_ugc_remix_without_app_demo_media_names_the_fix(
    rev_b_server: LocalEmulator, tmp_path: Path
) -> None:
    ugc = "  ugc:\n    format: ugc_remix\n    account: tiktok\n"
    ws = workspace(tmp_path / "ws", ugc, head=BARE_HEAD)
    result = run_cli("apply", str(ws), "--auto-approve", env=cli_env(rev_b_server.url, 600))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "MISSING_APP_DEMO" in output or "app-demo" in output
    assert "name one with `media:`" in output
    assert "Traceback" not in output


def test_a_slideshow_remix_of_a_video_shows_the_specific_code_and_its_fix(
    rev_b_server: LocalEmulator, tmp_path: Path
) -> None:
    # The API says `422 VALIDATION` with `details.code: NOT_A_SLIDESHOW`: the user is shown the
    # second (it says what is wrong) and the fix, on the failure line and in --report.
    slides = (
        "  slides:\n    format: slideshow_remix\n"
        f'    source: {{tiktokVideoId: "{VIDEO_POST}"}}\n    account: tiktok\n'
    )
    ws = workspace(tmp_path / "ws", slides, head=BARE_HEAD)
    report = tmp_path / "report.md"
    result = run_cli(
        "apply",
        str(ws),
        "--auto-approve",
        "--report",
        str(report),
        env=cli_env(rev_b_server.url, 600),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    fix = "what to do: slideshow_remix needs a slideshow post: set source.tiktokVideoId to one"
    assert "quinn/content/slides: VALIDATION/NOT_A_SLIDESHOW: tiktokVideoId: is a video" in output
    assert fix in output
    written = report.read_text()
    assert "code `VALIDATION/NOT_A_SLIDESHOW`, HTTP 422" in written
    assert fix in written
    assert "Traceback" not in output


def test_rev_b_containers_are_approved_or_held_through_the_approval_steps(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", "")
    file = ws / "customers" / "quinn.yaml"
    file.write_text(file.read_text().replace("content:\n", ""))
    with local_emulator(tmp_path, extra=REV_B) as emu:
        converges(emu.env(), ws)
        api = Api(emu.url)
        pid = project_of(api, "quinn")
        review = api.http.patch(
            f"/v1/projects/{pid}/content-review-policy", json={"policy": "review_all"}
        )
        assert review.status_code == 200, review.text
        file.write_text(
            file.read_text()
            + "content:\n"
            + BUILDER
            + "    approve: true\n"
            + "  held:\n    format: slideshow_builder\n    brief: {hook: Review me.}\n"
        )
        result = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert result.returncode == 3, result.stdout + result.stderr  # waits on a person
        statuses = Counter((c["brief"]["hook"], c["approvalStatus"]) for c in api.containers(pid))
        assert statuses == {(BUILDER_HOOK, "approved"): 2, ("Review me.", "pending"): 1}
        api.close()


@pytest.mark.slow  # real processes in wall time; in-process by default: test_faults_inprocess.py
def test_lost_answers_on_rev_b_make_each_variant_once(tmp_path: Path) -> None:
    """The dangerous fault: the call is carried out and its answer lost. The client resends it
    under the same Idempotency-Key and gets the same container back."""
    ws = workspace(tmp_path / "ws", BUILDER + REMIXES)
    with emulator(tmp_path, extra=REV_B, fault_rate=0.3, fault_seed=11) as emu:
        result = run_cli_process("apply", str(ws), "--auto-approve", env=emu.env(), timeout=240)
        assert result.returncode == 0, result.stdout + result.stderr
        faults = emu.stats()["faults"]
        assert faults["lost_500"] + faults["lost_drop"] > 0, faults
    again = Emulator(db=emu.db, extra=REV_B).start()
    try:
        converges(again.env(), ws)
        api = Api(again.url)
        pid = project_of(api, "quinn")
        assert formats(api, pid) == {
            "slideshow-builder": 2,
            "slideshow-remix": 1,
            "video-remix": 1,
            "ugc-remix": 1,
        }
        assert api.get("/v1/credits")["usedThisPeriod"] == 2 * 50 + 50 + 120 + 120
        api.close()
    finally:
        again.stop()


class _LosesFirstAnswers(httpx.AsyncBaseTransport):
    """Carries out the first call under each Idempotency-Key of a generation route, then loses
    its answer (the connection drops after the work is done)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.keys: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/content/slideshow-builder"):
            key = request.headers["Idempotency-Key"]
            self.keys[key] += 1
            if self.keys[key] == 1:
                await answer.aread()
                raise httpx.RemoteProtocolError("connection dropped", request=request)
        return answer


async def test_a_lost_answer_is_sent_again_under_its_key_and_makes_no_second_container(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path / "ws", BUILDER)
    async with in_process(api_revision="b", speed=600) as ip:
        losing = _LosesFirstAnswers(ip.transport)
        ip.transport = losing
        report = await ip.apply(ws)
        assert [o.status for o in report.outcomes] == [CustomerStatus.CONVERGED], report.failed
        # two variants, two keys, each sent twice (the answer lost, then replayed)
        assert sorted(losing.keys.values()) == [2, 2]
        (project,) = await ip.projects("quinn")
        made = await ip.items(f"/v1/projects/{project['id']}/content")
        assert [c["format"] for c in made] == ["slideshow-builder"] * 2


def test_content_made_on_rev_a_stays_when_the_api_moves_to_rev_b(tmp_path: Path) -> None:
    """The same account, first served in Rev A, then in Rev B (one world, two wire formats):
    what Rev A made is not generated again, only because the routes changed."""
    ws = workspace(tmp_path / "ws", REMIXES)
    db = tmp_path / "world.sqlite3"
    first = LocalEmulator(db=db).start()
    try:
        converges(first.env(), ws)
    finally:
        first.stop()
    later = LocalEmulator(db=db, url=first.url, extra=REV_B).start()
    try:
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=later.env())
        assert again.returncode == 0, again.stdout + again.stderr
        assert "API revision B" in again.stdout
        api = Api(later.url)
        assert len(api.containers(project_of(api, "quinn"))) == 3
        api.close()
    finally:
        later.stop()


def test_a_builder_for_a_project_without_an_app_description_names_the_fix(
    rev_b_server: LocalEmulator, tmp_path: Path
) -> None:
    (tmp_path / "ws" / "customers").mkdir(parents=True)
    (tmp_path / "ws" / "layers.yaml").write_text("workspace: content-revisions\n")
    (tmp_path / "ws" / "customers" / "q.yaml").write_text(
        "customerExternalId: bare\nproject: {name: Bare Cafe}\ncontent:\n" + BUILDER
    )
    result = run_cli(
        "apply", str(tmp_path / "ws"), "--auto-approve", env=cli_env(rev_b_server.url, 600)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "set brand.appDescription (100–1000 characters), or ingest the customer's repo" in output
    assert "Traceback" not in output


def test_a_failed_variant_on_rev_b_is_replaced_alone(
    rev_b_server: LocalEmulator, tmp_path: Path
) -> None:
    ws = workspace(tmp_path / "ws", BUILDER + POSTED)
    env = cli_env(rev_b_server.url, 600)
    converges(env, ws)
    api = Api(rev_b_server.url)
    pid = project_of(api, "quinn")
    record = api.get(f"/v1/projects/{pid}")["metadata"]["layersReconcile"]["content"]["builder"]
    broken = record["variantIds"]["2"]
    store = rev_b_server.emulator.store
    doc = store.get("container", broken.removeprefix("cnt_"))  # the emulator keeps bare ids
    assert doc is not None
    store.put("container", {**doc, "status": "failed"})  # the generation failed
    shown = run_cli("plan", str(ws), env=env).stdout
    assert "quinn/content/builder/v2  run job" in shown
    assert "quinn/content/builder  run job" not in shown
    assert "schedule/tiktok" not in shown  # variant 1's post stands
    converges(env, ws)
    ids = {c["id"]: c["status"] for c in api.containers(pid)}
    assert sorted(ids.values()) == ["completed", "completed", "failed"]
    assert api.get("/v1/credits")["usedThisPeriod"] == 3 * 50
    api.close()


def test_more_or_fewer_variants_on_rev_b_keep_the_variants_already_made(
    rev_b_server: LocalEmulator, tmp_path: Path
) -> None:
    # Each Rev B variant is a call of its own: raising `variants:` makes only the new one (its
    # credits alone), lowering it makes nothing, and variant 1's queued post stays queued.
    ws = workspace(tmp_path / "ws", BUILDER + POSTED)
    env = cli_env(rev_b_server.url, 600)
    converges(env, ws)
    api = Api(rev_b_server.url)
    pid = project_of(api, "quinn")
    first = sorted(c["id"] for c in api.containers(pid))
    (post,) = api.posts(pid)
    file = ws / "customers" / "quinn.yaml"
    file.write_text(file.read_text().replace("variants: 2", "variants: 3"))
    shown = run_cli("plan", str(ws), env=env).stdout
    assert "quinn/content/builder/v3  run job" in shown
    assert "quinn/content/builder  run job" not in shown
    assert "cancel" not in shown
    assert "schedule/tiktok" not in shown  # variant 1's post is there: nothing to schedule
    converges(env, ws)
    made = sorted(c["id"] for c in api.containers(pid))
    assert len(made) == 3
    assert set(first) <= set(made)
    assert api.get("/v1/credits")["usedThisPeriod"] == 3 * 50
    file.write_text(file.read_text().replace("variants: 3", "variants: 1"))
    converges(env, ws)
    assert sorted(c["id"] for c in api.containers(pid)) == made
    assert api.get("/v1/credits")["usedThisPeriod"] == 3 * 50
    assert [(p["id"], p["status"]) for p in api.posts(pid)] == [(post["id"], "queued")]
    api.close()
