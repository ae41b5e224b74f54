"""The import page with CSV files sent without a zip (one table, or several chosen
together: the same dry run as a package), and a package's `staleness_limit_days` read
back, so an exported package edited and imported keeps each service's limit."""
from __future__ import annotations

import csv
import io
import re
import zipfile

from service_directory.models.directory import Service

from .test_web import csrf_of, fresh_throttle, person, sign_in, two_orgs  # noqa: F401
from .test_web_export import with_places

SMALL = __import__("pathlib").Path(__file__).parent / "data" / "hsds_small"


def signed_in_admin(app):
    person(app, "admin", "ivo@ngo.example")
    sign_in(app, "ivo@ngo.example")
    return csrf_of(app.client.get("/ui/import").text)


def csv_files(*names: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("package", (name, (SMALL / name).read_bytes(), "text/csv")) for name in names]


def test_several_csv_files_without_a_zip_get_the_same_dry_run_then_import(accounts_app):
    token = signed_in_admin(accounts_app)
    tables = sorted(p.name for p in SMALL.glob("*.csv"))
    dry = accounts_app.client.post("/ui/import", data={"csrf": token}, files=csv_files(*tables))
    assert dry.status_code == 200, dry.text
    assert "Nothing is saved yet" in dry.text
    with accounts_app.sessions() as session:
        assert session.get(Service, "svc-sample-hiv") is None
    confirm = re.search(r'action="(/ui/import/[0-9a-f]+)"', dry.text).group(1)
    assert "Imported." in accounts_app.client.post(confirm, data={"csrf": token}).text
    with accounts_app.sessions() as session:
        assert session.get(Service, "svc-sample-hiv").name.startswith("Prueba de VIH")


def test_one_csv_file_is_a_package_of_one_table(accounts_app):
    token = signed_in_admin(accounts_app)
    dry = accounts_app.client.post("/ui/import", data={"csrf": token},
                                   files=csv_files("organizations.csv"))
    assert dry.status_code == 200, dry.text
    counts = re.search(r"<tr><th>Organizations</th><td>(\d+)</td>", dry.text)
    assert counts and int(counts.group(1)) > 0


def test_a_csv_file_not_named_after_a_table_or_mixed_with_a_zip_is_explained(accounts_app):
    token = signed_in_admin(accounts_app)
    odd = accounts_app.client.post("/ui/import", data={"csrf": token}, files=[
        ("package", ("clinics.csv", b"id,name\n1,A\n", "text/csv"))])
    assert odd.status_code == 422
    assert "clinics.csv is not an HSDS table" in odd.text and "services.csv" in odd.text
    mixed = accounts_app.client.post("/ui/import", data={"csrf": token}, files=[
        ("package", ("p.zip", b"PK\x03\x04rest", "application/zip")),
        *csv_files("services.csv")])
    assert mixed.status_code == 422 and "not both" in mixed.text
    nothing = accounts_app.client.post("/ui/import", data={"csrf": token})
    assert nothing.status_code == 422


def _edited(package: bytes, limits: dict[str, str]) -> bytes:
    """The zip with services.csv's staleness_limit_days changed for these services."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "services.csv":
                rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
                for row in rows:
                    row["staleness_limit_days"] = limits.get(row["id"], row["staleness_limit_days"])
                text = io.StringIO()
                writer = csv.DictWriter(text, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
                data = text.getvalue().encode("utf-8")
            archive.writestr(name, data)
    return out.getvalue()


def test_an_exported_package_brings_each_staleness_limit_back(two_orgs):
    with_places(two_orgs)
    token = signed_in_admin(two_orgs)
    package = two_orgs.client.get("/ui/export").content
    edited = _edited(package, {"org-a-old": "30", "org-b-old": "", "org-a-new": "9999"})
    dry = two_orgs.client.post("/ui/import", data={"csrf": token},
                               files={"package": ("back.zip", edited, "application/zip")})
    assert dry.status_code == 200, dry.text
    assert "staleness_limit_days" in dry.text and "must be between 1 and 3650" in dry.text
    assert "columns not in HSDS 3.0 ignored" not in dry.text
    confirm = re.search(r'action="(/ui/import/[0-9a-f]+)"', dry.text).group(1)
    two_orgs.client.post(confirm, data={"csrf": token})
    with two_orgs.sessions() as session:
        limits = {s.id: s.staleness_limit_days for s in session.query(Service)}
    # 30 read back; an empty cell keeps the limit; 9999 is refused with its row
    assert limits == {"org-a-old": 30, "org-b-old": 180, "org-a-new": 180, "org-b-new": 180}
