"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`.

Modules: `directory` (HSDS-aligned organizations, services, locations, ...),
`accounts` (users, API keys, audit log), `entitlements` (rights knowledge),
`reports` (discrimination reports), and the reminders package's tables. Add a
module here when you add one.
"""
from ..db import Base
from . import directory  # noqa: F401
from . import accounts, entitlements, reports  # noqa: F401
from .. import usage  # noqa: F401  (usage_events table)
from ..reminders import models as reminder_models  # noqa: F401

__all__ = ["Base"]
