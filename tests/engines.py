"""The test database another way: through its async driver (one mapping for
every test that runs the admin on an async engine too), or a MariaDB whose
connections are out of strict SQL mode."""

from sqlalchemy.engine import make_url

# The blocking driver each test URL names, and the async driver of the same
# database the admin supports (README, "Databases").
ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "mysql": "mysql+asyncmy",
    "mysql+pymysql": "mysql+asyncmy",
}


def async_url(database_url: str) -> str:
    """``database_url`` with its async driver (aiosqlite, asyncpg, asyncmy)."""
    url = make_url(database_url)
    async_url = url.set(drivername=ASYNC_DRIVERS[url.drivername])
    return async_url.render_as_string(hide_password=False)


def lax(database_url: str) -> str:
    """The same MariaDB, each connection put out of strict SQL mode."""
    url = make_url(database_url).update_query_dict(
        {"init_command": "SET SESSION sql_mode = ''"}
    )
    return url.render_as_string(hide_password=False)
