"""Dashboard widgets' figures kept ahead of time (admin_app.dashboard.snapshots).

Revision ID: a0008
Revises: a0007
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a0008"
down_revision: str | Sequence[str] | None = "a0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_app_dashboard_snapshot",
        sa.Column(
            "widget", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column(
            "audience", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("widget", "audience"),
    )


def downgrade() -> None:
    op.drop_table("admin_app_dashboard_snapshot")
