"""Uploading a file to an import, and reading its pages, as a person would."""

import re
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from admin_app.settings import Settings
from tests.conftest import make_settings

BASE = "/admin/imp-person"
_ID = re.compile(r"/import/([0-9a-f]{32})")


def import_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    """Settings of an admin of tests/imports/models.py, its uploads in tmp_path."""
    return make_settings(
        database_url,
        tmp_path,
        models=["tests.imports.models"],
        import_dir=tmp_path / "imports",
        **overrides,
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return import_settings(database_url, tmp_path)


def upload(
    client: TestClient,
    name: str,
    body: bytes | str,
    base: str = BASE,
    encoding: str = "utf-8",
) -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        f"{base}/import",
        files={"file": (name, data, "application/octet-stream")},
        data={"encoding": encoding},
    )


def import_id(response: httpx.Response) -> str:
    found = _ID.search(response.headers.get("location", ""))
    assert found, (response.status_code, response.text[:500])
    return found.group(1)


def counts(page: str) -> dict[str, int]:
    found = re.findall(r'data-count="(\w+)">([\d,]+)<', page)
    return {name: int(value.replace(",", "")) for name, value in found}


def preview(client: TestClient, name: str, body: bytes | str, base: str = BASE) -> str:
    """Upload a file whose columns match; the import's id (its preview is up)."""
    response = upload(client, name, body, base)
    assert response.status_code == 303, response.text[:2000]
    assert not response.headers["location"].endswith("/mapping")
    return import_id(response)


def confirm(
    client: TestClient, found: str, valid_only: bool = False, base: str = BASE
) -> httpx.Response:
    data = {"valid_only": "1"} if valid_only else {}
    return client.post(f"{base}/import/{found}/confirm", data=data)


def remap(
    client: TestClient,
    found: str,
    fields: list[str],
    match: str = "",
    base: str = BASE,
) -> httpx.Response:
    """Post the mapping step: field ``fields[i]`` for the file's column i."""
    data = {f"column_{index}": name for index, name in enumerate(fields)}
    return client.post(f"{base}/import/{found}/mapping", data={**data, "match": match})
