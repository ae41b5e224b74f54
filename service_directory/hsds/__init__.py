"""HSDS 3.0 import and export of the service directory (DESIGN.md, "Service directory").

- `import_package(session, path_or_zip_bytes, skip_invalid=False)` → `ImportReport`
- `export_folder(session, folder)`, `export_zip(session)`, `package_files(session)`
- `spec` holds the specification's resources and columns; `values` the checks shared
  with the admin API.
"""
from .exporter import export_folder, export_zip, package_files
from .importer import ImportReport, import_package
from .reader import PackageError, Problem

__all__ = ["ImportReport", "PackageError", "Problem", "export_folder", "export_zip",
           "import_package", "package_files"]
