"""admin_app's own tables: the admin user.

Revision ID: a0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("admin_app",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "username", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False
        ),
        sa.Column(
            "password_hash",
            sqlmodel.sql.sqltypes.AutoString(length=255),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "viewer",
                "editor",
                "admin",
                name="admin_app_role",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_login", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_admin_app_user_username"), "admin_app_user", ["username"], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_admin_app_user_username"), table_name="admin_app_user")
    op.drop_table("admin_app_user")
