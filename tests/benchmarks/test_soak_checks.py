"""The soak's verdicts (benchmarks/soak_checks.py) on made-up runs: a lost
save, a refused save that was written, a delete done twice, an error outside
the killed worker's window are each caught; a sound run passes."""

from benchmarks.soak_checks import (
    Update,
    check_answers,
    check_deletes,
    check_saves,
    killed,
)
from benchmarks.soak_traffic import Record


def save(marker: str, status: int | None, started: float, ended: float) -> Record:
    error = None if status else "ReadError"
    return Record("save", 1, started, ended, status, error, row=7, marker=marker)


def update(id: int, before: str | None, after: str) -> Update:
    return Update(id, 7, before, after, frozenset({"note"}))


SAVES = [save("a", 302, 0.0, 1.0), save("b", 409, 0.5, 1.2), save("c", 302, 1.5, 2.0)]


def test_saves_kept_in_order_and_audited_pass() -> None:
    trail = [update(1, "old", "a"), update(2, "a", "c")]

    assert check_saves(SAVES, {7: "old"}, {7: "c"}, trail) == []


def test_a_save_answered_but_overwritten_by_an_earlier_one_is_lost() -> None:
    trail = [update(1, "old", "c"), update(2, "c", "a")]

    problems = check_saves(SAVES, {7: "old"}, {7: "a"}, trail)

    assert any("began after it was answered" in line for line in problems)


def test_a_save_audited_from_a_value_the_row_no_longer_had_is_a_lost_update() -> None:
    trail = [update(1, "old", "a"), update(2, "old", "c")]

    problems = check_saves(SAVES, {7: "old"}, {7: "c"}, trail)

    assert any("a save lost" in line for line in problems)


def test_a_refused_save_in_the_trail_or_a_done_one_missing_is_caught() -> None:
    trail = [update(1, "old", "a"), update(2, "a", "b")]

    problems = check_saves(SAVES, {7: "old"}, {7: "b"}, trail)

    assert any("was refused (409) but is in the trail" in line for line in problems)
    assert any("save c of order 7 answered 302" in line for line in problems)


def test_a_save_in_doubt_may_or_may_not_have_been_kept() -> None:
    saves = [save("a", 302, 0.0, 1.0), save("d", None, 1.5, 2.0)]
    kept = [update(1, "old", "a"), update(2, "a", "d")]

    assert check_saves(saves, {7: "old"}, {7: "d"}, kept) == []
    assert check_saves(saves, {7: "old"}, {7: "a"}, kept[:1]) == []


def delete(row: int, status: int) -> Record:
    return Record("delete", 1, 0.0, 1.0, status, row=row)


def test_deletes_done_once_refused_after_and_audited_pass() -> None:
    records = [delete(1, 200), delete(1, 409), delete(2, 404)]

    assert check_deletes(records, [1, 2, 3], {3}, {1: 1, 2: 1}) == []


def test_a_row_deleted_twice_or_without_its_entry_is_caught() -> None:
    records = [delete(1, 200), delete(1, 200), delete(2, 200)]

    problems = check_deletes(records, [1, 2], set(), {1: 2})

    assert "customer 1: 2 deletes of it answered done" in problems
    assert "customer 1: gone, with 2 delete entries" in problems
    assert "customer 2: gone, with 0 delete entries" in problems


def test_only_the_killed_workers_requests_may_go_unanswered() -> None:
    in_flight = Record("list", 1, 9.5, 10.2, error="ReadError")
    reused = Record("list", 2, 12.0, 12.1, error="RemoteProtocolError")
    later = Record("list", 3, 30.0, 30.1, error="ConnectError")
    failed = Record("save", 4, 9.0, 9.1, status=500)

    assert killed(in_flight, 10.0) and killed(reused, 10.0)
    assert not killed(later, 10.0)
    assert check_answers([in_flight, reused, later, failed], 10.0) == [
        "list: ConnectError (no answer) x1",
        "save: HTTP 500 x1",
    ]
