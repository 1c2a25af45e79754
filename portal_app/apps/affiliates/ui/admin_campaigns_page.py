"""/admin/apps/affiliates/campaigns: the terms affiliates earn under. Every campaign with its terms; a form to
create one, the same form to edit one (its address stays: links carry it); make one the default (new
referrals join it); archive one (after a confirmation). Each refused field gets its message beside it."""

from __future__ import annotations

import reflex as rx

from portal_app.apps.affiliates.models import MAX_NAME_LENGTH, MAX_SLUG_LENGTH
from portal_app.apps.affiliates.programme import MAX_APPROVAL_DAYS, MAX_COOKIE_DAYS, MAX_RECURRING_MONTHS
from portal_app.apps.affiliates.ui.admin_campaigns_state import EDIT_PREFIX, NEW_DEFAULTS
from portal_app.apps.affiliates.ui.admin_campaigns_state import AffiliatesCampaignsAdminState as State
from portal_app.apps.affiliates.ui.admin_common import error_text, page_header, select_field, table
from portal_app.shell.ui.counts import counted
from portal_app.shell.ui.forms import field, notice

KIND_OPTIONS = (("percent", "A percent of each sale"), ("flat", "A flat amount per sale"))


def _term_fields(prefix: str, errors, values) -> list[rx.Component]:
    """The terms' fields; ids and names carry `prefix` so the create and edit forms never share an id."""
    return [
        field(
            "Campaign name",
            prefix + "name",
            error=errors["name"],
            default_value=values["name"],
            max_length=MAX_NAME_LENGTH,
            auto_focus=prefix == EDIT_PREFIX,
        ),
        rx.flex(
            select_field(
                "Commission",
                prefix + "kind",
                KIND_OPTIONS,
                values["kind"],
                errors["kind"],
            ),
            rx.box(
                field(
                    "Percent of each sale",
                    prefix + "percent",
                    error=errors["percent"],
                    hint="For a percent commission: like 20 or 12.5.",
                    default_value=values["percent"],
                    input_mode="decimal",
                    max_length=8,
                ),
                min_width="180px",
                flex="1",
            ),
            rx.box(
                field(
                    "Flat amount per sale",
                    prefix + "flat_amount",
                    error=errors["flat_amount"],
                    hint="For a flat commission: like 15.00, in the currency beside it.",
                    default_value=values["flat_amount"],
                    input_mode="decimal",
                    max_length=32,
                ),
                min_width="180px",
                flex="1",
            ),
            rx.box(
                field(
                    "Currency",
                    prefix + "currency",
                    error=errors["currency"],
                    hint="Three letters, like USD or EUR.",
                    default_value=values["currency"],
                    max_length=3,
                    autocomplete="off",
                ),
                width="150px",
            ),
            gap="12px",
            wrap="wrap",
            align="start",
            width="100%",
        ),
        rx.flex(
            rx.box(
                field(
                    "Months of sales that pay",
                    prefix + "recurring_months",
                    error=errors["recurring_months"],
                    hint=f"Empty: every sale of the customer pays. 0: the first sale only. At most {MAX_RECURRING_MONTHS}.",
                    default_value=values["recurring_months"],
                    input_mode="numeric",
                    max_length=4,
                ),
                min_width="200px",
                flex="1",
            ),
            rx.box(
                field(
                    "Days a referral link counts",
                    prefix + "cookie_days",
                    error=errors["cookie_days"],
                    hint=f"From 1 to {MAX_COOKIE_DAYS} days after the click.",
                    default_value=values["cookie_days"],
                    input_mode="numeric",
                    max_length=4,
                ),
                min_width="200px",
                flex="1",
            ),
            rx.box(
                field(
                    "Days before approval",
                    prefix + "approval_days",
                    error=errors["approval_days"],
                    hint=f"The refund window, from 0 to {MAX_APPROVAL_DAYS} days.",
                    default_value=values["approval_days"],
                    input_mode="numeric",
                    max_length=4,
                ),
                min_width="200px",
                flex="1",
            ),
            gap="12px",
            wrap="wrap",
            align="start",
            width="100%",
        ),
    ]


def _create_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New campaign", as_="h2", size="4"),
                *_term_fields("", State.create_errors, NEW_DEFAULTS)[:1],
                field(
                    "Address",
                    "slug",
                    error=State.create_errors["slug"],
                    hint="Lower-case letters, digits and hyphens; made from the name when left empty. "
                    "It never changes: referral links carry it.",
                    max_length=MAX_SLUG_LENGTH,
                    autocomplete="off",
                ),
                *_term_fields("", State.create_errors, NEW_DEFAULTS)[1:],
                rx.button("Create the campaign", type="submit", size="3"),
                spacing="3",
                width="100%",
            ),
            key="create-" + State.create_version.to_string(),
            on_submit=State.create_campaign,
            width="100%",
        ),
        width="100%",
    )


def _edit_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Edit ", State.edit_name, as_="h2", size="4"),
                rx.text(
                    "Address: ",
                    rx.code(State.edit_slug),
                    " (it stays; links carry it). New terms apply to sales recorded from now on.",
                    size="2",
                    color_scheme="gray",
                ),
                *_term_fields(EDIT_PREFIX, State.edit_errors, State.edit_values),
                rx.hstack(
                    rx.button("Save changes", type="submit", size="3"),
                    rx.button(
                        "Cancel editing",
                        type="button",
                        size="3",
                        variant="soft",
                        color_scheme="gray",
                        on_click=State.cancel_edit,
                    ),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            key="edit-" + State.edit_slug + "-" + State.edit_version.to_string(),
            on_submit=State.save_campaign,
            width="100%",
        ),
        width="100%",
    )


def _archive(row) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                "Archive",
                size="1",
                variant="soft",
                color_scheme="gray",
                aria_label="Archive the " + row.slug + " campaign",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Archive ", row.name, "?"),
            rx.alert_dialog.description(
                "Its links stop making new referrals. Customers already referred under it keep its terms. "
                "An archived campaign cannot be made live again."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep the campaign", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Confirm archiving", color_scheme="red", on_click=State.archive_campaign(row.slug))
                ),
                justify="end",
                spacing="3",
            ),
        ),
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.text(row.name, weight="medium"),
            rx.text("/", row.slug, size="1", color_scheme="gray"),
            rx.cond(row.is_default, rx.badge("Default", color_scheme="green", variant="soft")),
            rx.cond(row.archived, rx.badge("Archived", color_scheme="gray", variant="soft")),
        ),
        rx.table.cell(row.terms),
        rx.table.cell(counted(row.cookie_days, "day", "days")),
        rx.table.cell(counted(row.approval_days, "day", "days")),
        rx.table.cell(row.referrals),
        rx.table.cell(rx.code(row.link)),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Edit",
                    size="1",
                    variant="soft",
                    aria_label="Edit the " + row.slug + " campaign",
                    on_click=State.start_edit(row.slug),
                ),
                rx.cond(
                    row.is_default | row.archived,
                    rx.fragment(),
                    rx.fragment(
                        rx.button(
                            "Make default",
                            size="1",
                            variant="soft",
                            aria_label="Make the " + row.slug + " campaign the default",
                            on_click=State.make_default(row.slug),
                        ),
                        _archive(row),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            )
        ),
    )


def affiliates_campaigns_admin_page() -> rx.Component:
    return rx.vstack(
        page_header(
            "Campaigns",
            "Campaigns",
            "The terms affiliates earn under. New referrals join the default campaign; a link ending in a "
            "campaign's address joins that one.",
        ),
        notice(State.campaigns_notice),
        error_text(State.campaigns_error, "campaigns"),
        rx.cond(State.edit_slug != "", _edit_form()),
        rx.cond(
            State.campaigns_loaded,
            table(
                ("Campaign", "Terms", "Link counts for", "Approval after", "Referred customers", "Link", ""),
                rx.table.body(rx.foreach(State.campaign_rows, _row)),
                label="Campaigns",
            ),
        ),
        rx.cond(State.edit_slug == "", _create_form()),
        spacing="4",
        width="100%",
    )
