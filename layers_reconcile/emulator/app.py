"""`create_app(settings)`: the emulator as a Starlette ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from layers_reconcile.emulator import world
from layers_reconcile.emulator.clock import Clock
from layers_reconcile.emulator.dispatcher import Dispatcher, rebuild
from layers_reconcile.emulator.http import ApiError
from layers_reconcile.emulator.openapi import document, withdrawn_routes
from layers_reconcile.emulator.pipeline import (
    RequestIdMiddleware,
    build_routes,
    error_response,
    rid_of,
)
from layers_reconcile.emulator.routes import (
    admin,
    content,
    generation,
    github,
    identity,
    influencers,
    jobs,
    organizations,
    people,
    projects,
    publishing,
    review,
    social,
)
from layers_reconcile.emulator.settings import EmulatorSettings
from layers_reconcile.emulator.state import Emulator

_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    err = ApiError(
        status,
        _HTTP_CODES.get(status, "HTTP_ERROR"),
        f"No route {request.method} {request.url.path}"
        if status in _HTTP_CODES
        else "The request could not be served.",
        {"method": request.method, "path": request.url.path},
    )
    return error_response(err, rid_of(request.scope), headers)


async def _no_route(request: Request) -> Response:
    raise HTTPException(404)


def _withdrawn(revision: str) -> list[Route]:
    """Rev A routes whose path Rev B still serves with another method: 404, not 405."""
    return [Route(op.path, _no_route, methods=[op.method]) for op in withdrawn_routes(revision)]


def create_app(settings: EmulatorSettings, *, clock: Clock | None = None) -> Starlette:
    """The emulator app; `app.state.emulator` is its core (store, clock, stats) for tests."""
    emu = Emulator(settings, clock)
    world.seed(emu.store, emu.clock.now())
    emu.store.commit()
    rebuild(emu)
    every = [
        *identity.routes(),
        *projects.routes(),
        *github.routes(),
        *influencers.routes(),
        *content.routes(),
        *social.routes(),
        *publishing.routes(),
        *jobs.routes(),
        *generation.routes(),
        *review.routes(),
        *organizations.routes(),
    ]
    revision = settings.api_revision
    specs = [spec for spec in every if revision in spec.revisions]
    openapi = document(specs, revision)
    routes = [
        *build_routes(emu, specs),
        *_withdrawn(revision),
        *admin.routes(emu, openapi),
        *people.routes(emu),
    ]
    dispatcher = Dispatcher(emu)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()
            emu.store.commit()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestIdMiddleware, emu=emu)],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.emulator = emu
    return app
