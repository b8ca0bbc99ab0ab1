"""What every mail carries besides its message (issue 13): the support contact when one is set,
a Date header in the real zone, and the link under the button as a real link."""

from __future__ import annotations

import datetime as dt
import email.utils

from fakturowo_ui.services import mail
from fakturowo_ui.settings import reset_settings_cache
from tests.conftest import html_of, text_of


def _send(to: str) -> None:
    mail.send(
        mail.render(
            "confirm_email",
            to=to,
            lang="pl",
            action_url="/potwierdz-email/?token=abc",
            valid_until=dt.datetime(2027, 1, 1, 11, 0),
        )
    )


def test_the_support_address_is_in_both_parts_of_every_mail(smtp, monkeypatch):
    monkeypatch.setenv("FAKTUROWO_SUPPORT_EMAIL", "pomoc@fakturowo.example")
    reset_settings_cache()
    _send("ktos@example.com")
    message = smtp.mailbox.last("ktos@example.com")
    assert "Pytania? Napisz do nas: pomoc@fakturowo.example" in text_of(message)
    assert '<a href="mailto:pomoc@fakturowo.example">pomoc@fakturowo.example</a>' in html_of(message)


def test_without_a_support_address_no_contact_line(smtp):
    _send("ktos@example.com")
    message = smtp.mailbox.last("ktos@example.com")
    assert "Napisz do nas" not in text_of(message)
    assert "mailto:" not in html_of(message)


def test_the_date_header_carries_the_warsaw_zone(smtp):
    _send("ktos@example.com")
    header = str(smtp.mailbox.last("ktos@example.com")["Date"])
    sent = email.utils.parsedate_to_datetime(header)
    assert not header.endswith("-0000"), header  # "-0000" says the zone is unknown (RFC 5322)
    assert sent.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2)), header
    assert abs(sent - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_the_address_under_the_button_is_a_link(smtp):
    _send("ktos@example.com")
    page = html_of(smtp.mailbox.last("ktos@example.com"))
    link = "http://localhost:3000/potwierdz-email/?token=abc"
    assert page.count(f'<a href="{link}"') == 2  # the button and the address written out under it
    assert "Jeśli przycisk nie działa, otwórz ten adres:" in page
