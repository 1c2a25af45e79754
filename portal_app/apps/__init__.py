"""Child apps: one package each under portal_app/apps/<name>/, registered with the shell."""


def add_child_app_pages(app) -> None:
    """Add every registered child app's pages to the Reflex app."""
