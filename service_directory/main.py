"""The app: FastAPI factory wiring the routers; `uvicorn service_directory.main:app`."""
from __future__ import annotations

import logging

from fastapi import FastAPI

from .config import get_settings
from .routers import health, nlg


def create_app() -> FastAPI:
    settings = get_settings()
    settings.check_production_secrets()
    app = FastAPI(title="Puente", version="0.1.0")
    app.include_router(health.router)
    app.include_router(nlg.router)
    return app


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
