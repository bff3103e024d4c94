"""Repositories: the only place, besides migrations, where SQL lives. Functions take a Connection."""
