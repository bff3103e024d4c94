"""Hostile inputs to the POS API over real HTTP: the demo store on a real app (pos_hostile_support.py)."""

from pos_hostile_support import hostile  # noqa: F401 - the folder's fixture
