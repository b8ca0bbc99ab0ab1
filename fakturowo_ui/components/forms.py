"""Form and list pieces: the one labelled field every form uses (an input, a textarea or a select),
the form that carries a password, and a list's table, search box, pager and delete confirmation.
Plain HTML, styled by assets/styles.css."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import reflex as rx

from fakturowo_ui.components.layout import action_button
from fakturowo_ui.i18n import t

# The <input> types our forms use.
InputType = Literal["text", "email", "password", "date", "number", "tel", "search"]

# The lengths an address and a password field take (the services refuse longer ones with a message).
EMAIL_MAX = 254
PASSWORD_MAX = 256


def field(
    label: str,
    name: rx.Var | str,
    *,
    form_id: str = "",
    default: rx.Var | str | None = None,
    input_type: InputType = "text",
    autocomplete: str | None = "off",
    max_length: int | None = None,
    input_mode: str | None = None,
    multiline: bool = False,
    options: Sequence[tuple[str, str]] | rx.Var | None = None,
    placeholder: str | None = None,
    hint: str | None = None,
    error: rx.Var | str | None = None,
    on_change: Any = None,
    auto_focus: bool = False,
) -> rx.Component:
    """A <label for> and its control, with `form_id + name` as the control's id.

    The control is an <input>, a <textarea> (`multiline`) or a <select> (`options`: (value, text)
    pairs, static or from a state var, after an empty `placeholder` option when one is given). It
    is uncontrolled: it starts from `default` and the form sends what is in it. A hint and an
    error (when given) are tied to it with aria-describedby; the error marks it aria-invalid while
    it has text.
    """
    # A var name (one per invoice line) makes a var id.
    element_id = form_id + name if isinstance(name, str) else rx.Var.create(form_id) + name.to(str)
    hint_id = element_id + "-hint"
    error_id = element_id + "-error"
    if hint and error is not None:
        described = hint_id + " " + error_id
    else:
        described = hint_id if hint else error_id if error is not None else None
    given = {
        "default_value": default,
        "aria_describedby": described,
        "aria_invalid": rx.cond(error != "", "true", "false") if error is not None else None,
        "max_length": max_length,
        "input_mode": input_mode,
        "on_change": on_change,
        # The page's one field to type into first (React focuses it when it appears).
        "auto_focus": True if auto_focus else None,
    }
    props = {
        "id": element_id,
        "name": name,
        **{key: value for key, value in given.items() if value is not None},
    }
    if options is not None:
        control = rx.el.select(*_options(options, placeholder), **props)
    elif multiline:
        control = rx.el.textarea(rows=3, **props)
    elif autocomplete is not None:
        control = rx.el.input(type=input_type, auto_complete=autocomplete, **props)
    else:
        control = rx.el.input(type=input_type, **props)
    return rx.el.div(
        rx.el.label(label, html_for=element_id),
        control,
        *([rx.el.p(hint, id=hint_id, class_name="hint")] if hint else []),
        *([rx.el.p(error, id=error_id, class_name="field-error", role="alert")] if error is not None else []),
        class_name="field",
    )


def _options(options: Sequence[tuple[str, str]] | rx.Var, placeholder: str | None) -> list[rx.Component]:
    children: list[rx.Component]
    if isinstance(options, rx.Var):
        children = [rx.foreach(options, lambda option: rx.el.option(option[1], value=option[0]))]
    else:
        children = [rx.el.option(text, value=value) for value, text in options]
    if placeholder is not None:
        children.insert(0, rx.el.option(placeholder, value=""))
    return children


def email_field(*, autocomplete: str, error: rx.Var | str | None = None) -> rx.Component:
    """The "Adres email" field: `username` where it names an account, `email` where it makes one."""
    return field(
        t("field.email"),
        "email",
        input_type="email",
        autocomplete=autocomplete,
        error=error,
        max_length=EMAIL_MAX,
    )


def password_field(
    label: str,
    name: str,
    *,
    autocomplete: str,
    error: rx.Var | str | None = None,
    hint: str | None = None,
    form_id: str = "",
    auto_focus: bool = False,
) -> rx.Component:
    """A password `field`: its autocomplete says whether it is the current password or a new one."""
    return field(
        label,
        name,
        input_type="password",
        autocomplete=autocomplete,
        error=error,
        hint=hint,
        max_length=PASSWORD_MAX,
        form_id=form_id,
        auto_focus=auto_focus,
    )


def new_password_fields(state, name: str, label: str, repeat_label: str) -> rx.Component:
    """A new password `name` and its repetition `<name>_repeat`, with the password rules as the
    hint; their errors are the state's `<name>_error` and `<name>_repeat_error`."""
    repeat = f"{name}_repeat"
    return rx.fragment(
        password_field(
            label,
            name,
            autocomplete="new-password",
            error=getattr(state, f"{name}_error"),
            hint=t("register.password_hint"),
        ),
        password_field(
            repeat_label, repeat, autocomplete="new-password", error=getattr(state, f"{repeat}_error")
        ),
    )


def posted_form(*children: rx.Component, on_submit: Any) -> rx.Component:
    """A form whose method is POST: a submit before the page is hydrated (the browser then sends
    the form itself) must never put what it carries, a password above all, into the URL. The
    services check its fields, with messages in the page's language (no_validate)."""
    return rx.el.form(*children, on_submit=on_submit, method="post", class_name="form", no_validate=True)


def keyed_form(state, *children: rx.Component, on_submit: Any, class_name: str = "form") -> rx.Component:
    """A form of uncontrolled fields that starts afresh from their defaults whenever the state
    renews its `form_key` (after it loaded or saved the values the fields start from)."""
    return rx.el.form(*children, key=state.form_key.to_string(), on_submit=on_submit, class_name=class_name)


def data_table(
    headers: Sequence[str], rows: rx.Var | Sequence[Any], row: Callable[[Any], rx.Component]
) -> rx.Component:
    """A table of a state var's rows under column headers.

    On a phone (assets/styles.css) each row becomes a card whose cells are labelled by their
    column's header (`data-label`), so no column hides behind a sideways scroll (issue 13); the
    explicit roles keep it a table for screen readers whatever its CSS display.
    """

    def labelled_row(item: Any) -> rx.Component:
        component = row(item)
        for header, cell in zip(headers, component.children, strict=False):
            if not isinstance(cell, rx.Component):
                continue
            cell.custom_attrs = {**cell.custom_attrs, "data-label": header, "role": "cell"}
        component.custom_attrs = {**component.custom_attrs, "role": "row"}
        return component

    return rx.el.div(
        rx.el.table(
            rx.el.thead(
                rx.el.tr(*[rx.el.th(h, scope="col", role="columnheader") for h in headers], role="row")
            ),
            rx.el.tbody(rx.foreach(rows, labelled_row)),
            class_name="data-table",
            role="table",
        ),
        class_name="table-wrap",
    )


def row_button(label: str, row_name: rx.Var | str, on_click: Any, *, danger: bool = False) -> rx.Component:
    """A button of one row of a list, named for screen readers with the row ("Usuń FV 1/11/2026")."""
    return rx.el.button(
        label,
        type="button",
        on_click=on_click,
        aria_label=f"{label} {row_name}",
        class_name="link-button danger" if danger else "link-button",
    )


def searchable_list(state, search_id: str, table: rx.Component, empty: str) -> rx.Component:
    """A list's search box, its delete question, and its table with the pager; without rows, what
    the search did not find or `empty` (the list has no rows at all)."""
    return rx.fragment(
        search_box(state, search_id),
        delete_confirmation(state),
        rx.cond(
            state.total > 0,
            rx.fragment(table, pager(state)),
            rx.cond(
                state.shown_query != "",
                rx.el.p(state.nothing_found_text, role="status", class_name="empty-state"),
                rx.el.p(empty, class_name="empty-state"),
            ),
        ),
    )


def search_box(state, form_id: str) -> rx.Component:
    """The search form of a list."""
    return rx.el.form(
        field(
            t("list.search"),
            "q",
            form_id=f"{form_id}-",
            default=state.query,
            input_type="search",
            autocomplete=None,
            max_length=100,
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
                action_button(t("list.confirm_yes"), state.delete(state.deleting_id), danger=True),
                action_button(t("list.cancel"), state.cancel_delete, secondary=True),
                class_name="actions",
            ),
            role="alertdialog",
            aria_label=state.delete_question,
            class_name="confirm-box",
        ),
    )


def fields_of(values: Mapping[str, Any], form_id: str) -> Callable[..., rx.Component]:
    """`field` for a form whose values a state keeps in one dict var: each field starts from
    values[name] and its id is `form_id + name` (fields_of(s.form, "klient-")("Nazwa", "name"))."""

    def one(label: str, name: str, **props: Any) -> rx.Component:
        return field(label, name, form_id=form_id, default=values[name], **props)

    return one
