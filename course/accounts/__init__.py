"""Accounts: sign-in, roles and invitations."""
