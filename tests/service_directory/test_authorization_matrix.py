"""Who may call what, for every route the app serves, generated from its route list.

`ACCESS` classifies each (method, path) by who may call it (DESIGN "The app's HTTP
API": admin everything, curator the services of their own organizations, analyst
statistics only; internal routes only with `X-Puente-Internal`; the web UI with its
session cookie). The routes themselves come from the app (`iter_route_contexts`), so a
route nobody classified fails `test_every_route_is_classified`, and every classified
route is called by every kind of caller, with real ids from a database holding two
organizations: the curator's own (A) and another (B). Nothing may answer 5xx.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from service_directory.config import get_settings

ALLOWED = "allowed"  # past the access checks: any status < 500 but 401 and 403
ANY = "any"  # any status < 500 (a public form may well say 401: wrong password)
LOGIN = "login"  # the web UI sends whoever has no session to /ui/login
REFUSED = "refused"  # a redirect to /ui/login, or a 4xx (a form checked before the session)

# Callers. "curator, B's ids" is the curator of A acting on B's rows.
NOBODY, BAD_KEY, ANALYST, CURATOR, CURATOR_ON_B, ADMIN = (
    "nobody", "a wrong key", "analyst", "curator of A", "curator of A, B's ids", "admin")
INTERNAL, WRONG_SECRET, KEY_NOT_SECRET = "internal", "a wrong internal secret", "an admin key"
KEY_CALLERS = (NOBODY, BAD_KEY, ANALYST, CURATOR, CURATOR_ON_B, ADMIN)

Expectation = str | frozenset[int]


@dataclass(frozen=True)
class Rule:
    """What each caller gets from a route."""

    kind: str
    expect: dict[str, Expectation]


def public() -> Rule:
    return Rule("public", {c: ALLOWED for c in KEY_CALLERS})


def internal() -> Rule:
    return Rule("internal", {NOBODY: frozenset({401}), KEY_NOT_SECRET: frozenset({401}),
                             WRONG_SECRET: frozenset({403}), INTERNAL: ALLOWED})


def admin_only() -> Rule:
    return Rule("admin", {NOBODY: frozenset({401}), BAD_KEY: frozenset({401}),
                          ANALYST: frozenset({403}), CURATOR: frozenset({403}),
                          CURATOR_ON_B: frozenset({403}), ADMIN: ALLOWED})


def editor(curator: Expectation = ALLOWED) -> Rule:
    """Admins, and curators on their own organizations' rows (403 or 404 on others')."""
    return Rule("admin, curator (own)", {
        NOBODY: frozenset({401}), BAD_KEY: frozenset({401}), ANALYST: frozenset({403}),
        CURATOR: curator, CURATOR_ON_B: frozenset({403, 404}), ADMIN: ALLOWED})


def editor_list() -> Rule:
    """A list: admins see all, curators only their organizations' rows (checked: no id
    of B in what the curator of A reads)."""
    rule = editor()
    return Rule(rule.kind, {c: e for c, e in rule.expect.items() if c != CURATOR_ON_B})


def statistics() -> Rule:
    return Rule("admin, analyst", {NOBODY: frozenset({401}), BAD_KEY: frozenset({401}),
                                   ANALYST: ALLOWED, CURATOR: frozenset({403}),
                                   CURATOR_ON_B: frozenset({403}), ADMIN: ALLOWED})


def web() -> Rule:
    """Pages behind the web login: an API key does not open them (roles inside the UI:
    tests/service_directory/test_web.py)."""
    return Rule("web (session)", {NOBODY: LOGIN, ADMIN: LOGIN})


def web_form() -> Rule:
    """A form behind the web login: refused without a session, whatever the key."""
    return Rule("web form (session)", {NOBODY: REFUSED, ADMIN: REFUSED})


def web_public() -> Rule:
    return Rule("web (public)", {NOBODY: ANY})


DIRECTORY = ("organizations", "services", "locations", "schedules", "phones", "languages",
             "attributes")
ACCESS: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): public(),
    ("GET", "/docs"): public(),
    ("GET", "/docs/oauth2-redirect"): public(),
    ("GET", "/redoc"): public(),
    ("GET", "/healthz"): public(),
    ("POST", "/nlg"): public(),
    ("GET", "/v1/services/search"): public(),
    ("GET", "/v1/places/resolve"): public(),
    ("POST", "/v1/places/in-text"): public(),
    ("GET", "/v1/entitlements"): public(),
    ("POST", "/v1/reports"): internal(),
    ("DELETE", "/v1/people/{pseudonym}"): internal(),
    ("POST", "/v1/reminders/draft"): internal(),
    ("POST", "/v1/reminders"): internal(),
    ("POST", "/v1/reminders/{person}/change"): internal(),
    ("POST", "/v1/reminders/{person}/stop"): internal(),
    ("POST", "/v1/reminders/{person}/move"): internal(),
    ("POST", "/v1/reminders/{person}/answer"): internal(),
    ("POST", "/v1/reminders/followups/{followup_id}/reason"): internal(),
    ("POST", "/v1/reminders/status"): internal(),
    ("POST", "/v1/events"): internal(),
    **{("GET", path): statistics() for path in (
        "/stats", "/stats/activity", "/stats/conversations", "/stats/cost", "/stats/no-content",
        "/stats/reminders", "/stats/topics", "/stats/understanding", "/stats/unmet-demand")},
    **{("GET", f"/admin/{plural}"): editor_list() for plural in DIRECTORY},
    **{("POST", f"/admin/{plural}"): editor() for plural in DIRECTORY},
    **{(method, f"/admin/{plural}/{{entity_id}}"): editor()
       for plural in DIRECTORY for method in ("GET", "PUT", "PATCH", "DELETE")},
    # Only admins create or delete organizations.
    ("POST", "/admin/organizations"): editor(curator=frozenset({403})),
    ("DELETE", "/admin/organizations/{entity_id}"): editor(curator=frozenset({403})),
    ("POST", "/admin/services/{service_id}/verify"): editor(),
    ("POST", "/admin/hsds/import"): admin_only(),
    ("GET", "/admin/hsds/export"): admin_only(),
    ("GET", "/admin/users"): admin_only(),
    ("POST", "/admin/users"): admin_only(),
    ("GET", "/admin/users/{user_id}"): admin_only(),
    ("PATCH", "/admin/users/{user_id}"): admin_only(),
    ("GET", "/admin/users/{user_id}/api-keys"): admin_only(),
    ("POST", "/admin/users/{user_id}/api-keys"): admin_only(),
    ("DELETE", "/admin/users/{user_id}/api-keys/{key_id}"): admin_only(),
    ("POST", "/admin/users/{user_id}/invite"): admin_only(),
    ("GET", "/admin/entitlements"): admin_only(),
    ("POST", "/admin/entitlements"): admin_only(),
    ("GET", "/admin/entitlements/{entitlement_id}"): admin_only(),
    ("PATCH", "/admin/entitlements/{entitlement_id}"): admin_only(),
    ("DELETE", "/admin/entitlements/{entitlement_id}"): admin_only(),
    ("POST", "/admin/entitlements/{entitlement_id}/review"): admin_only(),
    ("GET", "/admin/entitlement-contacts"): admin_only(),
    ("POST", "/admin/entitlement-contacts"): admin_only(),
    ("PATCH", "/admin/entitlement-contacts/{contact_id}"): admin_only(),
    ("DELETE", "/admin/entitlement-contacts/{contact_id}"): admin_only(),
    ("GET", "/admin/reports"): editor_list(),
    ("GET", "/admin/reports/{report_id}"): editor(),
    ("POST", "/admin/reports/{report_id}/resolve"): editor(),
    ("GET", "/admin/audit"): admin_only(),
    ("GET", "/admin/followups"): editor_list(),
    ("POST", "/admin/followups/{request_id}/status"): editor(),
    # The web UI: these are public; every other /ui/ page or form is behind the login
    # (`rule_for`), so a new page is checked without being listed here.
    ("GET", "/ui/login"): web_public(),
    ("POST", "/ui/login"): web_public(),
    ("POST", "/ui/logout"): web_public(),
    ("GET", "/ui/invite/{token}"): web_public(),
    ("POST", "/ui/invite/{token}"): web_public(),
    ("GET", "/ui/static"): public(),  # a mount: vendored assets
    # Admins' pages, behind the login like any other (curators and analysts get 404
    # inside the UI: tests/service_directory/test_web_organizations.py).
    ("GET", "/ui/organizations"): web(),
    ("GET", "/ui/organizations/new"): web(),
    ("POST", "/ui/organizations/new"): web_form(),
    ("GET", "/ui/organizations/{organization_id}"): web(),
    ("POST", "/ui/organizations/{organization_id}"): web_form(),
    ("POST", "/ui/organizations/{organization_id}/legal-partner"): web_form(),
}


def rule_for(method: str, path: str) -> Rule | None:
    """The route's rule: its entry in ACCESS, else, for the web UI, the login gate."""
    if (method, path) in ACCESS:
        return ACCESS[(method, path)]
    if path.startswith("/ui/"):
        return web() if method == "GET" else web_form()
    return None


def app_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD and OPTIONS aside; a mount as GET."""
    found = []
    for context in iter_route_contexts(app.routes):
        methods = context.methods or {"GET"}
        found += [(m, context.path) for m in sorted(methods) if m not in ("HEAD", "OPTIONS")]
    return found


# ---------------------------------------------------------------------- the world
@dataclass
class World:
    """Two organizations' rows, the users who call, and ids to fill paths with."""

    ids: dict[str, dict[str, str]]  # "A"/"B" → entity → id
    shared: dict[str, str]  # ids that belong to no organization
    keys: dict[str, str]  # caller → API key

    def b_ids(self) -> set[str]:
        return set(self.ids["B"].values())


def _org_rows(session, name: str, terms) -> dict[str, str]:
    from service_directory.models import directory as d
    from service_directory.models.reports import DiscriminationReport
    from service_directory.reminders.models import FollowUpRequest

    org = d.Organization(name=f"NGO {name}")
    session.add(org)
    session.flush()
    service = d.Service(organization_id=org.id, name=f"Clinic {name}", status="active",
                        assured_date=date(2026, 11, 1), assurer_email="v@ngo.example")
    location = d.Location(organization_id=org.id, name=f"Site {name}", latitude=4.6,
                          longitude=-74.08, country="co")
    session.add_all([service, location])
    session.flush()
    rows = {
        "schedule": d.Schedule(service_id=service.id, freq="WEEKLY", byday="MO",
                               opens_at=time(9), closes_at=time(17)),
        "phone": d.Phone(service_id=service.id, number="+5716000000"),
        "language": d.Language(service_id=service.id, code="es"),
        "attribute": d.Attribute(link_id=service.id, link_entity="service",
                                 taxonomy_term_id=terms["prep"].id, link_type="service_type"),
        "report": DiscriminationReport(organization_id=org.id, service_id=service.id,
                                       country="co", description=f"turned away at {name}"),
        "followup": FollowUpRequest(organization_id=org.id, country="co", reason="no_medicine",
                                    pseudonym=f"{name.lower()}" * 64),
    }
    session.add_all(rows.values())
    session.flush()
    return {"organization": org.id, "service": service.id, "location": location.id,
            **{name: row.id for name, row in rows.items()}}


@pytest.fixture
def world(accounts_app) -> World:
    from sqlalchemy import select

    from service_directory.deps import get_session
    from service_directory.models import directory as d
    from service_directory.models.accounts import ApiKey
    from service_directory.models.entitlements import Entitlement, EntitlementContact
    from service_directory.routers import services

    with accounts_app.sessions.begin() as session:
        terms = d.ensure_taxonomies(session)
        ids = {"A": _org_rows(session, "A", terms), "B": _org_rows(session, "B", terms)}
        entitlement = Entitlement(country="pe", service_type="hiv_treatment", entitled="yes",
                                  cost="free", documents=[], guidance={"en": "Go."},
                                  legal_basis="Test", source_url="https://example.org",
                                  last_reviewed=date(2026, 11, 1), reviewer="Test")
        contact = EntitlementContact(country="pe", kind="ngo_hotline", name="Line", sample=True)
        session.add_all([entitlement, contact])
        session.flush()
        shared = {"entitlement": entitlement.id, "contact": contact.id}
    # The public search and places routes open their own session: the test database too.
    overrides = accounts_app.client.app.dependency_overrides
    overrides[services.get_session] = overrides[get_session]
    keys = {ADMIN: accounts_app.user("admin", email="admin@ngo.example")[1],
            ANALYST: accounts_app.user("analyst")[1]}
    keys[CURATOR] = keys[CURATOR_ON_B] = accounts_app.user(
        "curator", email="cur@ngo.example", orgs=(ids["A"]["organization"],))[1]
    keys[BAD_KEY] = "pk_not-a-real-key"
    # A user whose key the admin may revoke without locking anyone out.
    spare_user, _ = accounts_app.user("analyst", name="spare", email="spare@ngo.example")
    with accounts_app.sessions() as session:
        shared["spare_user"] = spare_user
        shared["spare_key"] = session.scalar(select(ApiKey.id).where(ApiKey.user_id == spare_user))
    return World(ids, shared, keys)


# ------------------------------------------------------------- requests to send
_ENTITY_OF = {"organizations": "organization", "services": "service", "locations": "location",
              "schedules": "schedule", "phones": "phone", "languages": "language",
              "attributes": "attribute"}


def fill(path: str, world: World, org: str) -> str:
    """The path with real ids of organization `org` (A or B) in its parameters."""
    ids, shared = world.ids[org], world.shared
    plural = path.split("/")[2] if path.startswith("/admin/") else ""
    values = {
        "entity_id": ids.get(_ENTITY_OF.get(plural, ""), ""),
        "service_id": ids["service"], "report_id": ids["report"],
        "request_id": ids["followup"], "followup_id": ids["followup"],
        "user_id": shared["spare_user"], "key_id": shared["spare_key"],
        "entitlement_id": shared["entitlement"], "contact_id": shared["contact"],
        "pseudonym": "f" * 64, "person": "f" * 64, "token": "not-a-token",
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    if path.startswith("/ui/"):  # refused before any lookup: any id will do
        path = re.sub(r"\{[^}]+\}", "some-id", path)
    assert "{" not in path, f"fill the path parameter of {path} in fill()"
    return path


def body_for(method: str, path: str, ids: dict[str, str]) -> Any:
    """A valid body (so the ownership checks, which come after validation, are reached)."""
    org, service = ids["organization"], ids["service"]
    plural = path.split("/")[2] if path.startswith("/admin/") else ""
    if plural in DIRECTORY and method in ("POST", "PUT") and "verify" not in path:
        return {
            "organizations": {"name": "Changed"},
            "services": {"organization_id": org, "name": "Changed"},
            "locations": {"organization_id": org, "name": "Changed"},
            "schedules": {"service_id": service, "freq": "WEEKLY", "byday": "TU"},
            "phones": {"service_id": service, "number": "+573001234568"},
            "languages": {"service_id": service, "code": "fr"},
            "attributes": {"link_id": service, "link_entity": "service",
                           "taxonomy": "puente-service-type", "code": "pep"},
        }[plural]
    if plural in DIRECTORY and method == "PATCH":
        return {"attributes": {"label": "changed"},
                "languages": {"note": "changed"}}.get(plural, {"description": "changed"})
    return {
        ("POST", "/admin/services/{service_id}/verify"): {"assurer_email": "v@ngo.example"},
        ("POST", "/admin/reports/{report_id}/resolve"): {"note": "talked to the clinic"},
        ("POST", "/admin/followups/{request_id}/status"): {"status": "in_review"},
        ("POST", "/admin/users"): {"name": "New", "role": "analyst"},
        ("PATCH", "/admin/users/{user_id}"): {"name": "Spare"},
        ("POST", "/admin/users/{user_id}/api-keys"): {"label": "matrix"},
        ("POST", "/admin/entitlements"): {
            "country": "pe", "service_type": "prenatal_care", "situation": "pregnant",
            "entitled": "yes", "cost": "free", "documents": ["any_id"],
            "guidance": {"en": "Go to the health centre."}, "legal_basis": "Test",
            "source_url": "https://example.org/pe", "last_reviewed": "2026-11-01",
            "reviewer": "Partner"},
        ("PATCH", "/admin/entitlements/{entitlement_id}"): {"cost": "copay", "version": 999},
        ("POST", "/admin/entitlement-contacts"): {"country": "pe", "kind": "ngo_hotline",
                                                  "name": "Line 2", "sample": True},
        ("PATCH", "/admin/entitlement-contacts/{contact_id}"): {"name": "Line 3"},
        ("POST", "/v1/reports"): {"description": "they refused me", "country": "co"},
    }.get((method, path))


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"resources": []}))
    return buffer.getvalue()


def call(client, method: str, path: str, world: World, caller: str):
    """`path` (a route's template) called by `caller`, with ids of A (B's for the
    curator acting on B) and the body and headers that reach the access checks."""
    org = "B" if caller == CURATOR_ON_B else "A"
    headers: dict[str, str] = {}
    if caller in world.keys:
        headers["Authorization"] = f"Bearer {world.keys[caller]}"
    elif caller == KEY_NOT_SECRET:
        headers["Authorization"] = f"Bearer {world.keys[ADMIN]}"
    elif caller == INTERNAL:
        headers["X-Puente-Internal"] = get_settings().app_secret
    elif caller == WRONG_SECRET:
        headers["X-Puente-Internal"] = "guessed"
    if method in ("PUT", "PATCH", "DELETE"):
        headers["If-Match"] = '"stale"'  # past every access check, and changes nothing
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if path == "/admin/hsds/import":
        kwargs["files"] = {"file": ("package.zip", _empty_zip(), "application/zip")}
    else:
        body = body_for(method, path, world.ids[org])
        if body is not None:
            kwargs["json"] = body
    return client.request(method, fill(path, world, org), **kwargs)


def verdict(response, expected: Expectation) -> str | None:
    """None when the response is what `expected` says, else why not."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if expected == ANY:
        return None
    if expected == ALLOWED:
        return None if status not in (401, 403) else f"{status}, expected to be let in"
    location = response.headers.get("location", "")
    to_login = status in (302, 303) and location.endswith("/ui/login")
    if expected == LOGIN:
        return None if to_login else f"{status} {location!r}, expected a redirect to /ui/login"
    if expected == REFUSED:
        return None if to_login or 400 <= status < 500 else \
            f"{status} {location!r}, expected a refusal"
    return None if status in expected else f"{status}, expected one of {sorted(expected)}"


# ------------------------------------------------------------------------ tests
def test_every_route_is_classified(accounts_app):
    served = app_routes(accounts_app.client.app)
    unclassified = sorted(r for r in served if rule_for(*r) is None)
    assert not unclassified, ("classify these routes in ACCESS (who may call them?): "
                              f"{unclassified}")
    gone = sorted(set(ACCESS) - set(served))
    assert not gone, f"ACCESS names routes the app no longer has: {gone}"


def test_every_route_answers_every_caller_as_classified(accounts_app, world):
    client = accounts_app.client
    failures: list[str] = []
    checked = 0
    for method, path in app_routes(client.app):
        rule = rule_for(method, path)
        if rule is None or path == "/ui/static":
            continue
        for caller, expected in rule.expect.items():
            response = call(client, method, path, world, caller)
            checked += 1
            problem = verdict(response, expected)
            if problem:
                failures.append(f"{method} {path} as {caller} ({rule.kind}): {problem}: "
                                f"{response.text[:160]}")
            elif caller == CURATOR and method == "GET" and response.status_code == 200:
                leaked = [i for i in world.b_ids() if i in response.text]
                if leaked:
                    failures.append(f"{method} {path} shows the curator of A rows of B: {leaked}")
    assert not failures, f"{len(failures)} of {checked} calls:\n" + "\n".join(failures)
    assert checked > 300


def test_a_curator_cannot_move_her_rows_into_another_organization(accounts_app, world):
    """Creating in B, or pointing a row of A at B, is refused like touching B's rows."""
    client, key = accounts_app.client, world.keys[CURATOR]
    headers = {"Authorization": f"Bearer {key}"}
    a, b = world.ids["A"], world.ids["B"]
    for path, body in (("/admin/services", {"organization_id": b["organization"], "name": "x"}),
                       ("/admin/locations", {"organization_id": b["organization"]}),
                       ("/admin/phones", {"service_id": b["service"], "number": "+573001234569"}),
                       ("/admin/services", {"organization_id": a["organization"], "name": "x",
                                            "location_ids": [b["location"]]})):
        assert client.post(path, json=body, headers=headers).status_code == 403, (path, body)
    etag = client.get(f"/admin/services/{a['service']}", headers=headers).headers["etag"]
    moved = client.patch(f"/admin/services/{a['service']}", headers={**headers, "If-Match": etag},
                         json={"organization_id": b["organization"]})
    assert moved.status_code == 403
