"""The event types a system sees in the feed, the document's timeline and webhooks."""

from outbox.webhooks import EVENT_TYPES

EVENT_TYPE_CHOICES = sorted(set(EVENT_TYPES.values()))
