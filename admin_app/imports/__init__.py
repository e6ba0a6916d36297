"""Imports: bringing rows in from files (sqladmin's CSV import, with the column
types SQLModel tables have).

Imports the core only.
"""
