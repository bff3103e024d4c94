"""Authoring from files: a store's theme, pages, templates and blocks as plain files (docs/files.md).

Pure domain code: `export_store` writes a folder, `load_folder` reads and checks one without a
database, `import_folder` stores it in one transaction. No argparse, no aiohttp.
"""

from shared.files.apply import ImportSummary, apply_folder, import_folder
from shared.files.errors import FilesError, FilesErrorCode, Problem
from shared.files.export import ExportResult, export_store, store_files, write_folder
from shared.files.load import FolderSpec, load_folder

__all__ = ["ExportResult", "FilesError", "FilesErrorCode", "FolderSpec", "ImportSummary", "Problem", "apply_folder",
           "export_store", "import_folder", "load_folder", "store_files", "write_folder"]
