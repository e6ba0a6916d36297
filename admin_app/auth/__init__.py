"""Logins: admin_app's own user table, password hashing and the login backend."""
