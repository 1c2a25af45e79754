"""The person's profile: details every child app uses, and whether they are complete.

service.py is the API the shell and the child apps call (no Reflex); state.py and page.py are /profile
and the home banner.
"""


def add_profile_pages(app) -> None:
    """Add /profile to the Reflex app (imported here, so reading the service never loads Reflex)."""
    from portal_app.profile.page import profile_page
    from portal_app.profile.state import ProfileState
    from portal_app.states.session import SessionState

    app.add_page(
        profile_page, route="/profile", title="Your profile", on_load=[SessionState.require_account, ProfileState.load]
    )
