"""Email: templates, the outbox, and the senders that deliver it."""
