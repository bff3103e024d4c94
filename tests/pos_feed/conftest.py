"""The POS order feed's fixtures: the demo store on a real app (localstripe for cards), POS devices at
its two locations, and orders placed as checkout places them (pos_feed_support.py)."""

from pos_feed_support import feed  # noqa: F401 - the folder's fixture
