"""The Plan value: what apply would do, per customer, in dependency order.

A Plan is pure data. It serialises to the versioned JSON document of PRODUCT.md §5 (camelCase
keys, `formatVersion`) and back, so a saved plan file can be reviewed and applied later. It never
holds the API key.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FieldSerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    computed_field,
    field_serializer,
    field_validator,
    model_serializer,
)
from pydantic.alias_generators import to_camel

from layers_reconcile.apirevision import ApiRevision
from layers_reconcile.plan.targets import (
    TARGETS,
    BaseTarget,
    StepTarget,
    TransferTarget,
)
from layers_reconcile.plan.targets import StepKind as StepKind  # where the kinds are read

FORMAT_VERSION = 3
# A saved plan is read like a workspace file (a regular file, at most this big) and at most this
# deep: a plan of thousands of customers is some MB; values from the API nest at most 128 deep.
MAX_PLAN_BYTES = 64 * 1024 * 1024
MAX_PLAN_DEPTH = 256
KNOWN_AFTER_APPLY = "(known after apply)"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ADOPT = "adopt"
    ARCHIVE = "archive"
    RUN_JOB = "run_job"
    REGISTER = "register"
    SELECT = "select"
    APPROVE = "approve"
    SCHEDULE = "schedule"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    WAIT_ON_PERSON = "wait_on_person"
    MIGRATE = "migrate"
    SUSPEND = "suspend"
    RESUME = "resume"
    ALLOCATE = "allocate"


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Change(_Model):
    """One managed field: before → after. `*_unknown` marks a value known only after apply."""

    field: str
    before: Any = None
    after: Any = None
    before_unknown: bool = False
    after_unknown: bool = False


class JobEstimate(_Model):
    kind: str  # project_ingest_github | content_generate | content_regenerate | influencer_create
    expected_seconds_min: float
    expected_seconds_max: float
    credits: int = 0

    @property
    def expected_seconds(self) -> float:
        return (self.expected_seconds_min + self.expected_seconds_max) / 2


# A child organization suspended by hand (Rev B, a kill switch on the parent key too): a person
# resumes it; no link to open.
RESUME_BY_HAND = "organization_resume"
# The gates a person finishes where the API sends them (a link apply makes, or one outstanding).
LINKED_GATES = frozenset({"github_install", "social_oauth"})


class PersonGate(_Model):
    """A step that only a person can finish: a GitHub install, an OAuth consent, an approval,
    a child organization to resume."""

    kind: str  # github_install | social_oauth | content_approval | organization_resume
    url: str | None = None  # None until apply creates it (known after apply)
    message: str
    # When `url` stops working (ISO instant, as the API gave it); a link still valid is reused.
    # With no url: when the last link expired (None: no link was ever made).
    expires_at: str | None = None


class Step(_Model):
    address: str  # e.g. quinn-coffee-001/content/launch-hook/schedule/tiktok
    kind: StepKind
    action: Action
    changes: list[Change] = Field(default_factory=list)
    job: JobEstimate | None = None
    person: PersonGate | None = None
    reason: str | None = None  # one line: why this step is needed
    warnings: list[str] = Field(default_factory=list)
    # What the step acts on: the target model of its kind (`plan.targets`), chosen by `kind`.
    target: StepTarget

    @field_validator("target", mode="plain")
    @classmethod
    def _of_its_kind(cls, value: Any, info: ValidationInfo) -> Any:
        """The target is read as the model of the step's kind: a saved target of another kind
        is refused key by key (an unknown key, a missing one), a built one by its type."""
        kind = info.data.get("kind")
        if kind is None:  # the kind itself is refused
            return value
        model = TARGETS[kind]
        if isinstance(value, BaseTarget):
            if not isinstance(value, model):
                raise ValueError(f"a {value.KIND} target on a {kind} step")
            return value
        return model.model_validate(value)

    @field_serializer("target")
    def _target(self, target: StepTarget, info: FieldSerializationInfo) -> dict[str, Any]:
        # Written by the target's own model (the union's serializer would try each in turn).
        return target.model_dump(mode=info.mode)


class Conflict(_Model):
    """A project this customer's file found, stamped by another workspace: never a step. Also a
    child organization the tool must not act beside (`plan.diff_org.organization_conflict`)."""

    workspace: str  # the workspace whose stamp is on the project
    project_id: str
    message: str
    # What apply's refusal tells to do (None: the usual --take-over advice).
    recovery: str | None = None


class NotPlanned(_Model):
    """A customer whose actual state could not be read (after every retry): no steps; apply
    leaves it alone and the run exits 1, while the other customers are planned as usual."""

    message: str
    status: int | None = None
    code: str | None = None
    request_id: str | None = None
    # What the attempts of the failed read met, e.g. "6 attempts: 3 × 429, 2 × 500, …".
    attempts: str | None = None
    advice: str

    def text(self) -> str:
        """One line: what failed, what the attempts met, what to do."""
        tried = f" after {self.attempts}" if self.attempts else ""
        return f"not planned: {self.message}{tried}. {self.advice}"


class Orphan(_Model):
    """A project stamped by this workspace that no customer file names any more."""

    customer_external_id: str
    project_id: str
    name: str | None = None
    # When an apply of this workspace last wrote the project's record (None: before 0.x kept it).
    last_applied_at: str | None = None
    # This plan archives it (--prune, within the cap of one run).
    archived: bool = False
    # A child organization (Rev B) rather than a flat project: its id (then also `project_id`).
    organization_id: str | None = None


class CustomerPlan(_Model):
    customer_external_id: str
    project_id: str | None
    file: str | None = None
    # The customer's child organization (Rev B), when it exists: its project lives inside it.
    # Left out of the JSON when None.
    organization_id: str | None = None
    # The customer's archived children (ids) the plan read: the keys of a new child and of
    # what is made inside it derive from them (`ids.child_scope`). Left out of the JSON when None.
    archived_organization_ids: list[str] | None = None
    # The project's time zone (file, else API): times are shown in it beside UTC.
    timezone: str | None = None
    steps: list[Step] = Field(default_factory=list)
    # Set when another workspace stamped the project: apply refuses this customer.
    conflict: Conflict | None = None
    # Set when its actual state could not be read: no steps, apply skips it (exit 1).
    not_planned: NotPlanned | None = None
    desired_fingerprint: str = ""
    # Fingerprint of the actual state each address was planned from (stale-plan refusal).
    actual_fingerprints: dict[str, str] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    # Differences in fields the file's `ignore:` names: shown, never applied (field: the whole
    # path, before: Layers, after: the file). Left out of the JSON when empty.
    ignored: list[Change] = Field(default_factory=list)

    @property
    def expected_seconds(self) -> float:
        """Jobs of one stage run side by side; the stages of one customer run one after another."""
        per_stage: dict[StepKind, float] = {}
        for s in self.steps:
            if s.job:
                per_stage[s.kind] = max(per_stage.get(s.kind, 0.0), s.job.expected_seconds)
        return sum(per_stage.values())


class Summary(_Model):
    customers: int
    # Steps apply would carry out (every step but a wait on a person).
    changes: int
    jobs: int
    credits: int
    # Steps only a person can finish: a consent, an install, an approval.
    waits_on_people: int
    # Projects stamped by this workspace without a file (archived only with --prune).
    orphans: int
    # Customers whose project another workspace stamped: apply refuses them.
    conflicts: int
    # Customers whose actual state could not be read: not planned, not applied.
    not_planned: int
    expected_seconds: float
    # Credits moved from the parent to child organizations (transfers), apart from `credits`
    # (what generations spend). Left out of the document when nothing moves.
    transfers: int = 0
    transfer_credits: int = 0

    @model_serializer(mode="wrap")
    def _moves_only_when_any(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.transfers:
            for key in ("transfers", "transferCredits", "transfer_credits"):
                data.pop(key, None)
        return data


class Plan(_Model):
    format_version: int = FORMAT_VERSION
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    workspace: str | None = None
    # The folder (or file) the plan was made from, as given on the command line.
    workspace_root: str | None = None
    api_url: str | None = None
    # The API revision it was made against (`apirevision`): apply refuses it against the other.
    # None (left out of the document): not known, a plan of a version before revisions.
    api_revision: ApiRevision | None = None
    # Customers apply converges at once; shapes the expected time to converge.
    parallelism: int = 8
    customers: list[CustomerPlan] = Field(default_factory=list)
    # None: orphans were not looked for (a filtered plan); else every one found.
    orphans: list[Orphan] | None = None
    # The workspace this plan takes projects over from (--take-over); apply of the saved plan too.
    take_over: str | None = None
    warnings: list[str] = Field(default_factory=list)
    # Where the plan came from (left out of the document when unknown): the tool's version, the
    # git commit of the workspace, and for an incremental plan the ref it was compared with.
    tool_version: str | None = None
    commit: str | None = None
    changed_since: str | None = None
    skipped_customers: int | None = None  # customers left out as unchanged since `changed_since`
    shard: str | None = None  # "I/N": this plan covers one shard of the workspace
    # layers.yaml changed since `changed_since`: every customer is planned (True, else left out).
    settings_changed: bool | None = None
    # `plan --max-credits N`: the limit this plan was checked against (left out when not given).
    max_credits: int | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> Summary:
        steps = [s for c in self.customers for s in c.steps]
        return Summary(
            customers=len(self.customers),
            changes=sum(1 for s in steps if s.action is not Action.WAIT_ON_PERSON),
            jobs=sum(1 for s in steps if s.job),
            credits=sum(s.job.credits for s in steps if s.job),
            waits_on_people=sum(1 for s in steps if s.person),
            orphans=len(self.orphans or []),
            conflicts=len(self.conflicts),
            not_planned=len(self.not_planned),
            expected_seconds=_makespan(
                [c.expected_seconds for c in self.customers], max(1, self.parallelism)
            ),
            transfers=sum(1 for s in steps if s.kind is StepKind.TRANSFER),
            transfer_credits=sum(moved(s) for s in steps),
        )

    @property
    def conflicts(self) -> list[CustomerPlan]:
        return [c for c in self.customers if c.conflict is not None]

    def credits_by_customer(self) -> list[tuple[str, int]]:
        """(customerExternalId, credits) of each customer whose steps spend any, most first."""
        spent = [
            (
                c.customer_external_id,
                sum((s.job.credits if s.job else 0) + moved(s) for s in c.steps),
            )
            for c in self.customers
        ]
        return sorted(((e, n) for e, n in spent if n), key=lambda p: (-p[1], p[0]))

    @property
    def held_back_orphans(self) -> list[Orphan]:
        """The orphans a `--prune` plan leaves to later runs: its cap (`--max-archives`, at least
        1) archives the others. A plan without `--prune` archives none and holds none back."""
        orphans = self.orphans or []
        if not any(o.archived for o in orphans):
            return []
        return [o for o in orphans if not o.archived]

    @property
    def not_planned(self) -> list[CustomerPlan]:
        return [c for c in self.customers if c.not_planned is not None]

    @property
    def over_credits(self) -> bool:
        """Applying would spend (generations) and move (transfers) more than `max_credits`."""
        if self.max_credits is None:
            return False
        summary = self.summary
        return summary.credits + summary.transfer_credits > self.max_credits

    def to_document(self) -> dict[str, Any]:
        """The versioned JSON document (PRODUCT.md §5)."""
        doc: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        doc["conflicts"] = [
            {
                "customerExternalId": c.customer_external_id,
                "file": c.file,
                "projectId": c.conflict.project_id,
                "workspace": c.conflict.workspace,
                "message": c.conflict.message,
            }
            for c in self.customers
            if c.conflict is not None
        ]
        doc["notPlanned"] = [
            {"customerExternalId": c.customer_external_id, "file": c.file}
            | c.not_planned.model_dump(mode="json", by_alias=True)
            for c in self.customers
            if c.not_planned is not None
        ]
        for key in _OPTIONAL_KEYS:
            if doc.get(key) is None:
                doc.pop(key, None)
        for orphan in doc.get("orphans") or []:
            if orphan.get("organizationId") is None:
                orphan.pop("organizationId", None)
        for customer in doc["customers"]:
            if not customer.get("ignored"):
                customer.pop("ignored", None)
            if customer.get("organizationId") is None:
                customer.pop("organizationId", None)
            if not customer.get("archivedOrganizationIds"):
                customer.pop("archivedOrganizationIds", None)
        return doc

    def customer(self, customer_external_id: str) -> CustomerPlan | None:
        for c in self.customers:
            if c.customer_external_id == customer_external_id:
                return c
        return None

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Plan:
        if doc.get("formatVersion") != FORMAT_VERSION:
            raise ValueError(
                f"plan formatVersion {doc.get('formatVersion')!r} is not {FORMAT_VERSION}; "
                "make the plan again with this version of layers-reconcile"
            )
        if _deeper_than(doc, MAX_PLAN_DEPTH):
            raise ValueError(
                f"not a plan file (nested over {MAX_PLAN_DEPTH} levels deep; `plan --out` never "
                "writes that) — make the plan again with `plan --out`"
            )
        data = {k: v for k, v in doc.items() if k not in ("summary", "conflicts", "notPlanned")}
        try:
            plan = cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(_problem(doc, e["loc"], e["msg"]) for e in exc.errors()[:3])
            raise ValueError(
                f"not a plan this version wrote ({problems}) — make the plan again with `plan --out`"
            ) from None
        repeated = _repeated(plan)
        if repeated:
            raise ValueError(
                f"not a plan `plan --out` wrote: {repeated} — make the plan again with `plan --out`"
            )
        return plan


def moved(step: Step) -> int:
    """Credits a step moves from the parent to a child organization (0: none)."""
    if isinstance(step.target, TransferTarget) and step.action is Action.ALLOCATE:
        return step.target.credits
    return 0


_INSTANCE_OF = re.compile(r"a valid dictionary or instance of \w+")


def _problem(doc: dict[str, Any], loc: tuple[int | str, ...], msg: str) -> str:
    """One refusal of a saved plan at its path; in a step's target, the kind of the step (its
    target is that kind's model, `plan.targets`). Pydantic names the model a value should be
    an instance of (`ApprovalTarget`): the file only has objects."""
    msg = _INSTANCE_OF.sub("an object", msg)
    said = f"{'.'.join(str(p) for p in loc)}: {msg}"
    if "target" not in loc:
        return said
    step: Any = doc
    for part in loc[: loc.index("target")]:
        if isinstance(step, list) and isinstance(part, int) and 0 <= part < len(step):
            step = step[part]
        else:
            step = step.get(part) if isinstance(step, dict) else None
    kind = step.get("kind") if isinstance(step, dict) else None
    if not isinstance(kind, str):
        return said
    article = "an" if kind[:1] in ("a", "e", "i", "o", "u") else "a"
    return f"{said} in the target of {article} {kind} step"


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` nests lists/mappings deeper than `limit` (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            pending.extend(
                (child, depth + 1) for child in children if isinstance(child, dict | list)
            )
    return False


def _repeated(plan: Plan) -> str | None:
    """What a plan holds twice (a customer, or a step's address), said; None when nothing.
    Applying a copy twice would refuse it copy by copy, or act twice."""
    customers: set[str] = set()
    addresses: set[str] = set()
    for customer in plan.customers:
        if customer.customer_external_id in customers:
            return f"customer {customer.customer_external_id!r} is in it twice"
        customers.add(customer.customer_external_id)
        for step in customer.steps:
            if step.address in addresses:
                return f"step {step.address!r} is in it twice"
            addresses.add(step.address)
    return None


_OPTIONAL_KEYS = (
    "apiRevision",
    "toolVersion",
    "commit",
    "changedSince",
    "skippedCustomers",
    "shard",
    "settingsChanged",
    "maxCredits",
)


def _makespan(durations: list[float], workers: int) -> float:
    """Longest-first greedy schedule of customers over `workers` slots: a fair converge estimate."""
    slots = [0.0] * min(workers, max(1, len(durations)))
    for d in sorted((d for d in durations if d > 0), reverse=True):
        i = slots.index(min(slots))
        slots[i] += d
    return max(slots, default=0.0)
