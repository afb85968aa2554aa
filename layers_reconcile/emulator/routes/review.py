"""Rev B content review: `/content-review-policy`, and approve/reject as Rev B answers them.

The policy is the project's approval fields seen through Rev B's vocabulary (CONTRACT-revb.md
§6.3): `auto_approve` = no approval required, `review_all` = every item, `review_first_n` N =
the first N. Rev B has no auto-approve timer: setting a policy clears Rev A's `autoApproveAfter`.
"""

from __future__ import annotations

from layers_reconcile.emulator import containers, lookups
from layers_reconcile.emulator.common import JSON, iso, pid
from layers_reconcile.emulator.http import Reply, conflict, invalid
from layers_reconcile.emulator.pipeline import Ctx, RouteSpec
from layers_reconcile.emulator.requests.content import Approve, RejectB
from layers_reconcile.emulator.requests.projects import ReviewPolicy
from layers_reconcile.emulator.resources import blocked_count
from layers_reconcile.emulator.routes.content import mark_rejected


def policy_of(project: JSON) -> tuple[str, int | None]:
    if not project["requiresApproval"]:
        return "auto_approve", None
    first_n = project["firstNPostsBlocked"]
    return ("review_first_n", int(first_n)) if first_n else ("review_all", None)


def _view(ctx: Ctx, project: JSON) -> JSON:
    policy, first_n = policy_of(project)
    view: JSON = {"projectId": project["id"], "policy": policy}
    if first_n is not None:
        view["firstN"] = first_n
    view["pendingCount"] = blocked_count(ctx.emu.store, project["id"])
    if project["policyUpdatedAt"]:
        view["updatedAt"] = project["policyUpdatedAt"]
    return view


def get_policy(ctx: Ctx) -> Reply:
    project = lookups.project(ctx.emu, ctx.params["projectId"], param="projectId")
    return Reply(200, _view(ctx, project))


def patch_policy(ctx: Ctx) -> Reply:
    emu = ctx.emu
    project = lookups.project(emu, ctx.params["projectId"], param="projectId")
    body = ctx.body_as(ReviewPolicy)
    project.update(
        requiresApproval=body.policy != "auto_approve",
        firstNPostsBlocked=body.firstN,
        autoApproveAfter=None,
        policyUpdatedAt=iso(ctx.now),
        updatedAt=iso(ctx.now),
    )
    emu.store.put("project", project)
    return Reply(200, _view(ctx, project))


def approve(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "container", ctx.params["containerId"], "containerId")
    note = ctx.body_as(Approve).note
    if doc["approvalStatus"] != "pending":
        raise conflict(
            f"only pending content can be approved (it is {doc['approvalStatus']})",
            containerId=pid("cnt", doc["id"]),
            approvalStatus=doc["approvalStatus"],
        )
    return Reply(200, containers.approve(ctx.emu, doc, ctx.key.id, note, ctx.now))


def reject(ctx: Ctx) -> Reply:
    doc = lookups.find(ctx.emu, "container", ctx.params["containerId"], "containerId")
    reason = ctx.body_as(RejectB).reason
    if doc["approvalStatus"] != "pending":
        raise conflict(
            f"only pending content can be rejected (it is {doc['approvalStatus']})",
            containerId=pid("cnt", doc["id"]),
            approvalStatus=doc["approvalStatus"],
        )
    if doc["status"] != "completed":
        raise invalid("", f"only completed content can be rejected (it is {doc['status']})")
    return Reply(200, mark_rejected(ctx, doc, reason))


def routes() -> list[RouteSpec]:
    b = ("b",)
    path = "/v1/projects/{projectId}/content-review-policy"
    return [
        RouteSpec("GET", path, get_policy, ("content:read",), revisions=b),
        RouteSpec(
            "PATCH",
            path,
            patch_policy,
            ("content:approve",),
            body=ReviewPolicy,
            revisions=b,
        ),
        RouteSpec(
            "POST",
            "/v1/content/{containerId}/approve",
            approve,
            ("content:approve",),
            body=Approve,
            revisions=b,
        ),
        RouteSpec(
            "POST",
            "/v1/content/{containerId}/reject",
            reject,
            ("content:approve",),
            body=RejectB,
            revisions=b,
        ),
    ]
