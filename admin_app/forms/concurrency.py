"""Optimistic concurrency for edit forms: a stale form is refused, not saved over.

An edit form carries a signed snapshot of the row as it was loaded. Saving
compares it with the row as it is now, inside the saving transaction: a model's
version column when it has one, otherwise every column. Sensitive columns
travel only as keyed digests, so the form never holds a secret.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Mapper, Session
from sqlmodel import SQLModel

from admin_app.display import moment_text
from admin_app.inspection import admin_options, columns_of, mapper_of
from admin_app.moments import zoned
from admin_app.references import Labels, Linker, Reference, foreign_keys

FIELD_NAME = "_row_snapshot"
_SALT = "admin_app.forms.concurrency"


@dataclass(frozen=True)
class Change:
    """One column someone else changed since the form was loaded."""

    name: str
    title: str
    loaded: str
    now: str
    # A foreign key's rows, by label (see :func:`named_rows`).
    loaded_row: Reference | None = None
    now_row: Reference | None = None


class StaleEdit(Exception):
    """The row changed after the form was loaded."""

    def __init__(self, changes: list[Change], token: str) -> None:
        super().__init__("the row changed since the form was loaded")
        self.changes = changes
        # The row as it is now: saving again with it means "overwrite knowingly".
        self.token = token


@cache  # asked once per row snapshot: fifty times for a list page
def version_column(model: type[SQLModel]) -> str | None:
    """The column that counts a row's versions, if the model has one (a
    model's columns do not change: asked once per model)."""
    mapper: Mapper[Any] = mapper_of(model)
    if mapper.version_id_col is not None:
        return str(mapper.version_id_col.key)
    for fact in columns_of(model):
        if admin_options(model, fact.name).get("version"):
            return fact.name
    return None


class Snapshots:
    """Signs and compares row snapshots with the site's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=_SALT)
        self._digest_key = hashlib.sha256((_SALT + secret_key).encode()).digest()

    def values(self, row: SQLModel) -> dict[str, str]:
        """The comparable, displayable form of every column of ``row``."""
        model = type(row)
        version = version_column(model)
        facts = columns_of(model)
        if version is not None:
            facts = tuple(f for f in facts if f.name == version)
        values: dict[str, str] = {}
        for fact in facts:
            shown = _plain(getattr(row, fact.name, None))
            if fact.sensitive:
                shown = hmac.new(self._digest_key, shown.encode(), "sha256").hexdigest()
            values[fact.name] = shown
        return values

    def token(self, row: SQLModel) -> str:
        return str(self._serializer.dumps(self.values(row)))

    def digest(self, row: SQLModel) -> str:
        """A short keyed digest of the row's snapshot: enough to tell that it
        changed (inline rows carry one each; a token names the values too)."""
        text = json.dumps(self.values(row), sort_keys=True)
        mac = hmac.new(self._digest_key, text.encode(), "sha256").digest()
        return base64.urlsafe_b64encode(mac[:12]).decode()

    def check(self, token: str | None, row: SQLModel) -> None:
        """Raise :class:`StaleEdit` when ``row`` is not the row ``token`` saw.

        A missing or forged token counts as stale: nothing says what was seen.
        """
        now = self.values(row)
        try:
            loaded = self._serializer.loads(token) if token else None
        except BadSignature:
            loaded = None
        if isinstance(loaded, dict) and loaded == now:
            return
        titles = {fact.name: fact.title for fact in columns_of(type(row))}
        sensitive = {fact.name for fact in columns_of(type(row)) if fact.sensitive}
        changes = []
        for name, value in now.items():
            before = loaded.get(name) if isinstance(loaded, dict) else None
            if before != value:
                if name in sensitive:
                    before, value = "(hidden)", "(changed)"
                changes.append(
                    Change(name, titles.get(name, name), before or "", value)
                )
        raise StaleEdit(changes, self.token(row))


def named_rows(
    session: Session,
    model: type[SQLModel],
    changes: list[Change],
    link: Linker,
    zone: tzinfo = UTC,
) -> list[Change]:
    """``changes`` as people read them: a foreign key's rows by label (one
    query per related table), a date-time in ``zone`` to the second."""
    targets = foreign_keys(model)
    labels = Labels()
    for change in changes:
        if change.name in targets:
            labels.want(targets[change.name], change.loaded)
            labels.want(targets[change.name], change.now)
    labels.load(session)
    columns = mapper_of(model).columns
    named = []
    for change in changes:
        target = targets.get(change.name)
        column = columns.get(change.name)
        if target is not None:
            change = replace(
                change,
                loaded_row=labels.get(target, change.loaded, link)
                if change.loaded
                else None,
                now_row=labels.get(target, change.now, link) if change.now else None,
            )
        elif column is not None and zoned(column) is not None:
            change = replace(
                change,
                loaded=_moment(change.loaded, zone),
                now=_moment(change.now, zone),
            )
        named.append(change)
    return named


def _moment(text: str, zone: tzinfo) -> str:
    try:
        return moment_text(datetime.fromisoformat(text), zone) if text else text
    except ValueError:
        return text


def _plain(value: Any) -> str:
    """A stable text form of a column value, for comparing and showing."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if hasattr(value, "value") and hasattr(value, "name"):  # an enum member
        return str(value.value)
    return str(value)
