"""Agencies, users, roles, log-in with MFA, sessions and API tokens."""
