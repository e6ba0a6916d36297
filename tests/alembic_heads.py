"""admin_app's own Alembic head, read from its versions folder: tests that
check a migrated database name it without repeating the latest revision."""

from alembic.config import Config
from alembic.script import ScriptDirectory

from admin_app import resources


def admin_head() -> str:
    config = Config()
    config.set_main_option("script_location", str(resources.migrations_dir()))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(resources.admin_versions_dir()))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None, "admin_app's migrations have no single head"
    return head
