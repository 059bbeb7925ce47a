"""Handlers of other domains' events that tickets follow."""

from okienko.core.events import DomainEvent
from okienko.tickets.actions import do_retarget_saved_views


def follow_deleted_tier(event: DomainEvent) -> None:
    """Saved views filtering by a removed customer tier filter by its replacement instead (or
    no longer by tier)."""
    do_retarget_saved_views(
        key="tier_id", old=event.payload["tier_id"], new=event.payload["replacement_id"]
    )
