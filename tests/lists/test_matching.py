"""The term-matching rules pickers and list search share (admin_app.lists.matching):
LIKE escaping, prefix ranges, e-mail and key shortcuts, numbers in range."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite

from admin_app.lists.matching import (
    _range,
    contains_match,
    email_columns,
    escape_like,
    exact_matches,
    folds_case,
    integer_term,
    is_email_name,
    is_email_term,
    key_matches,
    prefix_match,
)
from tests.sample_models import ClubTagLink, Member, Tag


def sql(clause: object, dialect: object = None) -> str:
    stmt = select(Tag.id).where(clause)  # type: ignore[arg-type]
    compiled = stmt.compile(
        dialect=dialect or sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def test_escape_like_makes_wildcards_and_the_escape_literal() -> None:
    assert escape_like("5%_\\") == "5\\%\\_\\\\"
    assert escape_like("plain") == "plain"


@pytest.mark.parametrize(
    ("spelling", "bounds"),
    [
        ("ada", ("ada", "adb")),
        ("Az", ("Az", "A{")),
        ("ada.", ("ada", "adb")),  # punctuation after the stem: from the stem
        ("a9", ("a9", "a:")),
        ("%_", None),  # no letter or digit: LIKE alone
        ("", None),
    ],
)
def test_prefix_ranges_hold_everything_that_starts_with_the_spelling(
    spelling: str, bounds: tuple[str, str] | None
) -> None:
    assert _range(spelling) == bounds


def test_a_prefix_is_matched_in_each_usual_spelling_never_from_the_middle() -> None:
    text = sql(prefix_match(Tag.label, "ada lo"))
    for spelling in ("ada lo", "Ada lo", "Ada Lo", "ADA LO"):
        assert f"tag.label LIKE '{spelling}%' ESCAPE '\\'" in text
        assert f"tag.label >= '{spelling}'" in text
    assert "'%" not in text and "lower(" not in text


def test_contains_escapes_the_term_and_reads_other_types_as_text() -> None:
    text = sql(contains_match(Tag.label, "5%"), postgresql.dialect())
    assert "tag.label ILIKE '%%5\\%%%%' ESCAPE '\\'" in text  # %% is psycopg's %
    assert "CAST" not in text
    number = sql(contains_match(Tag.id, "5"), postgresql.dialect())
    assert "CAST(tag.id AS VARCHAR) ILIKE" in number


def test_integers_in_range_of_their_type_only() -> None:
    assert integer_term(Integer(), "2147483647") == 2**31 - 1
    assert integer_term(Integer(), "2147483648") is None
    assert integer_term(SmallInteger(), "-32768") == -(2**15)
    assert integer_term(BigInteger(), "9" * 19) is None
    assert integer_term(Integer(), "-5", signed=False) is None
    assert integer_term(Integer(), "12a") is None
    # Longer than int() reads (4,300 digits): no match, not a ValueError.
    assert integer_term(BigInteger(), "9" * 5000) is None


def test_email_names_and_terms() -> None:
    for name in ("email", "Email", "work_email", "e_mail", "email_address"):
        assert is_email_name(name), name
    for name in ("emails", "mail", "email_count", "female"):
        assert not is_email_name(name), name
    assert is_email_term("ada@example.com")
    for term in ("ada@", "ada@example", "a b@example.com", "@example.com"):
        assert not is_email_term(term), term
    assert email_columns(Member) == [Member.__table__.c.email]  # type: ignore[attr-defined]


def test_exact_shortcuts_for_addresses_and_keys() -> None:
    assert exact_matches(Tag, "board") == []
    assert "tag.id = 12" in sql(exact_matches(Tag, "12")[0])
    assert key_matches(Tag, "9" * 5000) == []
    assert key_matches(Tag, "-1") == []  # keys are typed as digits
    assert key_matches(ClubTagLink, "1") == []  # a composite key: no shortcut
    member_id = uuid.uuid4()
    (by_key,) = key_matches(Member, str(member_id))
    assert str(member_id.hex) in sql(by_key)
    (by_address,) = exact_matches(Member, "Ada@Example.com")
    assert "IN ('Ada@Example.com', 'ada@example.com')" in sql(by_address)


# MySQL/MariaDB: their collations compare without case


def test_on_mysql_a_prefix_is_one_like_its_collation_folds() -> None:
    text = sql(prefix_match(Tag.label, "Ada_lo"), mysql.dialect())
    assert text.endswith("WHERE tag.label LIKE 'Ada\\\\_lo%%' ESCAPE '\\\\'"), text
    assert ">=" not in text and "lower(" not in text and " OR " not in text


def bin_variant(collation: str) -> String:
    return String(40).with_variant(String(40, collation=collation), "mysql")


words = MetaData()
# One column of each kind: the database's default collation, one declared
# case-insensitive, two declared case-sensitive; a table collated binary.
WORDS = Table(
    "cased_words",
    words,
    Column("id", Integer, primary_key=True),
    Column("plain", String(40), index=True),
    Column("folded", bin_variant("utf8mb4_unicode_ci")),
    Column("binary", bin_variant("utf8mb4_bin")),
    Column(
        "sensitive",
        mysql.VARCHAR(40, binary=True).with_variant(String(40), "sqlite", "postgresql"),
    ),
)
BINARY_TABLE = Table(
    "binary_words",
    words,
    Column("id", Integer, primary_key=True),
    Column("word", String(40)),
    mysql_collate="utf8mb4_bin",
)


def test_a_case_sensitive_collation_is_lowered_on_mysql() -> None:
    dialect = mysql.dialect()
    assert folds_case(WORDS.c.plain, dialect)
    assert folds_case(WORDS.c.folded, dialect)
    assert not folds_case(WORDS.c.binary, dialect)
    assert not folds_case(WORDS.c.sensitive, dialect)
    assert not folds_case(BINARY_TABLE.c.word, dialect)
    assert not folds_case(BINARY_TABLE.alias().c.word, dialect)
    assert not folds_case(
        Column("w", String(9, collation="utf8mb4_0900_as_cs")), dialect
    )
    lowered = sql(prefix_match(WORDS.c.binary, "AdA"), dialect)
    assert "lower(cased_words.`binary`) LIKE 'ada%%'" in lowered, lowered


@pytest.fixture
def cased_words(engine: Engine) -> Iterator[Engine]:
    words.create_all(engine)
    spellings = ["Ada", "ada", "ADA", "aDa", "Adb", "bada"]
    with engine.begin() as connection:
        connection.execute(
            insert(WORDS),
            [{"plain": w, "folded": w, "binary": w, "sensitive": w} for w in spellings],
        )
        connection.execute(insert(BINARY_TABLE), [{"word": w} for w in spellings])
    yield engine
    words.drop_all(engine)


def test_every_collation_searches_without_case(cased_words: Engine) -> None:
    """On MySQL every case of the prefix, whatever the column's collation; on
    SQLite and PostgreSQL its usual spellings (not "aDa")."""
    found = {"Ada", "ada", "ADA"}
    if cased_words.dialect.name == "mysql":
        found.add("aDa")
    with cased_words.connect() as connection:
        for column in (*list(WORDS.c)[1:], BINARY_TABLE.c.word):
            for term in ("ada", "ADA"):  # the second from the statement cache
                stmt = select(column).where(prefix_match(column, term))
                assert set(connection.scalars(stmt)) == found, (column, term)
