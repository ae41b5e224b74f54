"""Admins curate entitlements and contacts through the admin API (others cannot)."""
from __future__ import annotations

ENTRY = {"country": "pe", "service_type": "prenatal_care", "situation": "pregnant",
         "entitled": "yes", "cost": "free", "documents": ["any_id"],
         "guidance": {"es": "Acuda al centro de salud.", "en": "Go to the health centre."},
         "legal_basis": "Test basis", "source_url": "https://example.org/pe",
         "last_reviewed": "2026-11-01", "reviewer": "Partner"}


def test_admin_creates_an_entitlement_that_the_public_api_serves(accounts_app):
    _, key = accounts_app.user("admin")
    created = accounts_app.client.post("/admin/entitlements", json=ENTRY, headers=accounts_app.headers(key))
    assert created.status_code == 201, created.text
    body = accounts_app.client.get("/v1/entitlements", params={
        "country": "pe", "service_type": "prenatal_care", "situation": "pregnant", "lang": "es"}).json()
    assert body["known"] and body["entries"][0]["how_to_access"] == "Acuda al centro de salud."
    fallback = accounts_app.client.get("/v1/entitlements", params={
        "country": "pe", "service_type": "prenatal_care", "lang": "fr"}).json()
    assert fallback["entries"][0]["how_to_access"] == "Go to the health centre."
    assert fallback["depends_on_situation"] is True


def test_curator_cannot_change_entitlements(accounts_app):
    _, key = accounts_app.user("curator")
    response = accounts_app.client.post("/admin/entitlements", json=ENTRY, headers=accounts_app.headers(key))
    assert response.status_code == 403


def test_invalid_entitlements_are_422(accounts_app):
    _, key = accounts_app.user("admin")
    for change in ({"service_type": "dentist"}, {"source_url": "not a url"}, {"country": "peru"},
                   {"guidance": {"xx": "?"}}, {"documents": ["visa_gold"]}, {"guidance_key": "nope"}):
        response = accounts_app.client.post("/admin/entitlements", json={**ENTRY, **change},
                                            headers=accounts_app.headers(key))
        assert response.status_code == 422, change
    no_text = {k: v for k, v in ENTRY.items() if k != "guidance"}
    assert accounts_app.client.post("/admin/entitlements", json=no_text,
                                    headers=accounts_app.headers(key)).status_code == 422


def test_stale_version_is_a_409_conflict(accounts_app):
    _, key = accounts_app.user("admin")
    entry_id = accounts_app.client.post("/admin/entitlements", json=ENTRY,
                                        headers=accounts_app.headers(key)).json()["id"]
    first = accounts_app.client.patch(f"/admin/entitlements/{entry_id}", json={"cost": "copay", "version": 1},
                                      headers=accounts_app.headers(key))
    assert first.status_code == 200
    second = accounts_app.client.patch(f"/admin/entitlements/{entry_id}", json={"cost": "fee", "version": 1},
                                       headers=accounts_app.headers(key))
    assert second.status_code == 409 and "changed since you read it" in second.json()["detail"]


def test_unknown_entitlement_is_404(accounts_app):
    _, key = accounts_app.user("admin")
    response = accounts_app.client.get("/admin/entitlements/nope", headers=accounts_app.headers(key))
    assert response.status_code == 404


def test_admin_manages_contacts(accounts_app):
    _, key = accounts_app.user("admin")
    created = accounts_app.client.post("/admin/entitlement-contacts", headers=accounts_app.headers(key), json={
        "country": "pe", "kind": "ngo_hotline", "name": "SAMPLE line", "sample": True})
    assert created.status_code == 201
    contact_id = created.json()["id"]
    updated = accounts_app.client.patch(f"/admin/entitlement-contacts/{contact_id}",
                                        json={"whatsapp": "+51 000"}, headers=accounts_app.headers(key))
    assert updated.json()["whatsapp"] == "+51 000"
    listed = accounts_app.client.get("/admin/entitlement-contacts", params={"country": "pe"},
                                     headers=accounts_app.headers(key)).json()
    assert [c["id"] for c in listed] == [contact_id]
    deleted = accounts_app.client.delete(f"/admin/entitlement-contacts/{contact_id}",
                                         headers=accounts_app.headers(key))
    assert deleted.status_code == 204


def test_a_delete_with_a_stale_etag_is_412_and_deletes_nothing(accounts_app):
    _, key = accounts_app.user("admin")
    headers = accounts_app.headers(key)
    entry_id = accounts_app.client.post("/admin/entitlements", json=ENTRY,
                                        headers=headers).json()["id"]
    read = accounts_app.client.get(f"/admin/entitlements/{entry_id}", headers=headers)
    assert read.headers["ETag"] == '"v1"'
    stale = accounts_app.client.delete(f"/admin/entitlements/{entry_id}",
                                       headers={**headers, "If-Match": '"v0"'})
    assert stale.status_code == 412
    assert accounts_app.client.get(f"/admin/entitlements/{entry_id}", headers=headers).status_code == 200
    gone = accounts_app.client.delete(f"/admin/entitlements/{entry_id}",
                                      headers={**headers, "If-Match": '"v1"'})
    assert gone.status_code == 204
    assert accounts_app.client.get(f"/admin/entitlements/{entry_id}", headers=headers).status_code == 404


def test_a_change_needs_the_etag_and_a_stale_one_is_412(accounts_app):
    _, key = accounts_app.user("admin")
    headers = accounts_app.headers(key)
    created = accounts_app.client.post("/admin/entitlements", json=ENTRY, headers=headers)
    entry_id, etag = created.json()["id"], created.headers["ETag"]
    assert etag == '"v1"'
    url = f"/admin/entitlements/{entry_id}"
    assert accounts_app.client.patch(url, json={"cost": "copay"}, headers=headers).status_code == 428
    first = accounts_app.client.patch(url, json={"cost": "copay"}, headers={**headers, "If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
    second = accounts_app.client.patch(url, json={"cost": "fee"}, headers={**headers, "If-Match": etag})
    assert second.status_code == 412 and "changed this entitlement" in second.json()["detail"]
    assert accounts_app.client.get(url, headers=headers).json()["cost"] == "copay"


def test_two_sessions_saving_one_version_on_postgresql_give_one_success_and_one_412(
        accounts_app, accounts_db_url):
    """The first save holds the row (its conditional UPDATE is not committed yet); the
    second, on another connection with the same If-Match, waits for it, then finds the
    version moved on: 412, and the first save is what stays."""
    import threading

    import pytest
    from fastapi import HTTPException, Response

    from service_directory.models.accounts import User
    from service_directory.models.entitlements import Entitlement
    from service_directory.routers.admin_entitlements import (EntitlementUpdate, claim,
                                                              update_entitlement)

    if not accounts_db_url.startswith("postgresql"):
        pytest.skip("row locks and READ COMMITTED re-reads are PostgreSQL's")
    user_id, key = accounts_app.user("admin")
    entry_id = accounts_app.client.post("/admin/entitlements", json=ENTRY,
                                        headers=accounts_app.headers(key)).json()["id"]
    first, second = accounts_app.sessions(), accounts_app.sessions()
    try:
        mine = first.get(Entitlement, entry_id)
        assert second.get(Entitlement, entry_id).version == 1  # both read version 1
        claim(first, mine, 1)  # the first save's conditional UPDATE: the row is held
        outcome: dict[str, int] = {}

        def other_save() -> None:
            try:
                update_entitlement(entry_id, EntitlementUpdate(cost="fee"), Response(), '"v1"',
                                   second, second.get(User, user_id))
                outcome["second"] = 200
            except HTTPException as error:
                outcome["second"] = error.status_code

        racer = threading.Thread(target=other_save)
        racer.start()
        racer.join(timeout=1.5)
        assert racer.is_alive(), f"the second save did not wait for the first: {outcome}"
        mine.cost = "copay"
        first.commit()
        racer.join(timeout=30)
        assert outcome == {"second": 412}
    finally:
        first.close()
        second.close()
    with accounts_app.sessions() as session:
        entry = session.get(Entitlement, entry_id)
        assert (entry.cost, entry.version) == ("copay", 2)
