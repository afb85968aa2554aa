"""What to do about an error: the advice plan, apply and the CLI show, written once.

Pure text, no I/O. By the API's error code (and the details that came with it, as text):
`recovery_for` (apply's report of a failed step), `ingest_fix` (plan, beside the rerun of an
ingest that failed last time: apply recorded the job's code alone). By the kind of failure that
stopped a command: `CHECK_KEY`, `SLOW_DOWN`, `API_SIDE`, `CHECK_REACH`, `missing_scope` (the CLI's
error line and apply's report say the same). Which of them a failed API call gets is decided once,
in `layers_reconcile.advice`.
"""

from __future__ import annotations

from collections.abc import Sequence

# What fixes a failed GitHub ingest. Apply adds THEN_APPLY; plan adds "or it fails again".
WRONG_INSTALLATION = (
    "the GitHub installation registered for this project does not cover the repo's org: "
    "re-register the installation of that org (set github.installationId to it, or remove "
    "installationId to get an install URL)"
)
REPO_NOT_COVERED = (
    "the repo is private and the installation does not cover it: ask the customer to grant the "
    "Layers GitHub App access to {repo} in GitHub"
)
NO_PLATFORM = "no supported platform was found: set github.platforms to the repo's stack"
THEN_APPLY = ", then apply again"

REINSTALL = WRONG_INSTALLATION + THEN_APPLY
GRANT_REPO = REPO_NOT_COVERED + THEN_APPLY
SET_PLATFORMS = NO_PLATFORM + THEN_APPLY
UNKNOWN_INSTALLATION = (
    "check github.installationId: the installation does not exist or was uninstalled; remove "
    "it to get an install URL"
)

# A failure that stops a command (or a step): the same advice wherever it is shown.
CHECK_KEY = (
    "check that LAYERS_API_KEY (or --api-key) is a live key for this API URL and has the scopes "
    "this command needs"
)
SLOW_DOWN = "lower --parallelism or try again later"
API_SIDE = (
    "this is on the API's side; run the command again later, it is safe to repeat (quote the "
    "requestId if it persists)"
)
FLAKY = (
    "the API kept failing this request (errors or lost answers, not only 429s); run the command "
    "again later, it is safe to repeat (quote the requestId if it persists)"
)
NEWER_API = (
    "the API sent a status this version of layers-reconcile does not know: upgrade "
    "layers-reconcile (nothing is done for this customer until then)"
)
CHECK_REACH = (
    "check --api-url / LAYERS_API_URL / apiUrl in layers.yaml and the network, then run the "
    "command again (it is safe to repeat)"
)
UNEXPECTED = (
    "nothing is done on such an answer; check that --api-url / apiUrl points at the Layers API "
    "(quote the requestId if it does)"
)

_INGEST_FIXES = {
    "installation_not_found": WRONG_INSTALLATION,
    "PLATFORM_ERROR": WRONG_INSTALLATION,
    "VALIDATION": REPO_NOT_COVERED,  # an ingest refused as invalid: the repo is out of reach
    "SDK_PATCH_GENERATION_FAILED": NO_PLATFORM,
}


def ingest_fix(code: str | None, *, repo: str | None = None) -> str | None:
    """Plan: what fixes an ingest that failed with `code` last time, before it runs again."""
    fix = _INGEST_FIXES.get(str(code))
    return None if fix is None else fix.format(repo=repo or "the repo") + ", or it fails again"


def recovery_for(code: str | None, blob: str, *, repo: str | None = None) -> str | None:
    """Apply: the guide's recovery for an error code (and whatever details came with it)."""
    if "installation_not_found" in blob or code == "installation_not_found":
        return REINSTALL
    if code == "SDK_PATCH_GENERATION_FAILED" or "SDK_PATCH_GENERATION_FAILED" in blob:
        return SET_PLATFORMS
    if (code == "VALIDATION" or "VALIDATION" in blob) and "repoFullName" in blob:
        return GRANT_REPO.format(repo=repo or "the repo")
    if (code == "VALIDATION" or "VALIDATION" in blob) and "installationId" in blob:
        return UNKNOWN_INSTALLATION
    if code == "PLATFORM_ERROR":
        return REINSTALL
    if code == "RETURN_URL_NOT_ALLOWED":
        return (
            "add the returnUrl's host to the API key's allowed return domains, or change returnUrl"
        )
    if code == "APPROVAL_REQUIRED":
        return "approve the content (or set approve: true on it), then apply again"
    if code == "CONTENT_REJECTED":
        return "the content was rejected: change its brief to regenerate it"
    if code in ("UNAUTHENTICATED", "FORBIDDEN_SCOPE"):
        return CHECK_KEY
    if code == "IDEMPOTENCY_CONFLICT":
        return "another run sent a different request under the same key; apply again"
    if code == "BILLING_EXHAUSTED":
        return (
            "not enough credits: a transfer to a child organization needs them in the parent's "
            "balance, a generation in its organization's available credits; add credits, then "
            "apply again (nothing was moved)"
        )
    if "MISSING_APP_DEMO" in blob:
        return (
            "ugc_remix needs an app-demo media in the project: ingest the customer's repo "
            "(`github:`), upload one in Layers, or name one with `media:`; then apply again"
        )
    if "MISSING_APP_DESCRIPTION" in blob:
        return (
            "slideshow_builder writes from the project's app description: set "
            "brand.appDescription (100–1000 characters), or ingest the customer's repo "
            "(`github:`); then apply again"
        )
    if code == "NOT_A_SLIDESHOW":
        return (
            "slideshow_remix needs a slideshow post: set source.tiktokVideoId to one (the API's "
            "source-recommendations with kind=slideshow lists them), or use format: video_remix "
            "(it takes either); then apply again"
        )
    if code == "KILL_SWITCH":
        return (
            "the API key or its organization is suspended: a child organization of yours is "
            "resumed by `organization: {suspended: false}` in its customer file, anything else "
            "by Layers (contact them)"
        )
    return None


def missing_scope(scopes: Sequence[str], command: str | None, where: str = "") -> str:
    """A 403 FORBIDDEN_SCOPE: the scope the key lacks and the command that needs it (`where`:
    the request and its requestId, when known)."""
    what = f"the scope {' or '.join(scopes)}" if scopes else "a scope"
    who = f"`layers-reconcile {command}`" if command else "this command"
    org = f"; {ORG_ADMIN}" if ORG_ADMIN_SCOPE in scopes or "/v1/organizations" in where else ""
    return (
        f"the API key lacks {what} that {who} needs{where}; use a key with that scope "
        f"(the README lists the scopes each command needs){org}"
    )


ORG_ADMIN_SCOPE = "org:admin"
# Customers in child organizations (Rev B): every organization call needs it, reads included.
ORG_ADMIN = (
    "org:admin has no read-only form, so `plan` of customers in child organizations needs it "
    "too; it is never granted by default: ask your Layers contact for it"
)


def sentence(advice: str) -> str:
    """Advice as a sentence of its own: capital first letter, full stop."""
    return advice[:1].upper() + advice[1:] + "."
