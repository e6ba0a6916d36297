"""Form errors: messages by field, and the ones about the whole row."""

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class FormErrors(Exception):
    """What stops a row from being saved, ready to show next to its fields.

    Raised by the save path and caught by the form endpoints, which render the
    form again with these messages (HTTP 400) after the transaction rolled back.
    """

    fields: dict[str, list[str]] = field(default_factory=dict)
    row: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        """Add ``message`` to field ``name``, or to the whole row when ``None``."""
        if name is None:
            self.row.append(message)
        elif message not in self.fields.setdefault(name, []):
            self.fields[name].append(message)

    def merge(self, other: "FormErrors") -> None:
        for name, messages in other.fields.items():
            for message in messages:
                self.add(name, message)
        self.row.extend(m for m in other.row if m not in self.row)

    def __bool__(self) -> bool:
        return bool(self.fields or self.row)

    def __iter__(self) -> Iterator[tuple[str | None, str]]:
        for name, messages in self.fields.items():
            for message in messages:
                yield name, message
        for message in self.row:
            yield None, message

    def __str__(self) -> str:
        return "; ".join(
            f"{name}: {message}" if name else message for name, message in self
        )
