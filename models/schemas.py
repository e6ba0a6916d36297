"""Non-table API models for creating and updating users."""

from pydantic import EmailStr
from sqlmodel import Field, SQLModel


class UserCreate(SQLModel):
    """Input for creating a user; the plain password is hashed before storage."""

    email: EmailStr = Field(max_length=254)
    full_name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=8, max_length=128)
    team_id: int | None = None
    is_active: bool = True


class UserUpdate(SQLModel):
    """Partial update of a user; fields left unset are not changed."""

    email: EmailStr | None = Field(default=None, max_length=254)
    full_name: str | None = Field(default=None, min_length=1, max_length=120)
    password: str | None = Field(default=None, min_length=8, max_length=128)
    team_id: int | None = None
    is_active: bool | None = None
