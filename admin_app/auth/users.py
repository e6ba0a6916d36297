"""Creating admin users and setting their passwords (the CLI and the demo use it)."""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from admin_app.auth.models import AdminUser, Role
from admin_app.auth.passwords import MAX_PASSWORD_LENGTH, hash_password

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")


class UserError(ValueError):
    """A username or password the admin cannot accept; the message says why."""


def check_username(username: str) -> str:
    username = username.strip()
    if not _USERNAME.match(username):
        raise UserError(
            "usernames are 1 to 150 letters, digits and @ . + - _ characters"
        )
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"passwords are at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"passwords are at most {MAX_PASSWORD_LENGTH} characters")
    return password


def hash_new_password(password: str) -> str:
    """The hash of a password chosen in an admin form (raises UserError)."""
    return hash_password(check_password(password))


def find_user(session: Session, username: str) -> AdminUser | None:
    query = select(AdminUser).where(col(AdminUser.username) == username)
    return session.scalars(query).first()


def create_user(
    session: Session, username: str, password: str, role: Role = Role.admin
) -> AdminUser:
    """Add an active user; refuses a taken username."""
    username = check_username(username)
    if find_user(session, username) is not None:
        raise UserError(f"a user named {username!r} already exists")
    user = AdminUser(
        username=username,
        password_hash=hash_password(check_password(password)),
        role=role,
    )
    session.add(user)
    session.commit()
    return user


def set_password(
    session: Session, username: str, password: str, role: Role = Role.admin
) -> AdminUser:
    """Create ``username`` or reset its password, leaving it active."""
    username = check_username(username)
    user = find_user(session, username)
    if user is None:
        return create_user(session, username, password, role)
    user.password_hash = hash_password(check_password(password))
    user.is_active = True
    session.commit()
    return user
