"""Database errors read by the driver's structured fields only: an error that
carries none is no known problem, whatever its message says. MySQL's error
number says what failed; the names come from its message's quoted parts."""

import pymysql
from sqlalchemy.exc import DBAPIError

from admin_app.forms.diagnosis import Diagnosis, Problem, diagnose


def mysql_error(number: int, message: str) -> DBAPIError:
    orig = pymysql.err.IntegrityError(number, message)
    return DBAPIError("INSERT INTO tag ...", {}, orig)


def test_an_error_without_driver_details_is_no_known_problem() -> None:
    error = DBAPIError("INSERT INTO tag ...", {}, Exception("boom"))
    assert diagnose(error).problem is Problem.OTHER


def test_mysql_errors_are_told_by_number_and_name_their_key_or_column() -> None:
    # MySQL 8 names a duplicate's key "table.key", MariaDB the bare key.
    mysql8 = mysql_error(1062, "Duplicate entry 'a.b' for key 'tag.ix_tag_label'")
    # The value is quoted as it is, quotes and all.
    mariadb = mysql_error(1062, "Duplicate entry 'it's 'x'' for key 'ix_tag_label'")
    assert diagnose(mysql8) == Diagnosis(
        Problem.UNIQUE, "mysql", "1062", "tag", "ix_tag_label"
    )
    assert diagnose(mariadb).constraint == "ix_tag_label"
    assert diagnose(mariadb).table is None
    # MySQL's check is 3819, MariaDB's 4025, each worded its own way.
    mysql_check = mysql_error(3819, "Check constraint 'no_less' is violated.")
    maria_check = mysql_error(4025, "CONSTRAINT `no_less` failed for `db`.`stock`")
    assert diagnose(mysql_check) == Diagnosis(
        Problem.CHECK, "mysql", "3819", constraint="no_less"
    )
    assert diagnose(maria_check) == Diagnosis(
        Problem.CHECK, "mysql", "4025", "stock", "no_less"
    )
    missing = mysql_error(
        1452,
        "Cannot add or update a child row: a foreign key constraint fails "
        "(`db`.`membership`, CONSTRAINT `membership_ibfk_1` FOREIGN KEY "
        "(`club_id`, `x`) REFERENCES `club` (`id`, `y`))",
    )
    assert diagnose(missing) == Diagnosis(
        Problem.FOREIGN_KEY,
        "mysql",
        "1452",
        "membership",
        "membership_ibfk_1",
        ("club_id", "x"),
    )
    too_long = mysql_error(1406, "Data too long for column 'label' at row 1")
    assert diagnose(too_long).columns == ("label",)
    assert diagnose(too_long).problem is Problem.DATA
    null = mysql_error(1048, "Column 'label' cannot be null")
    assert diagnose(null) == Diagnosis(
        Problem.NOT_NULL, "mysql", "1048", columns=("label",)
    )


def test_a_mysql_message_in_another_language_is_still_told_by_number() -> None:
    # lc_messages=de_DE: the number decides the kind, the quotes give the name.
    german = mysql_error(1062, "Doppelter Eintrag 'red' für Schlüssel 'ix_tag_label'")
    assert diagnose(german).problem is Problem.UNIQUE
    assert diagnose(german).constraint == "ix_tag_label"
    # A number this code does not know is no known problem, whatever it says.
    odd = mysql_error(1205, "Duplicate entry 'a' for key 'ix_tag_label'")
    assert diagnose(odd).problem is Problem.OTHER
