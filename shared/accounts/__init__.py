"""Merchant accounts: argon2 passwords, store membership, scoped API tokens."""
