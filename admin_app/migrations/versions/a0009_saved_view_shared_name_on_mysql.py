"""Saved views' shared names unique on MariaDB/MySQL too: there is no partial
index there, so a stored generated column holds a shared view's name (NULL for
a private one: NULLs never collide) and a unique index covers it. Nothing on
other databases: their partial index (a0006) is the rule.

Revision ID: a0009
Revises: a0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a0009"
down_revision: str | Sequence[str] | None = "a0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "admin_app_saved_view"
INDEX = "uq_admin_app_saved_view_shared"


def _on_mysql() -> bool:
    return op.get_bind().dialect.name in ("mysql", "mariadb")


def upgrade() -> None:
    if not _on_mysql():
        return
    # Two admins sharing one name at once could both succeed before: the first
    # keeps it shared, the others' views stay their owners' (their names are
    # unique per owner already), so the index can be made.
    op.execute(
        sa.text(
            "UPDATE admin_app_saved_view AS v JOIN ("
            " SELECT model, name, MIN(id) AS kept FROM admin_app_saved_view"
            " WHERE shared GROUP BY model, name HAVING COUNT(*) > 1"
            ") AS d ON v.model = d.model AND v.name = d.name"
            " SET v.shared = 0 WHERE v.shared AND v.id <> d.kept"
        )
    )
    op.add_column(
        TABLE,
        sa.Column(
            "shared_name",
            sa.String(length=100),
            sa.Computed("CASE WHEN shared THEN name END", persisted=True),
            nullable=True,
        ),
    )
    op.create_index(INDEX, TABLE, ["model", "shared_name"], unique=True)


def downgrade() -> None:
    if not _on_mysql():
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.drop_column(TABLE, "shared_name")
