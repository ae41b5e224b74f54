"""SQLAlchemy models. Importing this package registers every table on `Base.metadata`.

Modules: `directory` (HSDS-aligned organizations, services, locations, ...),
`accounts` (users, API keys, audit log), `entitlements` (rights knowledge),
`reports` (discrimination reports). Add a module here when you add one.
"""
from ..db import Base

__all__ = ["Base"]
