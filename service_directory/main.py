"""The app: FastAPI factory wiring the routers; `uvicorn service_directory.main:app`."""
from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from fastapi.staticfiles import StaticFiles

from . import api_errors, gazetteer
from .config import get_settings
from .reminders import admin_api as reminders_admin
from .reminders import api as reminders
from .stats import api as stats
from .web import pages as web_pages
from .web import imports as web_imports
from .web import queue as web_queue
from .web import service_edit as web_service_edit
from .web import services as web_services
from .web import users as web_users
from .web import organizations as web_organizations
from .web import entitlements as web_entitlements
from .web import audit as web_audit
from .web import export as web_export
from .web import deletions as web_deletions
from .web import errors as web_errors
from .web import stats_dashboard as web_stats
from .routers import (admin_audit, admin_directory, admin_entitlements, admin_reports,
                      admin_users, entitlements, health, nlg, people, places, reports,
                      services)

ROUTERS = (health, nlg, services, places, entitlements, reports, people, admin_directory,
           admin_users, admin_entitlements, admin_reports, admin_audit, reminders,
           reminders_admin, stats, web_pages, web_services, web_service_edit, web_queue,
           web_imports, web_users, web_organizations, web_entitlements, web_audit, web_export,
           web_stats, web_deletions)


def _warm_up() -> None:
    """Build what lives as long as the process, then take it out of garbage collection.

    The gazetteer index and the imported modules are ~200,000 objects that are never
    garbage, yet every full collection walked them all: ~100 ms, paid by whichever
    request happened to allocate past the threshold (a page listing 200 people hit
    it about once in 15 requests). `gc.freeze()` moves them to the permanent
    generation, so a full collection only walks what requests made.
    """
    gazetteer.warm_up()
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The gazetteer index takes seconds to build: build it beside start-up, so the
    # first person to type a place does not wait and /healthz answers at once.
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_production_secrets()
    app = FastAPI(title="Puente", version="0.1.0", lifespan=_lifespan,
                  responses=api_errors.UNPROCESSABLE,
                  exception_handlers={**api_errors.HANDLERS,
                                      HTTPException: web_errors.page_refused})
    for router_module in ROUTERS:
        app.include_router(router_module.router)
    app.mount("/ui/static", StaticFiles(directory=web_pages.STATIC), name="ui-static")
    return app


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
