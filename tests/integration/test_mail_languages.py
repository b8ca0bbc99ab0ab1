"""Every mail in the account's language (issue 11), through the real SMTP server on loopback.

An English account (user.language "en": registered from an /en/ page, or switched in the footer)
gets every mail in English, the daily job's too: the subject, the text and the HTML part, and
links to the English pages (/en/...). A Polish account's mails are what they always were (the
other mail tests hold them word for word).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from fakturowo_ui import jobs, routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import use_language
from fakturowo_ui.models import Subscription, User
from fakturowo_ui.services import (
    accounts,
    clock,
    consents,
    deletion,
    password_change,
    password_reset,
    unsubscribe,
)
from fakturowo_ui.services.consents import Consent
from tests.conftest import action_link, html_of, text_of
from tests.unit.factories import PASSWORD, make_user, set_periodic_change

BASE = "http://localhost:3000"
POLISH_LETTERS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ„]")
NEW_PASSWORD = "niebieski wieloryb 7"


def english(user_id: int) -> int:
    with session_scope() as session:
        session.execute(sa.update(User).where(User.id == user_id).values(language="en"))
    return user_id


def english_user(email: str, **kwargs) -> int:
    return english(make_user(email, **kwargs))


def assert_english(message, subject: str, link_path: str) -> str:
    """The mail is English from subject to footer; its action link opens `link_path` in English."""
    assert message["Subject"] == subject
    text, html = text_of(message), html_of(message)
    assert text.splitlines()[0] == "Hello," and "Please do not reply" in text
    assert '<html lang="en">' in html and "<p>Hello,</p>" in html
    for part in (text, html):
        assert not POLISH_LETTERS.search(part), POLISH_LETTERS.search(part)
    link = action_link(message, BASE)
    assert link.startswith(f"{BASE}/en{link_path}"), link
    assert re.search(r"https?://\S+", text).group(0) == link  # the first URL is the action link
    assert link.replace("&", "&amp;") in html
    # Every link of the mail leads to an English page.
    for url in re.findall(r"https?://\S+", text):
        assert url.startswith(f"{BASE}/en/"), url
    return link


def plain(message) -> str:
    """The text part with Babel's narrow no-break space (English times: "1:00\u202fPM") as a space."""
    return text_of(message).replace("\u202f", " ").replace("\u00a0", " ")


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def daily(day: dt.date) -> int:
    return jobs.main(["daily", "--date", day.isoformat()])


def test_registering_in_english_makes_an_english_account(smtp, frozen_clock):
    form = accounts.RegistrationForm("english@example.com", PASSWORD, PASSWORD)
    asyncio.run(accounts.register(form, "127.0.0.1", language="en"))
    with session_scope() as session:
        user = accounts.find_user(session, "english@example.com")
        assert user is not None and user.language == "en"
    message = smtp.mailbox.last("english@example.com")
    link = assert_english(message, "Confirm your email address", routes.CONFIRM_EMAIL)
    # 24 hours from the frozen noon UTC, in Warsaw time, written the English way.
    assert "Nov 24, 2026, 1:00 PM" in plain(message)
    assert "“Confirm your email address”" in text_of(message)
    # The link works as the Polish one does.
    assert accounts.inspect_confirmation(token_of(link))[0].name == "VALID"


def test_a_polish_registration_stays_polish(smtp, frozen_clock):
    form = accounts.RegistrationForm("polski@example.com", PASSWORD, PASSWORD)
    asyncio.run(accounts.register(form, "127.0.0.1"))
    with session_scope() as session:
        assert accounts.find_user(session, "polski@example.com").language == "pl"
    message = smtp.mailbox.last("polski@example.com")
    assert message["Subject"] == "Potwierdź adres email"
    assert text_of(message).splitlines()[0] == "Dzień dobry,"
    assert action_link(message, BASE).startswith(f"{BASE}/potwierdz-email/?token=")


def test_the_registration_page_in_english_registers_an_english_account(smtp, frozen_clock):
    """RegisterState.submit on /en/rejestracja/: the event's language (PageLanguage sets it from
    the page's address) is the account's."""
    import reflex as rx
    from reflex.istate.data import RouterData

    import fakturowo_ui.fakturowo_ui  # noqa: F401 - registers the app's states
    from fakturowo_ui.state.register import RegisterState

    root = rx.State(_reflex_internal_init=True)
    path = routes.in_language(routes.REGISTER, "en")
    root.router = RouterData.from_router_data({"headers": {}, "pathname": path})
    tab = root.get_substate(RegisterState.get_full_name().split(".")[1:])
    form_data = {"email": "z-formularza@example.com", "password": PASSWORD, "password_repeat": PASSWORD}

    async def submit() -> None:
        async for _event in RegisterState.submit.fn(tab, form_data):
            pass

    with use_language(routes.language_of(path)):
        asyncio.run(submit())
    assert tab.done, tab.message
    with session_scope() as session:
        assert accounts.find_user(session, "z-formularza@example.com").language == "en"
    assert_english(
        smtp.mailbox.last("z-formularza@example.com"), "Confirm your email address", routes.CONFIRM_EMAIL
    )


def test_a_resent_confirmation_is_in_the_accounts_language(smtp, frozen_clock):
    english_user("ponownie@example.com", confirmed=False)
    asyncio.run(accounts.resend_confirmation("ponownie@example.com"))
    message = smtp.mailbox.last("ponownie@example.com")
    assert_english(message, "Confirm your email address", routes.CONFIRM_EMAIL)


def test_the_deletion_mails_are_in_the_accounts_language(smtp, frozen_clock):
    user_id = english_user("usuwam@example.com")
    asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    message = smtp.mailbox.last("usuwam@example.com")
    link = assert_english(message, "Confirm account deletion", routes.CONFIRM_DELETION)
    text = plain(message)
    assert f"ID {user_id}" in text and "WARNING! Deleting the account cannot be undone." in text
    assert "valid until 2:00 PM (Nov 23, 2026, 2:00 PM, Polish time)" in text
    assert "<strong>2:00\u202fPM</strong>" in html_of(message)

    # The goodbye goes after the account (and its language) is gone: in the language it had.
    result = asyncio.run(deletion.confirm_deletion(token_of(link), PASSWORD))
    assert result.outcome is deletion.Outcome.DELETED
    goodbye = smtp.mailbox.last("usuwam@example.com", "Your account has been deleted")
    text = plain(goodbye)
    assert not POLISH_LETTERS.search(text) and not POLISH_LETTERS.search(html_of(goodbye))
    assert text.splitlines()[0] == "Hello," and "have been permanently deleted" in text
    assert f"ID {user_id}" in text and "Nov 23, 2026, 1:00 PM" in text


def test_the_reset_mails_are_in_the_accounts_language(smtp, frozen_clock):
    english_user("reset@example.com")

    async def request() -> None:
        await (await password_reset.request_reset("reset@example.com", "127.0.0.1")).deliver()

    asyncio.run(request())
    message = smtp.mailbox.last("reset@example.com")
    link = assert_english(message, "Set a new password", routes.PASSWORD_RESET)
    assert "valid for 30 minutes" in text_of(message)
    assert "<strong>30 minutes</strong>" in html_of(message)

    assert asyncio.run(password_reset.complete_reset(token_of(link), NEW_PASSWORD, NEW_PASSWORD))
    changed = smtp.mailbox.last("reset@example.com", "Your password has been changed")
    assert_english(changed, "Your password has been changed", routes.PASSWORD_RESET)
    assert "reset@example.com" in text_of(changed)


def test_the_password_changed_mail_is_in_the_accounts_language(smtp, frozen_clock):
    user_id = english_user("zmiana@example.com")
    asyncio.run(password_change.change_password(user_id, PASSWORD, NEW_PASSWORD, NEW_PASSWORD))
    message = smtp.mailbox.last("zmiana@example.com")
    link = assert_english(message, "Your password has been changed", routes.PASSWORD_RESET)
    assert link == f"{BASE}/en{routes.PASSWORD_RESET}"
    assert "was changed on Nov 23, 2026, 1:00 PM (Polish time)" in plain(message)


def test_the_daily_password_notice_is_in_the_accounts_language(smtp, frozen_clock):
    user_id = english_user("co-rok@example.com")
    set_periodic_change(user_id, True)
    due = clock.today_warsaw() + dt.timedelta(days=365)
    daily(due - dt.timedelta(days=14))
    message = smtp.mailbox.last("co-rok@example.com")
    link = assert_english(message, "Password change in 14 days", routes.PASSWORD_CHANGE)
    assert link == f"{BASE}/en{routes.PASSWORD_CHANGE}"
    assert f"{BASE}/en{routes.ACCOUNT}" in text_of(message).splitlines()
    assert "on Nov 23, 2027 our system" in text_of(message)


def _consenting(email: str, *, reminders: bool = False, info: bool = False, trial_ends_on=None) -> int:
    user_id = english_user(email)
    with session_scope() as session:
        consents.save(session, user_id, reminders=reminders, info=info, source="account")
        if trial_ends_on is not None:
            session.execute(
                sa.update(Subscription)
                .where(Subscription.user_id == user_id)
                .values(trial_ends_on=trial_ends_on)
            )
    return user_id


@pytest.mark.parametrize(
    ("days", "subject"), [(30, "Your subscription ends in 30 days"), (5, "Your subscription ends in 5 days")]
)
def test_the_subscription_reminders_are_in_the_accounts_language(smtp, frozen_clock, days, subject):
    last = clock.today_warsaw() + dt.timedelta(days=days)
    user_id = _consenting("abonament@example.com", reminders=True, trial_ends_on=last)
    daily(clock.today_warsaw())
    message = smtp.mailbox.last("abonament@example.com")
    link = assert_english(message, subject, routes.ACCOUNT)
    assert link == f"{BASE}/en{routes.ACCOUNT}"
    assert f"ends in {days} days" in text_of(message)
    # The body's unsubscribe link opens the English page; the header's is the one-click endpoint.
    header = unsubscribe.link(user_id, Consent.REMINDERS)
    assert message["List-Unsubscribe"] == f"<{header}>"
    assert routes.in_language(header.removeprefix(BASE), "en") in text_of(message)


def test_the_review_request_is_in_the_accounts_language(smtp, frozen_clock):
    _consenting("opinia@example.com", info=True)
    daily(clock.today_warsaw() + dt.timedelta(days=14))
    message = smtp.mailbox.last("opinia@example.com", "Share your feedback on Fakturowo")
    assert_english(message, "Share your feedback on Fakturowo", routes.HOME)
    assert f"{BASE}/en{routes.ACCOUNT}" in text_of(message).splitlines()


def test_user_data_in_an_english_mail_is_escaped(smtp, frozen_clock):
    """An address with markup characters is text in the HTML part, in either language."""
    email = "o'brien&co@example.com"
    user_id = english_user(email)
    asyncio.run(password_change.change_password(user_id, PASSWORD, NEW_PASSWORD, NEW_PASSWORD))
    html = html_of(smtp.mailbox.last(email))
    assert "o&#39;brien&amp;co@example.com" in html
    assert "o'brien&co" not in html
