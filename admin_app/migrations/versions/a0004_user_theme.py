"""An admin user's light/dark choice: "auto" (the browser's), "light" or "dark".

Revision ID: a0004
Revises: a0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a0004"
down_revision: str | Sequence[str] | None = "a0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("admin_app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "theme",
                sa.Enum(
                    "auto",
                    "light",
                    "dark",
                    name="admin_app_theme",
                    native_enum=False,
                    length=8,
                ),
                server_default="auto",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_app_user", schema=None) as batch_op:
        batch_op.drop_column("theme")
