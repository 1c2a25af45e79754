"""The business owner's area at /admin: staff sign-in, settings, contacts, dashboard, audit."""


def add_admin_pages(app) -> None:
    """Add the /admin pages to the Reflex app."""


def admin_routes() -> list:
    """The admin area's own HTTP routes (its session cookie), mounted next to the portal's."""
    return []
