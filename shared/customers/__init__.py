"""Customers: shoppers known by e-mail (newsletter sign-ups now, orders later)."""
