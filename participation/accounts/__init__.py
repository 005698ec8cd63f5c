"""Accounts: registering, signing in and out, profile and password."""
