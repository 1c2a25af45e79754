"""The person's profile: details every child app uses, and whether they are complete."""


def add_profile_pages(app) -> None:
    """Add /profile to the Reflex app."""
