"""Imports: the ``import`` right on grants, the import an audit entry belongs
to, and the stored imports (admin_app.imports).

Revision ID: a0005
Revises: a0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0005"
down_revision: str | Sequence[str] | None = "a0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("admin_app_grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "can_import", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    with op.batch_alter_table("admin_app_audit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "import_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f("ix_admin_app_audit_import_id"), ["import_id"], unique=False
        )
    op.create_table(
        "admin_app_import",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "model", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column(
            "username", sqlmodel.sql.sqltypes.AutoString(length=150), nullable=False
        ),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column(
            "file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False
        ),
        sa.Column(
            "file_format", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False
        ),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_app_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_app_import_model"), ["model"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_admin_app_import_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_app_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_app_import_user_id"))
        batch_op.drop_index(batch_op.f("ix_admin_app_import_model"))
    op.drop_table("admin_app_import")
    with op.batch_alter_table("admin_app_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_import_id"))
        batch_op.drop_column("import_id")
    with op.batch_alter_table("admin_app_grant", schema=None) as batch_op:
        batch_op.drop_column("can_import")
