"""The studio's Marketing ▸ Campaigns page (issue 12, section 4): see page.py."""

from studio.marketing.page import CampaignsPage

__all__ = ["CampaignsPage"]
