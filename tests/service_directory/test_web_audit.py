"""The audit log page (`/ui/audit`): filters by service, person and date, the row
before and after side by side, and a curator reading only her organizations' entries."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

from sqlalchemy import update

from service_directory import audit
from service_directory.models.accounts import AuditEntry
from service_directory.models.directory import Location, Phone, ServiceAtLocation

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs, version_of  # noqa: F401


def rows_of(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr><th scope="row">([^<]+)</th><td class="before">([^<]*)</td>'
                      r'<td class="after">([^<]*)</td></tr>', unescape(html))


def headings(html: str) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong> · ([a-z_]+ · [a-z_]+)", unescape(html))


def test_a_curator_reads_her_organizations_changes_side_by_side(two_orgs):
    with two_orgs.sessions.begin() as session:
        session.add(Location(id="loc-a", organization_id="org-a", name="A", latitude=1, longitude=1))
        session.add(Phone(id="ph-a", service_id="org-a-old", number="+573001234567"))
        session.flush()
        session.add(ServiceAtLocation(service_id="org-a-old", location_id="loc-a"))
        audit.record(session, "cli", "update", "service", "org-b-old",
                     {"name": "Clinic org-b"}, {"name": "Clínica B"})
        audit.record(session, "cli", "update", "phone", "ph-a",
                     {"number": "+573001234567"}, {"number": "+573007654321"})
        audit.record(session, "cli", "create", "user", "someone", None, {"name": "Zoe"})
        old = audit.record(session, "cli", "update", "location", "loc-a",
                           {"latitude": 1.0}, {"latitude": 2.0})
        session.flush()
        session.execute(update(AuditEntry).where(AuditEntry.id == old.id).values(
            at=datetime.now(timezone.utc) - timedelta(days=40)))
    person(two_orgs, "curator", "ines@ngo.example", orgs=("org-a",))
    sign_in(two_orgs, "ines@ngo.example")
    client = two_orgs.client
    page = client.get("/ui/services/org-a-old").text
    assert client.post("/ui/services/org-a-old", data={
        "csrf": csrf_of(page), "version": version_of(page), "name": "Clínica A",
        "email": "a@ngo.example"}, follow_redirects=False).status_code == 303

    log = client.get("/ui/audit").text
    assert ("user:ines (curator)", "update · service") in headings(log)
    assert ("name", "Clinic org-a", "Clínica A") in rows_of(log)  # before and after
    assert ("number", "+573001234567", "+573007654321") in rows_of(log)  # her phone
    assert "Clínica B" not in log and "Zoe" not in log  # another NGO's, and accounts

    by_service = client.get("/ui/audit", params={"service": "clínica a"}).text
    kinds = [h[1] for h in headings(by_service)]
    assert "update · service" in kinds and "update · phone" in kinds and "update · location" in kinds
    assert client.get("/ui/audit", params={"service": "org-b"}).text.count('class="card change"') == 0
    assert [h[1] for h in headings(client.get("/ui/audit", params={"who": "ines"}).text)] == [
        "update · service"]
    recent = (datetime.now(timezone.utc) - timedelta(days=7)).date().isoformat()
    assert "update · location" not in client.get("/ui/audit", params={"since": recent}).text
    until = (datetime.now(timezone.utc) - timedelta(days=30)).date().isoformat()
    assert [h[1] for h in headings(client.get("/ui/audit", params={"until": until}).text)] == [
        "update · location"]


def test_an_admin_reads_everything_and_an_analyst_nothing(two_orgs):
    with two_orgs.sessions.begin() as session:
        audit.record(session, "cli", "update", "service", "org-b-old",
                     {"name": "Clinic org-b"}, {"name": "Clínica B"})
    person(two_orgs, "admin", "jon@ngo.example")
    person(two_orgs, "analyst", "kai@ngo.example")
    sign_in(two_orgs, "jon@ngo.example")
    assert "Clínica B" in two_orgs.client.get("/ui/audit").text
    two_orgs.client.cookies.clear()
    sign_in(two_orgs, "kai@ngo.example")
    assert two_orgs.client.get("/ui/audit").status_code == 404
