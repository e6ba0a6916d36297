"""The environment label (``ADMIN_ENVIRONMENT``) on every page: its own text,
coloured by what it names, so nobody mistakes production for staging."""

from dataclasses import dataclass

# Words of the setting → Tabler's colour for them: red for the real thing,
# amber for its rehearsals, neutral for anything else ("development", "demo").
_TONES = {
    **dict.fromkeys(("production", "prod", "live"), "danger"),
    **dict.fromkeys(
        (
            "staging",
            "stage",
            "test",
            "testing",
            "qa",
            "uat",
            "preprod",
            "pre-production",
        ),
        "warning",
    ),
}


@dataclass(frozen=True)
class EnvironmentLabel:
    """What the label says and how it looks."""

    text: str
    tone: str  # "danger", "warning" or "secondary"


def environment_label(setting: str) -> EnvironmentLabel | None:
    """The label for ``ADMIN_ENVIRONMENT``; None when it is empty (no label)."""
    text = " ".join(setting.split())
    if not text:
        return None
    return EnvironmentLabel(text, _TONES.get(text.lower(), "secondary"))
