"""Every admin write lands in the audit log with who, when, before and after."""
from __future__ import annotations

from datetime import date

from service_directory import audit
from service_directory.config import get_settings
from service_directory.models.accounts import AuditEntry
from service_directory.models.entitlements import Entitlement

ENTRY = {"country": "co", "service_type": "hiv_testing", "entitled": "yes", "cost": "free",
         "documents": ["none"], "guidance": {"es": "Vaya al centro de salud."},
         "source_url": "https://example.org/source", "last_reviewed": "2026-11-01",
         "reviewer": "Test partner"}


def test_snapshot_never_copies_secrets_or_pseudonyms(accounts_sessions):
    with accounts_sessions.begin() as session:
        entry = audit.record(session, "cli", "create", "thing", "1",
                             before={"password_hash": "x", "name": "a"},
                             after={"pseudonym": "p", "key_hash": "k", "when": date(2026, 1, 2)})
        session.flush()
        assert entry.before == {"name": "a"} and entry.after == {"when": "2026-01-02"}


def test_user_creation_is_audited_without_secrets(accounts_app):
    admin_id, key = accounts_app.user("admin", name="Root")
    created = accounts_app.client.post("/admin/users", json={"name": "Ana", "role": "analyst"},
                                       headers=accounts_app.headers(key)).json()
    log = accounts_app.client.get("/admin/audit", params={"entity_type": "user"},
                                  headers=accounts_app.headers(key)).json()
    assert len(log) == 1
    row = log[0]
    assert row["actor_user_id"] == admin_id and row["action"] == "create"
    assert row["entity_id"] == created["id"] and row["before"] is None
    assert row["after"]["name"] == "Ana" and "password_hash" not in row["after"]
    assert row["at"]


def test_entitlement_update_records_before_and_after(accounts_app):
    _, key = accounts_app.user("admin")
    created = accounts_app.client.post("/admin/entitlements", json=ENTRY, headers=accounts_app.headers(key))
    assert created.status_code == 201, created.text
    entry_id = created.json()["id"]
    changed = accounts_app.client.patch(f"/admin/entitlements/{entry_id}", json={"cost": "copay", "version": 1},
                                        headers=accounts_app.headers(key))
    assert changed.status_code == 200 and changed.json()["version"] == 2
    accounts_app.client.delete(f"/admin/entitlements/{entry_id}", headers=accounts_app.headers(key))
    with accounts_app.sessions() as session:
        rows = session.query(AuditEntry).filter_by(entity_id=entry_id).order_by(AuditEntry.id).all()
        assert [r.action for r in rows] == ["create", "update", "delete"]
        assert rows[1].before["cost"] == "free" and rows[1].after["cost"] == "copay"
        assert rows[2].after is None and rows[2].before["cost"] == "copay"
        assert session.get(Entitlement, entry_id) is None


def test_erasure_is_audited_without_the_pseudonym(accounts_app):
    pseudonym = "f" * 64
    accounts_app.client.delete(f"/v1/people/{pseudonym}",
                               headers={"X-Puente-Internal": get_settings().app_secret})
    with accounts_app.sessions() as session:
        row = session.query(AuditEntry).filter_by(action="erase").one()
        assert row.entity_id is None and pseudonym not in str(row.after) and row.actor == "internal:bot"
