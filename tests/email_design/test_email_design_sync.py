"""A design is authored content: saved on a device, it reaches the cloud's working copy and the other
device, and a publish makes it live, where the cloud renders the shop's e-mails from it."""

from __future__ import annotations

from pathlib import Path

from shared.db import connect
from shared.mail.designs import Design, DesignBlock, default_design, using_designs
from shared.mail.designs.samples import render_kind
from shared.mail.designs.service import save_design, stored_design
from shared.releases import publish
from tests.sync.conftest import (World, copy_db, cycle, distinct_milliseconds, pull, store_db,  # noqa: F401
                                 world)


def test_a_design_syncs_to_the_cloud_and_the_other_device_and_publishes(world: World, demo_source: Path,
                                                                       tmp_path: Path, branding) -> None:
    a, b = world.devices
    design = Design("order_confirmation", (DesignBlock("email-header", {}),
                                           DesignBlock("email-heading", {"heading": "Thanks from the harbour"}),
                                           *default_design("order_confirmation").blocks[2:]),
                    subject="Your order {number}")
    save_design(a.db, design)
    cycle(a, world.cloud)
    pull(b, world.cloud)
    assert stored_design(world.cloud, "order_confirmation") == design == stored_design(b.db, "order_confirmation")

    live = connect(copy_db(store_db(demo_source), tmp_path / "live.db"))
    try:
        with using_designs(live):
            assert "Thanks from the harbour" not in render_kind("order_confirmation", branding).html
        release = publish(world.cloud, live, device_id=a.device_id, note="E-mails")
        assert set(release.summary["tables"]) == {"email_designs"}
        assert release.summary["tables"]["email_designs"]["added"] == [
            {"key": "order_confirmation", "title": "Order confirmation"}]
        with using_designs(live):
            live_email = render_kind("order_confirmation", branding)
        with using_designs(world.cloud):
            work_email = render_kind("order_confirmation", branding)
        assert "Thanks from the harbour" in live_email.html and live_email.subject == "Your order #1001"
        assert live_email == work_email
    finally:
        live.close()
