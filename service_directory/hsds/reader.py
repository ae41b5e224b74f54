"""Read an HSDS tabular data package (a folder or a zip with `datapackage.json`).

The package names its resources and their CSV files in `datapackage.json`; this module
finds them there (never by guessing file names), decodes UTF-8 (with or without BOM),
and keeps the line on which each record starts so every problem can be reported as
"file line N". It does not judge values: `validate` and `importer` do.
"""
from __future__ import annotations

import csv
import io
import json
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import spec
from .texts import N_, Text

DESCRIPTOR = "datapackage.json"
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # uncompressed; refuses zip bombs


class PackageError(ValueError):
    """The package cannot be read at all (no datapackage.json, not a zip, ...)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or noteworthy) in the package, located by file, line and column."""

    file: str
    line: int | None
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line else "")
        what = f"{self.column}: " if self.column else ""
        return f"{where}: {what}{self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message}


@dataclass
class Row:
    line: int
    values: dict[str, str | None]


@dataclass
class Table:
    """One resource's CSV: its columns as written and its rows (empty cells are None)."""

    resource: str
    path: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    @property
    def unknown_columns(self) -> list[str]:
        known = set(spec.BY_NAME[self.resource].column_names) if self.resource in spec.BY_NAME else set()
        return [c for c in self.columns if c not in known]


@dataclass
class Package:
    tables: dict[str, Table]
    errors: list[Problem]
    notes: list[Problem]
    descriptor: dict


class _Source:
    """Files of a package, by path relative to the folder holding datapackage.json."""

    def __init__(self, origin: str | Path | bytes) -> None:
        self._zip: zipfile.ZipFile | None = None
        self._root: Path | None = None
        self._prefix = ""
        if isinstance(origin, (bytes, bytearray)):
            self._open_zip(io.BytesIO(origin), "uploaded file")
        else:
            path = Path(origin)
            if path.is_dir():
                if not (path / DESCRIPTOR).is_file():
                    raise PackageError(f"{path} has no {DESCRIPTOR}: an HSDS package needs one "
                                       "naming its resources and CSV files")
                self._root = path
            elif path.is_file():
                self._open_zip(path, str(path))
            else:
                raise PackageError(f"{path} does not exist")

    def _open_zip(self, file, label: str) -> None:
        try:
            archive = zipfile.ZipFile(file)
        except zipfile.BadZipFile:
            raise PackageError(Text(N_("{file} is not a zip file (give a folder or a .zip "
                                       "holding {descriptor} and the CSV files)"),
                                    file=label, descriptor=DESCRIPTOR)) from None
        if sum(info.file_size for info in archive.infolist()) > MAX_PACKAGE_BYTES:
            raise PackageError(Text(N_("{file} unpacks to more than {megabytes} MB"), file=label,
                                    megabytes=MAX_PACKAGE_BYTES // 2**20))
        candidates = sorted(
            (n for n in archive.namelist()
             if PurePosixPath(n).name == DESCRIPTOR and not n.startswith("__MACOSX")),
            key=lambda n: (n.count("/"), n))
        if not candidates:
            raise PackageError(Text(N_("{file} has no {descriptor}: an HSDS package needs one "
                                       "naming its resources and CSV files"),
                                    file=label, descriptor=DESCRIPTOR))
        self._zip = archive
        self._prefix = posixpath.dirname(candidates[0])

    def read(self, relative: str) -> bytes | None:
        """The bytes of `relative` (None when absent); refuses paths leaving the package."""
        clean = posixpath.normpath(relative.replace("\\", "/"))
        if clean.startswith("../") or clean == ".." or clean.startswith("/"):
            raise PackageError(f"{DESCRIPTOR} names a file outside the package: {relative!r}")
        if self._zip is not None:
            name = posixpath.join(self._prefix, clean) if self._prefix else clean
            try:
                return self._zip.read(name)
            except KeyError:
                return None
        target = self._root / clean
        return target.read_bytes() if target.is_file() else None


def package_from_csv(files: dict[str, bytes]) -> bytes:
    """A zip package from CSV files sent without one (`services.csv`, `locations.csv`,
    ... as HSDS names them: one table or several), with a `datapackage.json` listing
    them, so they are read, checked and imported as any package is."""
    resources, names = [], {}
    for name, data in files.items():
        base = PurePosixPath(name.replace("\\", "/")).name
        resource = spec.BY_PATH.get(base)
        if resource is None:
            known = ", ".join(sorted(spec.BY_PATH))
            raise PackageError(Text(N_("{file} is not an HSDS table; name each CSV file after "
                                       "its table ({known}) or send the zip with "
                                       "datapackage.json"), file=base, known=known))
        if base in names:
            raise PackageError(Text(N_("{file} was sent twice; send each table once"), file=base))
        names[base] = data
        resources.append({"name": resource.name, "path": base})
    if not names:
        raise PackageError(Text(N_("no file was sent; choose the zip or the CSV files")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DESCRIPTOR, json.dumps({"name": "uploaded-csv-files",
                                                 "resources": resources}, indent=2))
        for base, data in names.items():
            archive.writestr(base, data)
    return buffer.getvalue()


def read_package(origin: str | Path | bytes) -> Package:
    """Read every resource `datapackage.json` lists; rows keep their starting line."""
    source = _Source(origin)
    raw = source.read(DESCRIPTOR)
    try:
        descriptor = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(Text(N_("{descriptor} is not valid JSON: {problem}"),
                                descriptor=DESCRIPTOR, problem=str(exc))) from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise PackageError(Text(N_("{descriptor} has no \"resources\" list"),
                                descriptor=DESCRIPTOR))
    tables: dict[str, Table] = {}
    errors: list[Problem] = []
    notes: list[Problem] = []
    for index, entry in enumerate(resources):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            errors.append(Problem(DESCRIPTOR, None, Text(N_("resource #{number} has no \"path\" "
                                                             "string"), number=index + 1)))
            continue
        path = entry["path"]
        name = entry.get("name") or ""
        if name not in spec.BY_NAME:
            by_path = spec.BY_PATH.get(PurePosixPath(path).name)
            if by_path is None:
                notes.append(Problem(DESCRIPTOR, None, Text(
                    N_("resource {name} is not part of HSDS 3.0; ignored"),
                    name=repr(name or path))))
                continue
            name = by_path.name
        if name in tables:
            errors.append(Problem(DESCRIPTOR, None, Text(N_("resource {name} is listed twice"),
                                                        name=repr(name))))
            continue
        data = source.read(path)
        if data is None:
            notes.append(Problem(path, None, Text(N_("listed for resource {name} but absent; "
                                                        "no rows read"), name=repr(name))))
            continue
        table = _read_csv(name, path, data, errors)
        if table is not None:
            tables[name] = table
    return Package(tables=tables, errors=errors, notes=notes, descriptor=descriptor)


def _read_csv(resource: str, path: str, data: bytes, errors: list[Problem]) -> Table | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(Problem(path, line, Text(N_("is not UTF-8 (byte {byte}); save the file "
                                                     "as UTF-8 and import again"),
                                                  byte=exc.start)))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.append(Problem(path, 1, Text(N_("unreadable CSV header: {problem}"),
                                              problem=str(exc))))
        return None
    if not header:
        errors.append(Problem(path, 1, Text(N_("is empty: it needs at least a header row"))))
        return None
    columns = [c.strip() for c in header]
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        errors.append(Problem(path, 1, Text(N_("header repeats the column(s) {columns}"),
                                              columns=", ".join(duplicates))))
        return None
    table = Table(resource=resource, path=path, columns=columns)
    last_line = reader.line_num
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(Problem(path, start, Text(N_("unreadable CSV: {problem}"),
                                                      problem=str(exc))))
            return table
        last_line = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue  # blank line
        if len(record) > len(columns):
            errors.append(Problem(path, start, Text(N_("has {count} values but the header has "
                                                          "{columns} columns"),
                                                       count=len(record), columns=len(columns))))
            continue
        values: dict[str, str | None] = {}
        for column, cell in zip(columns, record + [""] * (len(columns) - len(record))):
            cell = cell.strip()
            values[column] = cell or None
        table.rows.append(Row(line=start, values=values))
    return table
