"""The stored import: what was uploaded, how its columns map, what its dry run
found, and where it stands (previewed, done, undone).

The uploaded file itself stays on the server (:mod:`admin_app.imports.files`),
named by the record's random id; the preview page carries only that id. The
rows an import wrote are found again through their audit entries
(``AuditEntry.import_id``), which is what undo reads.
"""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from admin_app.audit.entries import utc_now


class State(enum.StrEnum):
    previewed = "previewed"
    running = "running"
    done = "done"
    undone = "undone"


class ImportRecord(SQLModel, table=True):
    """One upload and what became of it."""

    __tablename__ = "admin_app_import"

    # secrets.token_hex(16): also the uploaded file's name.
    id: str = Field(primary_key=True, max_length=32)
    # The view's identity, as in URLs.
    model: str = Field(max_length=100, index=True)
    user_id: int | None = Field(default=None, index=True)
    username: str = Field(default="", max_length=150)
    state: str = Field(default=State.previewed.value, max_length=16)
    created_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    file_name: str = Field(default="", max_length=255)
    file_format: str = Field(default="csv", max_length=8)
    # {header: field name}; a header mapped to "" is ignored.
    mapping: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    # {"match": column or None, "valid_only": bool}
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # {"total", "created", "updated", "unchanged", "refused"}: the dry run's,
    # then the confirmed import's.
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
