"""What both ends of the sync protocol agree on (docs/sync-protocol.md section 2): its version and
the headers every /_sync/ request carries. The device's client and the cloud's API import it from
here, so the two can never speak different versions by a typo."""

from __future__ import annotations

PROTOCOL = "1"
PROTOCOL_HEADER = "Vibeshop-Protocol"
SCHEMA_HEADER = "Vibeshop-Schema"
