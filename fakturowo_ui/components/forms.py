"""Pieces of the user-data pages: labelled inputs with a starting value, a search box, a pager and
the delete confirmation. Plain HTML, styled by assets/styles.css."""

from __future__ import annotations

import reflex as rx

from fakturowo_ui.components.layout import InputType
from fakturowo_ui.i18n import t


def text_input(
    label: str,
    name: str,
    default: rx.Var | str = "",
    *,
    form_id: str,
    input_type: InputType = "text",
    hint: str | None = None,
    multiline: bool = False,
    max_length: int = 600,
    on_change=None,
    input_mode: str | None = None,
    input_id: rx.Var | str | None = None,
) -> rx.Component:
    """A labelled, uncontrolled input (or textarea) starting from `default`."""
    element_id = input_id if input_id is not None else f"{form_id}-{name}"
    props = {"on_change": on_change} if on_change is not None else {}
    if input_mode:
        props["input_mode"] = input_mode
    control = (
        rx.el.textarea(
            id=element_id, name=name, default_value=default, max_length=max_length, rows=3, **props
        )
        if multiline
        else rx.el.input(
            id=element_id,
            name=name,
            type=input_type,
            default_value=default,
            max_length=max_length,
            auto_complete="off",
            **props,
        )
    )
    return rx.el.div(
        rx.el.label(label, html_for=element_id),
        control,
        rx.el.p(hint, class_name="hint") if hint else rx.fragment(),
        class_name="field",
    )


def select_input(
    label: str,
    name: str,
    options: list[tuple[str, str]] | rx.Var,
    default: rx.Var | str = "",
    *,
    form_id: str,
    placeholder: str | None = None,
    on_change=None,
    input_id: rx.Var | str | None = None,
) -> rx.Component:
    """A labelled <select>; options are (value, text) pairs, static or from a state var."""
    element_id = input_id if input_id is not None else f"{form_id}-{name}"
    if isinstance(options, rx.Var):
        children: list[rx.Component] = [
            rx.foreach(options, lambda option: rx.el.option(option[1], value=option[0]))
        ]
    else:
        children = [rx.el.option(text, value=value) for value, text in options]
    if placeholder is not None:
        children.insert(0, rx.el.option(placeholder, value=""))
    props = {"on_change": on_change} if on_change is not None else {}
    return rx.el.div(
        rx.el.label(label, html_for=element_id),
        rx.el.select(*children, id=element_id, name=name, default_value=default, **props),
        class_name="field",
    )


def search_box(state, form_id: str) -> rx.Component:
    """The search form of a list."""
    return rx.el.form(
        rx.el.div(
            rx.el.label(t("list.search"), html_for=f"{form_id}-q"),
            rx.el.input(
                id=f"{form_id}-q", name="q", type="search", default_value=state.query, max_length=100
            ),
            class_name="field",
        ),
        rx.el.button(t("list.search_submit"), type="submit", class_name="button button-secondary"),
        on_submit=state.search,
        role="search",
        class_name="search-form",
    )


def pager(state) -> rx.Component:
    """Previous / next page and where we are."""
    return rx.cond(
        state.pages > 1,
        rx.el.nav(
            rx.el.button(
                t("list.prev"),
                type="button",
                disabled=state.page <= 1,
                on_click=state.go_to_page(state.page - 1),
                class_name="button button-secondary",
            ),
            rx.el.span(state.page_text),
            rx.el.button(
                t("list.next"),
                type="button",
                disabled=state.page >= state.pages,
                on_click=state.go_to_page(state.page + 1),
                class_name="button button-secondary",
            ),
            aria_label=t("list.page", page="", pages="", total="").split(" ")[0],
            class_name="pager",
        ),
        rx.el.p(state.page_text, class_name="hint"),
    )


def delete_confirmation(state) -> rx.Component:
    """ "Na pewno usunąć …?" with yes / cancel, shown once a row's delete button was pressed."""
    return rx.cond(
        state.deleting_id != 0,
        rx.el.div(
            rx.el.p(state.delete_question),
            rx.el.div(
                rx.el.button(
                    t("list.confirm_yes"),
                    type="button",
                    on_click=state.delete(state.deleting_id),
                    class_name="button button-danger",
                ),
                rx.el.button(
                    t("list.cancel"),
                    type="button",
                    on_click=state.cancel_delete,
                    class_name="button button-secondary",
                ),
                class_name="actions",
            ),
            role="alertdialog",
            aria_label=state.delete_question,
            class_name="confirm-box",
        ),
    )
