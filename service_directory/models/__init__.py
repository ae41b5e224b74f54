"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`.

Modules: `directory` (HSDS-aligned organizations, services, locations, ...),
`accounts` (users, API keys, audit log), `entitlements` (rights knowledge),
`reports` (discrimination reports), the reminders package's tables and the
statistics' (`stats.events`, `stats.retention`). Add a
module here when you add one.
"""
from ..db import Base
from . import directory  # noqa: F401
from . import accounts, entitlements, reports  # noqa: F401
from ..stats import events as stats_events, retention as stats_retention  # noqa: F401
from ..reminders import models as reminder_models  # noqa: F401

__all__ = ["Base"]
