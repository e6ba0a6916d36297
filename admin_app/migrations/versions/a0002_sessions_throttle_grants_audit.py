"""admin_app's login sessions, login throttle, per-model grants and audit trail.

Revision ID: a0002
Revises: a0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0002"
down_revision: str | Sequence[str] | None = "a0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_app_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "username", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False
        ),
        sa.Column(
            "action", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False
        ),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("pk", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column(
            "remote_addr", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_app_audit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_app_audit_action"), ["action"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_admin_app_audit_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_admin_app_audit_model"), ["model"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_admin_app_audit_pk"), ["pk"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_admin_app_audit_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "admin_app_grant",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.Column(
            "model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("can_view", sa.Boolean(), nullable=False),
        sa.Column("can_add", sa.Boolean(), nullable=False),
        sa.Column("can_change", sa.Boolean(), nullable=False),
        sa.Column("can_delete", sa.Boolean(), nullable=False),
        sa.Column("can_export", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("role", "model", name="uq_admin_app_grant"),
    )
    op.create_table(
        "admin_app_throttle",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "window_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False
        ),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "admin_app_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["admin_app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_app_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_app_session_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    # Dropping the table drops its index with it; MariaDB/MySQL refuse to drop
    # first an index their foreign key needs.
    op.drop_table("admin_app_session")
    op.drop_table("admin_app_throttle")
    op.drop_table("admin_app_grant")
    with op.batch_alter_table("admin_app_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_user_id"))
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_pk"))
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_model"))
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_at"))
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_action"))

    op.drop_table("admin_app_audit")
