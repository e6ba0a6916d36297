"""Shape: required secret columns and no API model.

A users table with ``password_hash: str`` (NOT NULL, no default) and an
``api_token: str`` the application compares as it is, and no ``UserCreate``:
both columns are hidden (sensitive), so the admin gives each a write-only
input: the password is hashed by the configured hasher, the token stored as
typed; on edit an empty input keeps the stored value.
"""

from sqlmodel import Field, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")
SECRETS = ("SECRET-HASH-VALUE", "SECRET-TOKEN-VALUE")


class RequiredSecretUser(SQLModel, table=True):
    __tablename__ = "required_secret_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=120, unique=True, index=True)
    password_hash: str = Field(max_length=300)
    api_token: str = Field(max_length=64, min_length=8)
    is_active: bool = True


def seed(session: Session) -> None:
    session.add_all(
        [
            RequiredSecretUser(
                email="ann@example.com",
                password_hash="SECRET-HASH-VALUE",
                api_token="SECRET-TOKEN-VALUE",
            ),
            RequiredSecretUser(
                email="bob@example.com",
                password_hash="SECRET-HASH-VALUE",
                api_token="SECRET-TOKEN-VALUE",
                is_active=False,
            ),
        ]
    )
    session.commit()


CREATE: dict[str, dict[str, str | list[str]]] = {
    "required-secret-user": {
        "email": "cleo@example.com",
        "password_hash": "a long pass phrase",
        "api_token": "tok-12345678",
    },
}
