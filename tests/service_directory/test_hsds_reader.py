"""Reading HSDS packages: files found through datapackage.json, lines kept for reports."""
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from service_directory.hsds import spec
from service_directory.hsds.reader import PackageError, read_package

DATA = Path(__file__).parent / "data"
OFFICIAL = DATA / "hsds_official"
SMALL = DATA / "hsds_small"


def _package(tmp_path: Path, files: dict[str, str], resources: list[dict]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": resources}))
    return tmp_path


def test_official_example_package_is_read_in_full():
    package = read_package(OFFICIAL)
    assert package.errors == []
    assert set(package.tables) == {r.name for r in spec.RESOURCES}
    location = package.tables["location"].rows[0]
    assert location.line == 2 and location.values["latitude"] == "100"
    # A record shorter than the header (taxonomy_terms.csv) is padded, not refused.
    assert package.tables["taxonomy_term"].rows[0].values["metadata"] is None


def test_files_are_found_through_datapackage_json_not_by_name(tmp_path):
    _package(tmp_path, {"orgs-2026.csv": "id,name\no1,Org\n"},
             [{"name": "organization", "path": "orgs-2026.csv"}])
    package = read_package(tmp_path)
    assert [r.values["name"] for r in package.tables["organization"].rows] == ["Org"]


def test_a_folder_without_datapackage_json_is_refused(tmp_path):
    (tmp_path / "organizations.csv").write_text("id,name\n")
    with pytest.raises(PackageError, match="datapackage.json"):
        read_package(tmp_path)


def test_rows_keep_the_line_they_start_on_across_quoted_newlines(tmp_path):
    text = 'id,name,description\r\no1,A,"two\r\nlines"\r\n\r\no2,B,x,extra\r\no3,C,ok\r\n'
    _package(tmp_path, {"organizations.csv": text},
             [{"name": "organization", "path": "organizations.csv"}])
    package = read_package(tmp_path)
    rows = package.tables["organization"].rows
    assert [(r.values["id"], r.line) for r in rows] == [("o1", 2), ("o3", 6)]
    assert [str(p) for p in package.errors] == [
        "organizations.csv line 5: has 4 values but the header has 3 columns"]


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    (tmp_path / "organizations.csv").write_bytes(b"id,name\no1,ok\no2,Caf\xe9\n")
    (tmp_path / "datapackage.json").write_text(json.dumps(
        {"resources": [{"name": "organization", "path": "organizations.csv"}]}))
    package = read_package(tmp_path)
    assert len(package.errors) == 1
    assert str(package.errors[0]).startswith("organizations.csv line 3: is not UTF-8")


def test_zip_with_the_package_in_a_subfolder_is_read(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(SMALL.iterdir()):
            archive.write(path, f"export-2026/{path.name}")
    package = read_package(buffer.getvalue())
    assert len(package.tables["service"].rows) == 3


def test_a_path_leaving_the_package_is_refused(tmp_path):
    shutil.copytree(SMALL, tmp_path / "pkg")
    (tmp_path / "pkg" / "datapackage.json").write_text(json.dumps(
        {"resources": [{"name": "organization", "path": "../secret.csv"}]}))
    with pytest.raises(PackageError, match="outside the package"):
        read_package(tmp_path / "pkg")


def test_spec_lists_the_design_files():
    paths = {r.path for r in spec.RESOURCES}
    assert {"organizations.csv", "services.csv", "locations.csv", "service_at_location.csv",
            "addresses.csv", "phones.csv", "schedules.csv", "languages.csv",
            "taxonomies.csv", "taxonomy_terms.csv", "attributes.csv"} <= paths
