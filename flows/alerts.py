"""Alerts: new conflicts and new large facts reach the reviewer through a Prefect notification
block (Slack, e-mail, a custom webhook, …) named in sources.toml:

    [settings]
    alert_block = "custom-webhook/newsfacts-alerts"   # block type slug / block name
    alert_min_usd = 1e9          # new money facts from this size on (default 1e9)
    alert_min_watts = 1e9        # new power facts from this size on (default 1 GW)

The block is created once in Prefect (UI, or ``CustomWebhookNotificationBlock(...).save(name)``);
the flow only loads it by name, so no secret lives in the sources file. A failed alert is
logged and never fails the run: the report holds the same news.
"""

from __future__ import annotations

import logging

log = logging.getLogger("newsfacts.alerts")


async def send_alert(block_ref: str, subject: str, body: str) -> bool:
    """Load the notification block ``type-slug/name`` and send; False (logged) on failure."""
    from prefect.blocks.core import Block

    try:
        block = await Block.aload(block_ref)
        await block.anotify(body, subject)
    except Exception as exc:  # noqa: BLE001 - any failure of the channel is reported, not raised
        log.error("alert through %s failed: %s", block_ref, exc)
        return False
    log.info("alert sent through %s", block_ref)
    return True
