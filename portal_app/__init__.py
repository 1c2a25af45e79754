"""The Client Portal: a self-hostable customer portal built with Reflex."""
