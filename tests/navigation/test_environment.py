"""``ADMIN_ENVIRONMENT``: its text, coloured by what it names."""

import pytest

from admin_app.navigation.environment import environment_label
from admin_app.settings import Settings


@pytest.mark.parametrize(
    ("setting", "text", "tone"),
    [
        ("production", "production", "danger"),
        ("PROD", "PROD", "danger"),
        ("staging", "staging", "warning"),
        ("test", "test", "warning"),
        ("development", "development", "secondary"),
        ("  eu   west 1 ", "eu west 1", "secondary"),
        ("production eu", "production eu", "secondary"),  # only the word itself
    ],
)
def test_the_label_says_the_setting(setting: str, text: str, tone: str) -> None:
    label = environment_label(setting)
    assert label is not None
    assert (label.text, label.tone) == (text, tone)


@pytest.mark.parametrize("setting", ["", "   "])
def test_no_setting_no_label(setting: str) -> None:
    assert environment_label(setting) is None


def test_the_setting_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADMIN_ENVIRONMENT", "staging")
    assert Settings().environment == "staging"
    monkeypatch.delenv("ADMIN_ENVIRONMENT")
    assert Settings().environment == ""


def test_a_label_too_long_to_show_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_ENVIRONMENT", "x" * 41)
    with pytest.raises(ValueError, match="40 characters"):
        Settings()
