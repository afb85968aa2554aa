"""Bodies more than one resource family takes, and the emulator's own key route."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt, StrictStr

from layers_reconcile.emulator.fields import Text64, Text128, Text1024, text
from layers_reconcile.emulator.validation import Between, Body, Maybe, Strict


class Reason(Body):
    reason: Maybe[Text1024] = None


class CreateKey(Strict):
    scopes: Maybe[Annotated[list[Text64], Between(0, 64)]] = None
    allowedReturnDomains: Maybe[
        Annotated[list[Annotated[StrictStr, text(0, 253)]], Between(0, 64)]
    ] = None
    name: Maybe[Text128] = None


class SetHold(Strict):
    """`POST /_emulator/hold`: stop at the `count`-th request of `route` (a route as the stats
    name it, e.g. `POST /v1/projects`)."""

    route: Annotated[StrictStr, text(1, 256)]
    count: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
