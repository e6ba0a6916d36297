"""Database errors read by the driver's structured fields only: an error that
carries none is no known problem, whatever its message says."""

from sqlalchemy.exc import DBAPIError

from admin_app.forms.diagnosis import Problem, diagnose


def test_an_error_without_driver_details_is_no_known_problem() -> None:
    error = DBAPIError("INSERT INTO tag ...", {}, Exception("boom"))
    assert diagnose(error).problem is Problem.OTHER
