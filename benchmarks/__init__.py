"""Benchmarks of admin_app against plain sqladmin (see README.md here)."""
