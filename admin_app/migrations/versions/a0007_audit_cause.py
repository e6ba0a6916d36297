"""An audit entry's cause: the entry of the delete (or restore) a row went with,
so that a parent's restore finds the rows deleted with it in the same action.

Revision ID: a0007
Revises: a0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a0007"
down_revision: str | Sequence[str] | None = "a0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("admin_app_audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cause_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_admin_app_audit_cause_id"), ["cause_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_app_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_app_audit_cause_id"))
        batch_op.drop_column("cause_id")
