"""The studio's Point of sale page: the store's POS devices and their tokens (issue 13)."""
