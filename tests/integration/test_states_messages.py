"""state/messages.py, on the app's own states: a refused event follows the redirect or shows the
error as the page's message; a refused form puts each message under its field and the first one
as the page's message; clearing the form clears them all."""

from __future__ import annotations

import pytest
import reflex as rx

from fakturowo_ui.i18n import t
from fakturowo_ui.services.errors import DomainError, form_error
from fakturowo_ui.state.events import Outcome
from tests.integration.test_states_off_loop import _tab

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def states():
    """The app's state classes (importing the app module registers them under rx.State)."""
    import fakturowo_ui.fakturowo_ui  # noqa: F401
    from fakturowo_ui.state.password_reset import PasswordResetState
    from fakturowo_ui.state.register import RegisterState
    from fakturowo_ui.state.seller import SellerState

    return {"seller": SellerState, "reset": PasswordResetState, "register": RegisterState}


def test_a_refused_event_follows_the_redirect_or_shows_the_error(states):
    tab = _tab(states["seller"], "")
    tab.message = "wcześniejszy komunikat"
    redirect = rx.redirect("/logowanie/")
    assert tab._refused(Outcome(None, redirect=redirect)) is redirect
    assert (tab.message, tab.message_is_error) == ("wcześniejszy komunikat", False)  # the page is left
    assert tab._refused(Outcome(None, error=t("common.unexpected"))) is None
    assert (tab.message, tab.message_is_error) == (t("common.unexpected"), True)
    tab._say(t("settings.seller.saved"))
    assert (tab.message, tab.message_is_error) == (t("settings.seller.saved"), False)


def test_a_form_refusal_puts_each_message_under_its_field_and_counts_them_as_the_message(states):
    tab = _tab(states["reset"], "")
    tab._show_refusal(
        form_error({"new_password": "Za krótkie.", "new_password_repeat": "Nie są takie same."})
    )
    assert (tab.new_password_error, tab.new_password_repeat_error, tab.email_error) == (
        "Za krótkie.",
        "Nie są takie same.",
        "",
    )
    # Each error is said once, under its field: the page's message only counts them.
    assert (tab.message, tab.message_is_error) == ("Popraw 2 zaznaczone pola.", True)
    tab._clear_errors()
    assert (tab.new_password_error, tab.new_password_repeat_error, tab.email_error) == ("", "", "")
    assert (tab.message, tab.message_is_error) == ("", False)
    # A refusal that names no field is the page's message alone.
    tab._show_refusal(DomainError("common.unexpected"))
    assert (tab.message, tab.message_is_error, tab.new_password_error) == (t("common.unexpected"), True, "")


def test_a_refusal_of_one_field_counts_one(states):
    tab = _tab(states["register"], "")
    tab._show_refusal(form_error({"email": "Podaj adres email."}))
    assert tab.email_error == "Podaj adres email." and tab.password_error == ""
    assert tab.message == "Popraw 1 zaznaczone pole." and tab.message_is_error
    assert "Podaj adres email." not in tab.message
