"""/admin/apps/communities/reports: members' reports from every group, newest first, and what staff do
about each. What was reported is shown only as the SDK's safe_html output."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.communities.ui.owner_group_page import back_link, error_text
from portal_app.apps.communities.ui.owner_group_state import ADMIN_BASE
from portal_app.apps.communities.ui.owner_reports_state import CommunitiesReportsAdminState as State
from portal_app.shell.ui.forms import notice
from portal_app.shell.ui.lists import plain_list

STATUS_OPTIONS = (("open", "Open"), ("resolved", "Resolved"), ("dismissed", "Dismissed"))


def _filter_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label("Group", html_for="report_group", class_name="portal-label"),
                rx.el.select(
                    rx.el.option("Every group", value=""),
                    rx.foreach(State.report_groups, lambda group: rx.el.option(group.name, value=group.slug)),
                    id="report_group",
                    name="report_group",
                    default_value=State.report_group,
                    class_name="portal-select",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label("Reports", html_for="report_status", class_name="portal-label"),
                rx.el.select(
                    *(rx.el.option(text, value=value) for value, text in STATUS_OPTIONS),
                    id="report_status",
                    name="report_status",
                    default_value=State.report_status,
                    class_name="portal-select",
                ),
                spacing="1",
            ),
            rx.button("Show reports", type="submit", variant="soft", size="3"),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        # Drawn afresh once the groups are known, so the chosen group is selected.
        key=State.report_groups.length().to_string() + State.report_group + State.report_status,
        on_submit=State.filter_reports,
        width="100%",
    )


def _button(row, text: str, action: str, color: str = "gray") -> rx.Component:
    return rx.button(
        text,
        size="2",
        variant="soft",
        color_scheme=color,
        aria_label=row.label + ": " + text.lower(),
        on_click=State.act(row.id, action),
    )


def _delete(row) -> rx.Component:
    what = rx.cond(row.is_comment, "comment", "post")
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Delete", size="2", variant="soft", color_scheme="red", aria_label=row.label + ": delete")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete what was reported?"),
            rx.alert_dialog.description(
                rx.cond(
                    row.is_comment,
                    "The comment goes, with its replies and their reports. This cannot be undone.",
                    "The post goes, with its comments, likes and reports. This cannot be undone.",
                )
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Yes, delete the ",
                        what,
                        color_scheme="red",
                        on_click=State.act(row.id, "delete"),
                    )
                ),
                justify="end",
                spacing="3",
            ),
        ),
    )


def _report(row) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(row.label, as_="h2", size="3"),
                    rx.link(row.group_name, href=row.group_href),
                    rx.badge(rx.cond(row.is_comment, "Comment", "Post"), variant="soft"),
                    rx.cond(row.hidden, rx.badge("Hidden from members", color_scheme="orange", variant="soft")),
                    rx.cond(~row.is_open, rx.badge(row.closed, color_scheme="gray", variant="soft")),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text(
                    rx.cond(row.is_comment, "A comment by ", "A post by "),
                    row.author,
                    rx.cond(row.post_title != "", rx.fragment(" (post: \u201c", row.post_title, "\u201d)"), ""),
                    size="2",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.html(row.excerpt_html),
                    class_name="report-excerpt",
                    style={"borderLeft": "3px solid var(--gray-6)", "paddingLeft": "12px", "width": "100%"},
                ),
                rx.text(
                    "Reported by ",
                    row.reporter,
                    " (",
                    row.reporter_email,
                    ") on ",
                    row.when,
                    ": ",
                    rx.el.q(row.reason),
                    size="2",
                ),
                rx.hstack(
                    rx.link("Open the post", href=row.post_href, aria_label=row.label + ": open the post"),
                    rx.cond(
                        row.is_open,
                        rx.fragment(
                            _button(row, "Resolve", "resolve", "green"),
                            _button(row, "Dismiss", "dismiss"),
                            rx.cond(row.hidden, rx.fragment(), _button(row, "Hide", "hide", "orange")),
                            _delete(row),
                        ),
                    ),
                    rx.cond(row.hidden, _button(row, "Show again", "show")),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        )
    )


def communities_reports_admin_page() -> rx.Component:
    return rx.vstack(
        back_link("All groups", ADMIN_BASE),
        rx.heading("Moderation queue", as_="h1", size="7"),
        rx.text(
            "Members' reports from every group, newest first. ",
            State.reports_open_count,
            " open.",
            color_scheme="gray",
        ),
        notice(State.reports_notice),
        error_text(State.reports_error, "reports"),
        _filter_form(),
        rx.cond(
            State.reports_ready,
            rx.vstack(
                plain_list(rx.foreach(State.report_rows, _report), gap="12px", aria_label="Reports"),
                rx.cond(State.report_rows.length() == 0, rx.text("No reports here.", color_scheme="gray")),
                rx.cond(
                    State.reports_more, rx.button("Show older reports", variant="soft", on_click=State.older_reports)
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
