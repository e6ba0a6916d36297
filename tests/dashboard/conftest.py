"""The dashboard's tests run on the demo's models and declared dashboard."""

from tests.demo_site import settings  # noqa: F401
