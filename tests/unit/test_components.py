"""components/forms.py and layout.py: the one labelled field every form uses (its id, label, hint and
error tied together), the password and address fields, the posted and keyed forms, a list's table
pieces, and the small layout helpers, checked on the markup Reflex renders for them."""

from __future__ import annotations

from types import SimpleNamespace

import reflex as rx

from fakturowo_ui.components import forms, layout

ERROR = rx.Var("state.error").to(str)


def _props(component: rx.Component) -> dict[str, str]:
    """The rendered props of one element: name -> its JavaScript value."""
    props = {}
    for prop in component.render()["props"]:
        if prop.startswith('"'):
            end = prop.index('"', 1)
            props[prop[1:end]] = prop[end + 2 :]
        else:
            name, _, value = prop.partition(":")
            props[name] = value
    return props


def _tag(component: rx.Component) -> str:
    return component.render()["name"].strip('"')


def _children(component: rx.Component) -> list[rx.Component]:
    return list(component.children)


def test_a_field_is_a_label_tied_to_its_input_with_the_hint_described():
    label, control, hint = _children(
        forms.field("NIP", "nip", form_id="klient-", hint="10 cyfr", max_length=20)
    )
    assert (_tag(label), _props(label)["htmlFor"]) == ("label", '"klient-nip"')
    assert _tag(control) == "input"
    props = _props(control)
    assert props["id"] == '"klient-nip"' and props["name"] == '"nip"'
    assert props["type"] == '"text"' and props["autoComplete"] == '"off"' and props["maxLength"] == "20"
    assert props["aria-describedby"] == '"klient-nip-hint"'
    assert "aria-invalid" not in props and "defaultValue" not in props
    assert _props(hint)["id"] == '"klient-nip-hint"' and _props(hint)["className"] == '"hint"'


def test_an_error_is_announced_under_its_field_and_marks_it_invalid_while_it_has_text():
    _label, control, hint, error = _children(
        forms.field("Hasło", "password", input_type="password", error=ERROR, hint="co najmniej 8 znaków")
    )
    props = _props(control)
    assert props["aria-describedby"] == '"password-hint password-error"'
    assert "state.error" in props["aria-invalid"] and '"true"' in props["aria-invalid"]
    assert _props(hint)["id"] == '"password-hint"'
    error_props = _props(error)
    assert error_props["id"] == '"password-error"' and error_props["role"] == '"alert"'
    assert error_props["className"] == '"field-error"'
    # Without a hint the error alone describes the field.
    _label, control, _error = _children(forms.field("Adres email", "email", error=ERROR))
    assert _props(control)["aria-describedby"] == '"email-error"'


def test_a_field_starts_from_its_default_and_may_be_a_textarea_or_a_select():
    _label, area = _children(
        forms.field("Adres", "address", default="ul. Dluga 1", multiline=True, max_length=500)
    )
    assert _tag(area) == "textarea"
    assert _props(area)["defaultValue"] == '"ul. Dluga 1"' and _props(area)["rows"] == "3"
    assert "autoComplete" not in _props(area)

    _label, select = _children(
        forms.field(
            "Stawka VAT", "vat_rate", default="23", options=[("23", "23%"), ("zw", "zw")], placeholder="—"
        )
    )
    assert _tag(select) == "select" and _props(select)["defaultValue"] == '"23"'
    options = _children(select)
    assert [_props(option)["value"] for option in options] == ['""', '"23"', '"zw"']

    _label, listed = _children(
        forms.field("Nabywca", "client_id", options=rx.Var("state.clients").to(list[list[str]]))
    )
    assert "state.clients" in str(listed)  # options from a state var, one per row


def test_a_field_named_by_a_var_gets_a_var_id_and_a_search_box_has_no_autocomplete():
    key = rx.Var("line.key").to(str)
    label, control = _children(forms.field("Nazwa", "name-" + key, form_id="poz-"))
    assert _props(label)["htmlFor"] == _props(control)["id"]
    assert "poz-" in _props(control)["id"] and "line.key" in _props(control)["id"]
    _label, search = _children(forms.field("Szukaj", "q", input_type="search", autocomplete=None))
    assert "autoComplete" not in _props(search)


def test_fields_of_a_form_dict_start_from_its_values():
    values = rx.Var("state.form").to(dict)
    _label, control = _children(forms.fields_of(values, "sprzedawca-")("NIP", "nip", max_length=20))
    assert _props(control)["id"] == '"sprzedawca-nip"'
    assert "state.form" in _props(control)["defaultValue"] and '"nip"' in _props(control)["defaultValue"]


def test_password_and_address_fields():
    _label, control = _children(forms.password_field("Hasło", "password", autocomplete="current-password"))
    props = _props(control)
    assert props["type"] == '"password"' and props["maxLength"] == str(forms.PASSWORD_MAX)
    assert props["autoComplete"] == '"current-password"'
    _label, control, _error = _children(forms.email_field(autocomplete="email", error=ERROR))
    props = _props(control)
    assert props["type"] == '"email"' and props["name"] == '"email"' and props["maxLength"] == "254"
    state = SimpleNamespace(password_error=ERROR, password_repeat_error=ERROR)
    first, repeat = _children(forms.new_password_fields(state, "password", "Hasło", "Powtórz hasło"))
    assert [_props(_children(f)[1])["name"] for f in (first, repeat)] == ['"password"', '"password_repeat"']
    assert [_props(_children(f)[1])["autoComplete"] for f in (first, repeat)] == ['"new-password"'] * 2
    assert len(_children(first)) == 4 and len(_children(repeat)) == 3  # the rules' hint on the first only


def test_a_posted_form_never_puts_what_it_carries_into_the_url_and_a_keyed_form_starts_afresh():
    props = _props(forms.posted_form(rx.el.input(name="password"), on_submit=rx.console_log("x")))
    assert props["method"] == '"post"' and props["noValidate"] == "true" and props["className"] == '"form"'
    state = SimpleNamespace(form_key=rx.Var("state.form_key").to(int))
    props = _props(forms.keyed_form(state, rx.el.input(name="name"), on_submit=rx.console_log("x")))
    assert "state.form_key" in props["key"] and "method" not in props


def test_a_table_names_its_columns_and_a_row_button_names_its_row():
    table = forms.data_table(["Nazwa", "Akcje"], rx.Var("state.rows").to(list), lambda row: rx.el.tr())
    assert _props(table)["className"] == '"table-wrap"'
    text = str(table)
    assert text.count('scope:"col"') == 2 and "state.rows" in text
    button = forms.row_button("Usun", rx.Var("row.name").to(str), rx.console_log("x"), danger=True)
    props = _props(button)
    assert props["className"] == '"link-button danger"' and props["type"] == '"button"'
    assert '"Usun "' in props["aria-label"] and "row.name" in props["aria-label"]


def test_the_layout_helpers():
    assert _props(layout.action_button("Dodaj", rx.console_log("x")))["className"] == '"button"'
    assert _props(layout.action_button("Anuluj", rx.console_log("x"), secondary=True))["className"] == (
        '"button button-secondary"'
    )
    danger = layout.action_button("Usuń", rx.console_log("x"), danger=True, disabled=True)
    assert _props(danger)["className"] == '"button button-danger"' and _props(danger)["disabled"] == "true"
    note = layout.note("Najpierw uzupełnij dane.", "Przejdź", "/ustawienia/")
    assert _props(note)["className"] == '"note"' and "/ustawienia/" in str(note)
    loaded = rx.Var("state.loaded").to(bool)
    assert "state.loaded" in str(layout.when_loaded(loaded, rx.el.p("treść")))
    link_state = SimpleNamespace(
        checked=rx.Var("state.checked").to(bool),
        message=rx.Var("state.message").to(str),
        message_is_error=rx.Var("state.message_is_error").to(bool),
        lead=rx.Var("state.lead").to(str),
    )
    text = str(
        layout.link_action(link_state, rx.Var("state.can_act").to(bool), "Wypisz mnie", rx.console_log("x"))
    )
    for part in ("state.checked", "state.message", "state.lead", "state.can_act", "Wypisz mnie"):
        assert part in text
