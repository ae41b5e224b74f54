"""API keys, roles and invites, over HTTP against a migrated database."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from service_directory import accounts
from service_directory.models.accounts import ApiKey, InviteToken, User
from service_directory.models.directory import Organization


def make_org(app, name: str) -> str:
    with app.sessions.begin() as session:
        org = Organization(name=name)
        session.add(org)
        session.flush()
        return org.id


def test_missing_key_is_401_with_a_clear_message(accounts_app):
    response = accounts_app.client.get("/admin/users")
    assert response.status_code == 401
    assert "Authorization: Bearer KEY" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_wrong_key_is_401(accounts_app):
    accounts_app.user("admin")
    response = accounts_app.client.get("/admin/users", headers=accounts_app.headers("pk_not-a-real-key"))
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid or revoked API key"


def test_admin_key_lists_users(accounts_app):
    admin_id, key = accounts_app.user("admin", name="Ana")
    response = accounts_app.client.get("/admin/users", headers=accounts_app.headers(key))
    assert response.status_code == 200
    assert [u["id"] for u in response.json()] == [admin_id]
    assert "password_hash" not in response.json()[0]


@pytest.mark.parametrize("path", ["/admin/users", "/admin/reports", "/admin/entitlements", "/admin/audit"])
def test_analyst_is_forbidden_on_admin_routes(accounts_app, path):
    _, key = accounts_app.user("analyst")
    response = accounts_app.client.get(path, headers=accounts_app.headers(key))
    assert response.status_code == 403
    assert "your role is analyst" in response.json()["detail"]


def test_curator_cannot_manage_users(accounts_app):
    _, key = accounts_app.user("curator")
    response = accounts_app.client.post("/admin/users", json={"name": "X", "role": "admin"},
                                        headers=accounts_app.headers(key))
    assert response.status_code == 403


def test_admin_creates_a_curator_whose_key_works(accounts_app):
    _, admin_key = accounts_app.user("admin")
    org = make_org(accounts_app, "Sample NGO")
    response = accounts_app.client.post(
        "/admin/users", headers=accounts_app.headers(admin_key),
        json={"name": "Carla", "role": "curator", "email": "Carla@Example.org", "organization_ids": [org]})
    assert response.status_code == 201
    body = response.json()
    assert body["organization_ids"] == [org] and body["email"] == "carla@example.org"
    assert body["invite_url"].startswith("http") and "/ui/invite/" in body["invite_url"]
    listed = accounts_app.client.get("/admin/reports", headers=accounts_app.headers(body["api_key"]))
    assert listed.status_code == 200


def test_unknown_organization_or_role_is_422(accounts_app):
    _, admin_key = accounts_app.user("admin")
    bad_org = accounts_app.client.post("/admin/users", headers=accounts_app.headers(admin_key),
                                       json={"name": "C", "role": "curator", "organization_ids": ["nope"]})
    assert bad_org.status_code == 422 and "unknown organization" in bad_org.json()["detail"]
    bad_role = accounts_app.client.post("/admin/users", headers=accounts_app.headers(admin_key),
                                        json={"name": "C", "role": "boss"})
    assert bad_role.status_code == 422


def test_keys_are_stored_only_as_hashes_and_can_be_revoked(accounts_app):
    admin_id, admin_key = accounts_app.user("admin")
    user_id, _ = accounts_app.user("analyst")
    issued = accounts_app.client.post(f"/admin/users/{user_id}/api-keys", json={"label": "laptop"},
                                      headers=accounts_app.headers(admin_key)).json()
    token = issued["api_key"]
    with accounts_app.sessions() as session:
        stored = session.get(ApiKey, issued["id"])
        assert stored.key_hash == accounts.digest(token) and token not in stored.key_hash
        assert token.startswith(stored.prefix) and len(stored.prefix) < 16
    listed = accounts_app.client.get(f"/admin/users/{user_id}/api-keys",
                                     headers=accounts_app.headers(admin_key)).json()
    assert all("api_key" not in key for key in listed)
    revoked = accounts_app.client.delete(f"/admin/users/{user_id}/api-keys/{issued['id']}",
                                         headers=accounts_app.headers(admin_key))
    assert revoked.status_code == 204
    with accounts_app.sessions() as session:
        assert accounts.authenticate_key(session, token) is None


def test_deactivated_user_key_stops_working(accounts_app):
    _, admin_key = accounts_app.user("admin")
    user_id, key = accounts_app.user("curator")
    accounts_app.client.patch(f"/admin/users/{user_id}", json={"active": False},
                              headers=accounts_app.headers(admin_key))
    assert accounts_app.client.get("/admin/reports", headers=accounts_app.headers(key)).status_code == 401


def test_invite_is_one_time_and_sets_an_argon2_password(accounts_sessions):
    with accounts_sessions.begin() as session:
        user = accounts.create_user(session, name="Ines", role="curator", email="ines@example.org")
        token = accounts.create_invite(session, user)
        user_id = user.id
    with accounts_sessions.begin() as session:
        stored = session.scalar(select(InviteToken).where(InviteToken.user_id == user_id))
        assert stored.token_hash == accounts.digest(token)
        accounts.accept_invite(session, token, "a long enough password")
    with accounts_sessions.begin() as session:
        assert session.get(User, user_id).password_hash.startswith("$argon2")
        assert accounts.authenticate_password(session, "INES@example.org", "a long enough password")
        assert accounts.authenticate_password(session, "ines@example.org", "wrong password") is None
        with pytest.raises(accounts.AccountError, match="used or expired"):
            accounts.accept_invite(session, token, "another long password")


def test_expired_invite_is_refused(accounts_sessions):
    with accounts_sessions.begin() as session:
        user = accounts.create_user(session, name="Old", role="analyst", email="old@example.org")
        token = accounts.create_invite(session, user, ttl=timedelta(seconds=-1))
    with accounts_sessions.begin() as session:
        assert accounts.find_invite(session, token) is None


def test_cli_users_create_prints_a_working_key(accounts_app):
    env = {**os.environ, "DATABASE_URL": accounts_app.db_url, "APP_URL": "http://puente.test"}
    result = subprocess.run(
        [sys.executable, "-m", "service_directory.cli", "users", "create", "--name", "Admin CLI",
         "--role", "admin", "--email", "cli@example.org"],
        capture_output=True, text=True, env=env, timeout=120, check=True)
    key, link = result.stdout.strip().splitlines()
    assert link.startswith("http://puente.test/ui/invite/")
    response = accounts_app.client.get("/admin/users", headers=accounts_app.headers(key))
    assert response.status_code == 200
    assert [u["name"] for u in response.json()] == ["Admin CLI"]


def test_cli_refuses_an_unknown_role(accounts_app):
    env = {**os.environ, "DATABASE_URL": accounts_app.db_url}
    result = subprocess.run([sys.executable, "-m", "service_directory.cli", "users", "create",
                             "--name", "X", "--role", "boss"], capture_output=True, text=True, env=env)
    assert result.returncode != 0 and "invalid choice" in result.stderr


def test_openapi_documents_the_admin_and_public_routes(accounts_app):
    spec = accounts_app.client.get("/openapi.json").json()
    for path in ("/v1/entitlements", "/v1/reports", "/v1/people/{pseudonym}", "/admin/users",
                 "/admin/reports/{report_id}/resolve", "/admin/entitlements", "/admin/audit"):
        assert path in spec["paths"], path
    assert any(s.get("scheme") == "bearer" for s in spec["components"]["securitySchemes"].values())


def test_a_key_records_when_it_was_last_used_without_a_write_per_request(accounts_app):
    admin_id, key = accounts_app.user("admin")
    listed = accounts_app.client.get(f"/admin/users/{admin_id}/api-keys",
                                     headers=accounts_app.headers(key)).json()
    first_use = listed[0]["last_used_at"]
    assert first_use is not None  # this very read-only request counted as a use
    again = accounts_app.client.get(f"/admin/users/{admin_id}/api-keys",
                                    headers=accounts_app.headers(key)).json()
    assert again[0]["last_used_at"] == first_use  # within USE_RESOLUTION: unchanged
    with accounts_app.sessions.begin() as session:
        stored = session.scalar(select(ApiKey).where(ApiKey.user_id == admin_id))
        stored.last_used_at = stored.last_used_at - accounts.USE_RESOLUTION - timedelta(seconds=1)
    later = accounts_app.client.get(f"/admin/users/{admin_id}/api-keys",
                                    headers=accounts_app.headers(key)).json()
    assert later[0]["last_used_at"] > first_use
