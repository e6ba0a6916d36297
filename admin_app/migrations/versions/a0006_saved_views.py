"""Saved views of lists: a name, an owner, shared or not, the list's query.

Revision ID: a0006
Revises: a0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0006"
down_revision: str | Sequence[str] | None = "a0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_app_saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column(
            "query", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False
        ),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["admin_app_user.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "model", "owner_id", "name", name="uq_admin_app_saved_view_owner"
        ),
    )
    with op.batch_alter_table("admin_app_saved_view", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_app_saved_view_owner_id"), ["owner_id"], unique=False
        )
        if op.get_bind().dialect.name in ("mysql", "mariadb"):
            return  # no partial indexes there (admin_app.saved_views.models)
        batch_op.create_index(
            "uq_admin_app_saved_view_shared",
            ["model", "name"],
            unique=True,
            sqlite_where=sa.text("shared"),
            postgresql_where=sa.text("shared"),
        )


def downgrade() -> None:
    op.drop_table("admin_app_saved_view")
