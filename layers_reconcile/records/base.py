"""The base of every wire record: `Model`, the lenient field types and the validators they use.

A field read defensively (`Text`, `Strings`, `Number`, `Object`) reads anything of the wrong type
as absent, as the readers did before the records were parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Required

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, with_config
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from layers_reconcile.statuses import UNKNOWN

Str = Annotated[str, Strict()]
Int = Annotated[int, Strict()]
JsonObject = dict[str, Any]

_OPEN = ConfigDict(extra="allow")


@with_config(_OPEN)
class AnyObject(TypedDict, total=False):
    """Any JSON object (a list item not checked further)."""


# -- parsed records: frozen models, one canonical name per field --------------------------------
#
# Each is built once, by the client, from the answer as the API spells it: old and new spellings
# of one field (Rev A `influencerId`, Rev B `id`) are resolved here and nowhere else, so readers
# see one attribute. Fields the reconciler does not read are kept (`extra="allow"`) but not
# declared; ids are opaque strings. A field read defensively (`Text`, `Strings`, `Number`) reads
# anything of the wrong type as absent, as the readers did before the records were parsed.


def text_or_none(value: Any) -> Any:
    return value if isinstance(value, str) and value else None


def strings_only(value: Any) -> Any:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def number_or_none(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def object_or_none(value: Any) -> Any:
    return value if isinstance(value, dict) else None


Text = Annotated[str | None, BeforeValidator(text_or_none)]


def _format_name(value: Any) -> Any:
    # Rev B spells formats with hyphens (`slideshow-builder`), Rev A and the file with `_`.
    value = text_or_none(value)
    return value.replace("-", "_") if isinstance(value, str) else value


# A content format, as the file and Rev A spell it (`video_remix`), whichever revision sent it.
Format = Annotated[str | None, BeforeValidator(_format_name)]
Strings = Annotated[tuple[str, ...], BeforeValidator(strings_only)]
Number = Annotated[float | None, BeforeValidator(number_or_none)]
# A count as sent (an int stays an int, so it is written back as it came).
Amount = Annotated[int | float | None, BeforeValidator(number_or_none)]


class Model(BaseModel):
    """A parsed answer: frozen, read by attribute; unknown fields are kept, not checked.

    A status field (`Status`) has a twin `<name>_sent`: the value as the API sent it, for
    messages (the field itself reads a value its vocabulary lacks as "unknown")."""

    model_config = ConfigDict(
        frozen=True, extra="allow", alias_generator=to_camel, populate_by_name=True
    )
    # (status field, its twin, its name in the answer), filled per class below.
    _statuses: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = cls.model_fields
        cls._statuses = tuple(
            (name[: -len("_sent")], name, fields[name[: -len("_sent")]].alias or name)
            for name in fields
            if name.endswith("_sent") and name[: -len("_sent")] in fields
        )

    def raw(self) -> JsonObject:
        """The answer as JSON again (by the API's names), for a record or a message; an unknown
        status as the API sent it."""
        return self._with_sent_statuses(
            self.model_dump(mode="json", by_alias=True, exclude_none=True)
        )

    def as_sent(self) -> JsonObject:
        """The answer as JSON again with exactly the fields the API sent (a null it sent kept),
        for a fingerprint of what plan saw."""
        return self._with_sent_statuses(
            self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        )

    def _with_sent_statuses(self, out: JsonObject) -> JsonObject:
        for name, twin, alias in self._statuses:
            if getattr(self, name) == UNKNOWN and getattr(self, twin) is not None:
                out[alias] = getattr(self, twin)
        return out


def sent(name: str) -> Any:
    """The twin `<field>_sent` of the status field the API names `name`: the value as sent."""
    return Field(default=None, validation_alias=name, exclude=True)


def id_from(*names: str) -> Callable[[Any], Any]:
    """Fill `id` from the first of `names` holding a non-empty string (Rev A's own names)."""

    def canonical_id(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for name in names:
            found = value.get(name)
            if isinstance(found, str) and found:
                return value if name == "id" else {**value, "id": found}
        raise ValueError("neither " + " nor ".join(f"'{n}'" for n in names) + " is there")

    return canonical_id


def int_or_none(value: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def bool_or_none(value: Any) -> Any:
    return value if isinstance(value, bool) else None


Object = Annotated[JsonObject | None, BeforeValidator(object_or_none)]


def objects_only(value: Any) -> Any:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class Answer(Model):
    """An answer the reconciler reads nothing of (an approval, a move, a cancel, an archive, an
    approval policy): only checked to be a JSON object."""


@with_config(_OPEN)
class Page(TypedDict, total=False):
    """One page of a cursor-paginated list."""

    items: Required[list[JsonObject]]
    nextCursor: Str | None
