"""Uploaded files kept on the server between upload, preview and confirm.

Each upload is copied, a block at a time, to ``<dir>/<id>.upload`` where
``<id>`` is a random 128-bit token (the import record's id); the refused rows
of its dry run go to ``<id>.refused.csv``. Files older than the expiry are
deleted whenever another upload comes; a confirmed or undone import's are
deleted at once.
"""

import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqladmin.i18n import gettext

from admin_app.imports.readers import FileRefused

BLOCK = 1024 * 1024
_ID_CHARS = frozenset("0123456789abcdef")


def directory(configured: Path | None) -> Path:
    """Where uploads wait: ``ADMIN_IMPORT_DIR``, else the system's temp dir."""
    found = configured or Path(tempfile.gettempdir()) / "admin_app_imports"
    found.mkdir(parents=True, exist_ok=True, mode=0o700)
    return found


def new_id() -> str:
    return secrets.token_hex(16)


def is_id(text: str) -> bool:
    return len(text) == 32 and set(text) <= _ID_CHARS


def upload_path(folder: Path, import_id: str) -> Path:
    assert is_id(import_id)
    return folder / f"{import_id}.upload"


def refused_path(folder: Path, import_id: str) -> Path:
    assert is_id(import_id)
    return folder / f"{import_id}.refused.csv"


async def save_upload(upload: Any, target: Path, max_bytes: int) -> int:
    """Copy an uploaded file (Starlette's ``UploadFile``) to ``target`` a block
    at a time; refuse it past ``max_bytes``. Returns its size."""
    size = 0
    try:
        with target.open("wb") as out:
            while block := await upload.read(BLOCK):
                size += len(block)
                if size > max_bytes:
                    raise FileRefused(
                        gettext("The file is larger than %(size)s bytes.")
                        % {"size": max_bytes}
                    )
                out.write(block)
    except FileRefused:
        target.unlink(missing_ok=True)
        raise
    return size


def remove(folder: Path, import_id: str) -> None:
    for path in (upload_path(folder, import_id), refused_path(folder, import_id)):
        path.unlink(missing_ok=True)


def remove_expired(folder: Path, max_age: int) -> None:
    """Delete the files of uploads older than ``max_age`` seconds."""
    oldest = time.time() - max_age
    for path in folder.iterdir():
        name = path.name.split(".", 1)[0]
        try:
            if is_id(name) and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
        except OSError:
            continue


@dataclass(frozen=True)
class Limits:
    """The import settings (``ADMIN_IMPORT_*``) a site runs with."""

    directory: Path | None = None
    max_bytes: int = 100 * 1024 * 1024
    max_rows: int = 200_000
    expiry_seconds: int = 3600
