"""Outbound webhooks: events written with the change, delivered signed by the workers."""
