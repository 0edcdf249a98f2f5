"""Which failures mean the database went away, and how long the app waits between retries."""

from __future__ import annotations

import asyncpg
import pytest

from db.core.connect import DatabaseUnavailable
from db.core.reachability import RETRY_CAP, is_unreachable, retry_delay


def test_retries_wait_twice_as_long_each_time_up_to_the_cap() -> None:
    assert [retry_delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, RETRY_CAP, RETRY_CAP]
    assert retry_delay(10_000) == RETRY_CAP


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "No such file or directory"),  # the server's socket is gone
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),
        DatabaseUnavailable("cannot connect to the database"),
        asyncpg.CannotConnectNowError("the database system is shutting down"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
    ],
)
def test_a_server_that_is_gone_is_unreachable(error: BaseException) -> None:
    assert is_unreachable(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.UniqueViolationError("duplicate key"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.InsufficientPrivilegeError("permission denied"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        ValueError("bad value"),
    ],
)
def test_a_server_that_refuses_the_work_is_not_unreachable(error: BaseException) -> None:
    assert not is_unreachable(error)
