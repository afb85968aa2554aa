"""What a customer file says that one revision of the Layers API cannot take, at its line: ONE
rule for every kind of entry (project, approval, brand, influencer, schedule modes and content).

Two kinds: `UNSENDABLE` can never converge on that revision (a `managed` schedule on Rev A, an
influencer to create with no name on Rev A, `format: auto` on Rev B, a remix without its source
post), an error however the revision was chosen; `NOT_SENT` is a field the revision has no place
for or a value outside its limits (Rev B: `autoApproveAfter`, a project `name` outside 3–30
characters, a brief field its content routes do not take), an error when the run pins the
revision (`apiRevision` / `--api-revision`) and a plan warning when `auto` found it. Both kinds
read the same way: `file:line:col: what (why this revision)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from layers_reconcile.apirevision import ApiRevision, label
from layers_reconcile.config.generation import Speaker, generation_request
from layers_reconcile.config.models import CustomerSpec, InfluencerSpec
from layers_reconcile.config.source import Mark, SourceMap, YamlPath
from layers_reconcile.errors import ConfigError, ConfigIssue
from layers_reconcile.revb import BRAND_FIELDS_B, brand_problem_b, project_problem_b

UNSENDABLE = "error"
NOT_SENT = "revision"


class Loaded(Protocol):
    """What the checks need of `config.LoadedCustomer`."""

    @property
    def spec(self) -> CustomerSpec: ...

    @property
    def source(self) -> SourceMap: ...

    @property
    def path(self) -> Path: ...


@dataclass(frozen=True)
class Note:
    """One thing a revision cannot take: at its YAML path (its key when `at_key`)."""

    path: YamlPath
    message: str
    kind: str  # UNSENDABLE or NOT_SENT
    at_key: bool = False


@dataclass(frozen=True)
class Found:
    """A note placed in its file: `why` says how the revision was chosen."""

    loaded: Loaded
    mark: Mark
    note: Note

    def text(self, why: str) -> str:
        return f"{self.note.message} ({why})"


def revision_notes(spec: CustomerSpec, revision: ApiRevision) -> list[Note]:
    """Everything of one customer file `revision` cannot take: the table both entry kinds (the
    customer's sections, its content entries) go through."""
    return [*_section_notes(spec, revision), *_content_notes(spec, revision)]


def found_in(customers: Iterable[Loaded], revision: ApiRevision) -> Iterator[Found]:
    """Each customer's notes on `revision`, at their place in its files, in their order."""
    for loaded in customers:
        found = [
            Found(loaded, loaded.source.mark(note.path, key=note.at_key), note)
            for note in revision_notes(loaded.spec, revision)
        ]
        yield from sorted(found, key=lambda f: (f.mark.file, f.mark.line, f.mark.col))


def check_revision(
    customers: Iterable[Loaded], revision: ApiRevision, *, pinned_by: str | None
) -> dict[str, list[str]]:
    """The plan warnings of each customer (by customerExternalId) on `revision`, each as
    `file:line:col: message (…)`; ConfigError with every issue that is an error (all of them when
    the run pins the revision: `pinned_by` says where, e.g. `--api-revision b`)."""
    spoken = f"the API speaks Rev {label(revision)}"
    errors: list[ConfigIssue] = []
    warnings: dict[str, list[str]] = {}
    for found in found_in(customers, revision):
        mark = found.mark
        if pinned_by is not None or found.note.kind == UNSENDABLE:
            why = f"pinned by {pinned_by}" if pinned_by is not None else spoken
            errors.append(ConfigIssue(mark.file, mark.line, mark.col, found.text(why)))
        else:
            why = f"{spoken}; pin apiRevision to make this an error"
            issue = ConfigIssue(mark.file, mark.line, mark.col, found.text(why), "warning")
            warnings.setdefault(found.loaded.spec.customerExternalId, []).append(str(issue))
    if errors:
        raise ConfigError(errors)
    return warnings


def _section_notes(spec: CustomerSpec, revision: ApiRevision) -> Iterator[Note]:
    if revision == "b":
        yield from _sections_b(spec)
        return
    rev = f"Rev {label(revision)} of the Layers API"
    influencer = spec.influencer
    if isinstance(influencer, InfluencerSpec) and influencer.name is None and influencer.id is None:
        yield Note(
            ("influencer",),
            f"influencer: {rev} creates an influencer by its name: add `name:` (or `id:` to adopt "
            "one); only Rev B names influencers itself",
            UNSENDABLE,
        )
    for key, content in (spec.content or {}).items():
        for index, entry in enumerate(content.schedule):
            if entry.mode == "managed":
                yield Note(
                    ("content", key, "schedule", index, "mode"),
                    "mode 'managed' exists only in Rev B of the Layers API: use "
                    f"{'direct_publish' if entry.account == 'tiktok' else 'reels'} or "
                    "draft_to_device, or pin apiRevision: b against a Rev B API",
                    UNSENDABLE,
                )


def _sections_b(spec: CustomerSpec) -> Iterator[Note]:
    approval = spec.approval
    if approval is not None and approval.autoApproveAfter is not None:
        yield Note(
            ("approval", "autoApproveAfter"),
            "approval.autoApproveAfter has no equivalent in Rev B of the Layers API: its review "
            "policy approves automatically, the first N items, or none, never after a delay; "
            "remove it",
            NOT_SENT,
        )
    for field, value in spec.project.model_dump(exclude_unset=True).items():
        problem = project_problem_b(field, value)
        if problem is not None:
            yield Note(
                ("project", field),
                f"project.{field} {problem}: the project's create or update would be refused; "
                "change it",
                NOT_SENT,
            )
    brand = spec.brand.model_dump(exclude_unset=True) if spec.brand is not None else {}
    for field, value in brand.items():
        problem = brand_problem_b(field, value)
        if problem is not None:
            # a Rev B field whose value does not fit can be changed to one that does
            fix = "change it to fit, or remove it" if field in BRAND_FIELDS_B else "remove it"
            yield Note(
                ("brand", field), f"brand.{field} {problem}: it is not sent; {fix}", NOT_SENT
            )


def _content_notes(spec: CustomerSpec, revision: ApiRevision) -> Iterator[Note]:
    """What each content entry's generation request on `revision` cannot carry out (problems) or
    does not take (dropped), at the entry's key: `config.generation` decides, for plan, apply and
    this check alike. Ids do not matter here: what is taken does not depend on them."""
    speaker = Speaker(influencer=spec.influencer is not None)
    for key, entry in sorted((spec.content or {}).items()):
        request = generation_request(key, entry, revision, speaker)
        for note in request.problems:
            yield Note(note.path, note.message, UNSENDABLE, at_key=True)
        for note in request.dropped:
            yield Note(note.path, note.message, NOT_SENT, at_key=True)
