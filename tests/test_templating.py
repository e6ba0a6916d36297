"""Templates compiled once per process: a second environment of the same
configuration loads the first one's code; an edited template, or an
environment that compiles differently, gets its own."""

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from admin_app.templating import SharedBytecodeCache


@pytest.fixture
def compiled() -> SharedBytecodeCache:
    return SharedBytecodeCache()


def environment(
    folder: Path, cache: SharedBytecodeCache, **options: object
) -> Environment:
    env = Environment(loader=FileSystemLoader(folder), autoescape=True, **options)  # type: ignore[arg-type]
    cache.attach(env)
    return env


def count_compiles(env: Environment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    real = env.compile

    def counting(source: str, name: str | None = None, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        compiled.append(str(name))
        return real(source, name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(env, "compile", counting)
    return compiled


def test_a_second_environment_compiles_nothing(
    tmp_path: Path, compiled: SharedBytecodeCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "page.html").write_text("<p>{{ who }}</p>")
    first = environment(tmp_path, compiled)
    assert first.get_template("page.html").render(who="<a>") == "<p>&lt;a&gt;</p>"
    second = environment(tmp_path, compiled)
    compiles = count_compiles(second, monkeypatch)
    assert second.get_template("page.html").render(who="b") == "<p>b</p>"
    assert compiles == []


def test_an_edited_template_is_compiled_again(
    tmp_path: Path, compiled: SharedBytecodeCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_text("old {{ 1 }}")
    environment(tmp_path, compiled).get_template("page.html").render()
    page.write_text("new {{ 2 }}")
    second = environment(tmp_path, compiled)
    compiles = count_compiles(second, monkeypatch)
    assert second.get_template("page.html").render() == "new 2"
    assert compiles == ["page.html"]


def test_an_environment_that_compiles_differently_has_its_own_code(
    tmp_path: Path, compiled: SharedBytecodeCache
) -> None:
    (tmp_path / "page.html").write_text("<p>{{ who }}</p>")
    environment(tmp_path, compiled).get_template("page.html").render(who="x")
    raw = Environment(loader=FileSystemLoader(tmp_path), autoescape=False)
    compiled.attach(raw)
    # Escaping is compiled in: code shared across the two would escape here.
    assert raw.get_template("page.html").render(who="<a>") == "<p><a></p>"
