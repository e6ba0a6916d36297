"""What a column of a given type can hold, on the supported databases.

One place for the limits a value is checked against: before a save (so SQLite,
which stores anything, refuses what PostgreSQL would) and after the database
refused one (to say which field was at fault).
"""

from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String
from sqlalchemy.types import TypeEngine

# What a column of each integer type holds on every supported database.
_INTEGER_BITS: tuple[tuple[type[Integer], int], ...] = (
    (SmallInteger, 16),
    (BigInteger, 64),
    (Integer, 32),
)


def integer_range(sql_type: Integer, backend: str | None = None) -> tuple[int, int]:
    """The least and the greatest value an integer column holds (both included).

    By the declared type, which holds on every supported database; on SQLite
    alone (``backend="sqlite"``) every integer column holds 64 bits.
    """
    if backend == "sqlite":
        bits = 64
    else:
        bits = next(b for kind, b in _INTEGER_BITS if isinstance(sql_type, kind))
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def max_length(sql_type: TypeEngine[Any]) -> int | None:
    """The most characters a string column holds, if its type says."""
    if isinstance(sql_type, String) and sql_type.length:
        return sql_type.length
    return None


def storable_text(value: str) -> bool:
    """Whether a text column can hold ``value``: PostgreSQL cannot store a NUL."""
    return "\x00" not in value
