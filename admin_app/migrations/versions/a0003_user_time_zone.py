"""An admin user's own time zone (empty: the admin's ``ADMIN_TIMEZONE``).

Revision ID: a0003
Revises: a0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0003"
down_revision: str | Sequence[str] | None = "a0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("admin_app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "time_zone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_app_user", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
