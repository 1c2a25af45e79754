"""/: the signed-in home page: greeting, the profile banner, a card per open app, and the timeline."""

import reflex as rx

from portal_app.apps.registry import all_apps
from portal_app.home.ui.home_state import ALL_SOURCES, HomeState
from portal_app.profile.ui.profile_page import profile_banner
from portal_app.shell.ui.pages import page
from portal_app.shell.ui.portal_frame import portal_frame
from portal_app.shell.ui.session_state import SessionState


def _app_icon(key) -> rx.Component:
    """The app's lucide icon; the apps are known when the page is built, so no icon is loaded at run time."""
    return rx.match(
        key,
        *((app.key, rx.icon(app.icon, size=20, aria_hidden="true")) for app in all_apps()),
        rx.icon("layout-grid", size=20, aria_hidden="true"),
    )


def _card(card) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _app_icon(card.key),
                rx.heading(card.title, as_="h3", size="4"),
                rx.spacer(),
                rx.cond(card.count != "", rx.text(card.count, size="6", weight="bold")),
                align="center",
                width="100%",
            ),
            rx.text(card.headline, weight="medium"),
            rx.foreach(card.details, lambda line: rx.text(line, size="2", color_scheme="gray")),
            rx.foreach(card.links, lambda link: rx.link(link.label, href=link.href, size="2")),
            rx.link("Open " + card.title, href=card.route, size="2", weight="medium"),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def _apps_section() -> rx.Component:
    return rx.el.section(
        rx.heading("Your apps", as_="h2", size="5", margin_bottom="12px"),
        rx.cond(
            HomeState.cards.length() > 0,
            rx.grid(
                rx.foreach(HomeState.cards, _card), columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="4"
            ),
            rx.text("No apps are open to you yet.", color_scheme="gray"),
        ),
        aria_label="Your apps",
        width="100%",
    )


def _entry(entry) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.text(entry.label, weight="medium"),
                rx.cond(entry.summary != "", rx.text(entry.summary, size="2")),
                rx.text(
                    rx.el.time(entry.when, date_time=entry.when_iso), " · ", entry.source, size="1", color_scheme="gray"
                ),
                spacing="1",
                align="start",
            ),
            width="100%",
        ),
        style={"listStyle": "none", "padding": "10px 0", "borderBottom": "1px solid var(--gray-4)"},
    )


def _source_filter() -> rx.Component:
    return rx.hstack(
        rx.el.label("Show", html_for="timeline-source", class_name="portal-label"),
        rx.select.root(
            rx.select.trigger(id="timeline-source", aria_label="Show entries from"),
            rx.select.content(
                rx.select.item("All", value=ALL_SOURCES),
                rx.foreach(HomeState.sources, lambda source: rx.select.item(source["label"], value=source["value"])),
            ),
            value=HomeState.source,
            on_change=HomeState.set_source,
        ),
        align="center",
        spacing="2",
    )


def _timeline_section() -> rx.Component:
    return rx.el.section(
        rx.hstack(
            rx.heading("Your timeline", as_="h2", size="5"),
            rx.spacer(),
            _source_filter(),
            align="center",
            width="100%",
            wrap="wrap",
            margin_bottom="4px",
        ),
        rx.cond(
            HomeState.entries.length() > 0,
            rx.el.ol(rx.foreach(HomeState.entries, _entry), style={"padding": 0, "margin": 0}),
            rx.text("Nothing here yet.", color_scheme="gray"),
        ),
        rx.cond(
            HomeState.has_more,
            rx.button("Show more", variant="soft", on_click=HomeState.show_more, margin_top="12px"),
        ),
        aria_label="Your timeline",
        width="100%",
    )


@page("/", "Home", on_load=[SessionState.require_account, HomeState.load])
def home_page() -> rx.Component:
    return portal_frame(
        rx.heading("Welcome, ", SessionState.full_name, as_="h1", size="7"),
        rx.text("Here is everything you do with ", SessionState.business_name, "."),
        rx.box(
            rx.cond(
                HomeState.loaded,
                rx.vstack(
                    profile_banner(loads_itself=False), _apps_section(), _timeline_section(), spacing="6", width="100%"
                ),
                rx.center(
                    rx.spinner(size="3"), rx.el.span("Loading your overview…", class_name="sr-only"), width="100%"
                ),
            ),
            width="100%",
        ),
    )
