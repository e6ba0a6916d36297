"""Details: a row's own page beyond its columns (sqladmin draws those): its
collections, counted and sampled without loading them.

Imports the core only.
"""
