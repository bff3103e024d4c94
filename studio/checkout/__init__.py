"""The studio's Checkout section: taxes, shipping, pickup, discounts and the payment connection."""
