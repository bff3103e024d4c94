"""Marketing: newsletter campaigns sent at a bounded rate to consenting customers, the abandoned-checkout
reminder with its cart-restore link, and the one-click unsubscribe (RFC 8058). See docs/marketing.md.

Public API (each takes the caller's `Connection` inside `db.write` / `db.read` and an explicit `now`, so
tests drive the clock):
- campaigns: `create_campaign`, `update_campaign`, `get_campaign`, `list_campaigns`, `recipients`,
  `send_test`, `start_sending`, `cancel_campaign`, `send_due_batches` (the background step);
- abandoned checkout: `remind_abandoned_checkouts` (the background step), `restore_cart`;
- consent: `unsubscribe`, `unsubscribe_address`;
- settings: `read_settings`, `update_settings`;
- the background loop: `MarketingWorker`.
Marketing rows live only in the cloud's live store database: never synced, never in a device copy."""

from shared.marketing.abandoned import remind_abandoned_checkouts, restore_cart
from shared.marketing.audience import mask, unsubscribe, unsubscribe_address
from shared.marketing.campaigns import (Campaign, cancel_campaign, create_campaign, get_campaign, list_campaigns,
                                        preview_copy, recipients, send_due_batches, send_test, start_sending,
                                        update_campaign)
from shared.marketing.errors import MarketingError, MarketingErrorCode
from shared.marketing.settings import MarketingSettings, read_settings, update_settings
from shared.marketing.worker import MarketingWorker

__all__ = [
    "Campaign", "MarketingError", "MarketingErrorCode", "MarketingSettings", "MarketingWorker", "cancel_campaign",
    "create_campaign", "get_campaign", "list_campaigns", "mask", "preview_copy", "read_settings", "recipients",
    "remind_abandoned_checkouts", "restore_cart", "send_due_batches", "send_test", "start_sending", "unsubscribe",
    "unsubscribe_address", "update_campaign", "update_settings",
]
