"""What a customer file says that one revision of the Layers API cannot take, at its line.

Two kinds: `UNSENDABLE` can never converge on that revision (a `managed` schedule on Rev A has no
Rev A mode, an influencer to create with no name), an error however the revision was chosen; `NOT_SENT` is a field the revision has no
place for or a value outside its limits (Rev B: `autoApproveAfter`, a project `name` outside
3–30 characters), an error when the workspace pins the revision (`apiRevision` / `--api-revision`)
and a warning in the plan when `auto` found it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from layers_reconcile.apirevision import ApiRevision, label
from layers_reconcile.config.models import CustomerSpec, InfluencerSpec
from layers_reconcile.config.source import Mark, SourceMap, YamlPath
from layers_reconcile.errors import ConfigError, ConfigIssue
from layers_reconcile.revb import brand_problem_b, project_problem_b

UNSENDABLE = "error"
NOT_SENT = "revision"

_At = Callable[[YamlPath, str, str], ConfigIssue]


class Loaded(Protocol):
    """What the checks need of `config.LoadedCustomer`."""

    @property
    def spec(self) -> CustomerSpec: ...

    @property
    def source(self) -> SourceMap: ...

    @property
    def path(self) -> Path: ...


def unsupported_fields(
    spec: CustomerSpec, source: SourceMap | None, file: str, revision: ApiRevision
) -> list[ConfigIssue]:
    """Every field of one customer file `revision` cannot take, each at its line."""

    def at(path: YamlPath, message: str, severity: str) -> ConfigIssue:
        mark = source.mark(path) if source is not None else Mark(file, 1, 1)
        return ConfigIssue(mark.file, mark.line, mark.col, message, severity)

    return list(_issues(spec, revision, at))


def _issues(spec: CustomerSpec, revision: ApiRevision, at: _At) -> Iterable[ConfigIssue]:
    rev = f"Rev {label(revision)} of the Layers API"
    if revision == "b":
        approval = spec.approval
        if approval is not None and approval.autoApproveAfter is not None:
            yield at(
                ("approval", "autoApproveAfter"),
                f"approval.autoApproveAfter has no equivalent in {rev}: its review policy "
                "approves automatically, the first N items, or none, never after a delay; "
                "it is not sent (remove it, or pin apiRevision: a)",
                NOT_SENT,
            )
        for field, value in spec.project.model_dump(exclude_unset=True).items():
            problem = project_problem_b(field, value)
            if problem is not None:
                yield at(
                    ("project", field),
                    f"project.{field} {problem}: the project's create or update would be "
                    "refused (change it)",
                    NOT_SENT,
                )
        brand = spec.brand.model_dump(exclude_unset=True) if spec.brand is not None else {}
        for field, value in brand.items():
            problem = brand_problem_b(field, value)
            if problem is not None:
                yield at(
                    ("brand", field),
                    f"brand.{field} {problem}; it is not sent (remove it, or pin apiRevision: a)",
                    NOT_SENT,
                )
        return
    influencer = spec.influencer
    if isinstance(influencer, InfluencerSpec) and influencer.name is None and influencer.id is None:
        yield at(
            ("influencer",),
            f"influencer: {rev} creates an influencer by its name: add `name:` (or `id:` to adopt "
            "one); only Rev B names influencers itself",
            UNSENDABLE,
        )
    for key, content in (spec.content or {}).items():
        for index, entry in enumerate(content.schedule):
            if entry.mode == "managed":
                yield at(
                    ("content", key, "schedule", index, "mode"),
                    f"mode 'managed' exists only in Rev B of the Layers API, not in the {rev} "
                    "this run speaks: use "
                    f"{'direct_publish' if entry.account == 'tiktok' else 'reels'} or "
                    "draft_to_device (or pin apiRevision: b against a Rev B API)",
                    UNSENDABLE,
                )


def check_revision(
    customers: Iterable[Loaded], revision: ApiRevision, *, pinned: bool
) -> dict[str, list[str]]:
    """The warnings of each customer (by customerExternalId) on `revision`; ConfigError with
    every issue that is an error (all of them when the revision is `pinned`)."""
    errors: list[ConfigIssue] = []
    warnings: dict[str, list[str]] = {}
    for loaded in customers:
        file = str(loaded.path)
        for issue in unsupported_fields(loaded.spec, loaded.source, file, revision):
            if pinned or issue.severity == UNSENDABLE:
                errors.append(replace(issue, severity="error"))
            else:
                warnings.setdefault(loaded.spec.customerExternalId, []).append(str(issue))
    if errors:
        raise ConfigError(errors)
    return warnings
