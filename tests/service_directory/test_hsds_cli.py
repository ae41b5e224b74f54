"""`puente directory import-hsds` / `export-hsds` on a SQLite file."""
from pathlib import Path

from service_directory.cli import main

DATA = Path(__file__).parent / "data"


def test_import_then_export_from_the_command_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code = main(["directory", "import-hsds", str(DATA / "hsds_official"), "--database-url", url])
    err = capsys.readouterr().err
    assert code == 1 and "nothing imported (strict mode)" in err
    assert "locations.csv line 2: latitude: latitude 100 is out of range" in err

    code = main(["directory", "import-hsds", str(DATA / "hsds_small"), "--database-url", url])
    out = capsys.readouterr().out
    assert code == 0 and "service: 3 created" in out

    assert main(["directory", "export-hsds", str(tmp_path / "out"), "--database-url", url]) == 0
    assert main(["directory", "export-hsds", str(tmp_path / "out.zip"), "--database-url", url]) == 0
    capsys.readouterr()
    code = main(["directory", "import-hsds", str(tmp_path / "out.zip"), "--database-url", url])
    assert code == 0 and "service: 0 created, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert main(["directory", "export-hsds", str(tmp_path / "again"), "--database-url", url]) == 0
    for path in sorted((tmp_path / "out").iterdir()):
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name


def test_skip_invalid_imports_the_valid_rows_and_says_so(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code = main(["directory", "import-hsds", str(DATA / "hsds_official"), "--skip-invalid",
                 "--database-url", url])
    out = capsys.readouterr().out
    assert code == 1  # imported, but some rows were skipped
    assert "imported every valid row (skip-invalid mode)" in out
    assert "organization: 1 created" in out


def test_a_path_without_a_package_is_a_clear_error(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["directory", "import-hsds", str(tmp_path), "--database-url", url]) == 2
    assert "has no datapackage.json" in capsys.readouterr().err
