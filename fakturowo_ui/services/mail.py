"""The one mail sender: renders a template as text + HTML and sends it over SMTP or to the outbox.

With no SMTP host configured, mail goes to the local outbox (`var/outbox/*.eml`), which stands in
for the user's mailbox during development. No log line carries a link, a token or an address.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import secrets
import smtplib
import ssl
import string
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from fakturowo_ui.i18n import t
from fakturowo_ui.services import blocking, clock
from fakturowo_ui.settings import Settings, get_settings

log = logging.getLogger("fakturowo.mail")

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "mail_templates"
SMTP_TIMEOUT_SECONDS = 8


class MailError(Exception):
    """The mail could not be handed to the SMTP server (down, refused, timed out)."""


@dataclass(frozen=True)
class Mail:
    """A rendered e-mail ready to send."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def _load(name: str) -> string.Template:
    return string.Template((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


def render(
    template: str, *, to: str, subject: str, headers: dict[str, str] | None = None, **params: str
) -> Mail:
    """Fill `<template>.txt` and `<template>.html` (HTML-escaped) inside the common layout.

    Params whose name ends in `_url` are links: in the text part they stand alone on their line.
    """
    footer = t("mail.footer")
    text_body = _load(f"{template}.txt").substitute(params)
    html_params = {key: html.escape(str(value), quote=True) for key, value in params.items()}
    html_body = _load(f"{template}.html").substitute(html_params)
    text = f"{text_body.rstrip()}\n\n-- \n{footer}\n"
    page = _load("layout.html").substitute(
        subject=html.escape(subject), body=html_body, footer=html.escape(footer)
    )
    return Mail(to=to, subject=subject, text=text, html=page, headers=dict(headers or {}))


def build_message(mail: Mail, settings: Settings) -> EmailMessage:
    """The MIME message: text first, HTML as the alternative."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text, charset="utf-8")
    message.add_alternative(mail.html, subtype="html", charset="utf-8")
    return message


def send(mail: Mail, settings: Settings | None = None) -> None:
    """Send now (blocking). Raises MailError when the SMTP server does not take the message."""
    settings = settings or get_settings()
    message = build_message(mail, settings)
    if settings.uses_outbox:
        path = _write_outbox(message, settings)
        log.info("mail %r written to the local outbox: %s", mail.subject, path.name)
        return
    try:
        _send_smtp(message, settings)
    except (OSError, smtplib.SMTPException) as exc:
        # The exception text can quote the recipient; log only its kind.
        log.warning("mail %r not sent: %s", mail.subject, type(exc).__name__)
        raise MailError(type(exc).__name__) from None
    log.info("mail %r handed to the SMTP server", mail.subject)


async def send_async(mail: Mail, settings: Settings | None = None) -> None:
    """send() off the event loop, so a slow SMTP server never freezes a page."""
    await blocking.run_in(blocking.MAIL, send, mail, settings)


def _connect(settings: Settings) -> smtplib.SMTP:
    """A connection ready to send: TLS as configured, logged in if a user is set."""
    host, port = settings.smtp_host, settings.smtp_port
    if host is None:
        raise RuntimeError("no SMTP server is configured (FAKTUROWO_SMTP_HOST)")
    if settings.smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if settings.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        server.close()
        raise
    return server


# The connection a batch (see `batch()`) reuses, per thread: one SMTP session for a daily run
# instead of one per mail.
_batch = threading.local()


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Send the mails of this block over one SMTP connection (opened at the first mail)."""
    outer = getattr(_batch, "holder", None)
    holder: dict[str, smtplib.SMTP | None] = {"server": None}
    _batch.holder = holder
    try:
        yield
    finally:
        _batch.holder = outer
        if holder["server"] is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                holder["server"].quit()


def _send_smtp(message: EmailMessage, settings: Settings) -> None:
    holder = getattr(_batch, "holder", None)
    if holder is None:
        with _connect(settings) as server:
            server.send_message(message)
        return
    for attempt in (1, 2):
        if holder["server"] is None:
            holder["server"] = _connect(settings)
        try:
            holder["server"].send_message(message)
            return
        except smtplib.SMTPServerDisconnected:
            # The server closed an idle connection: open a new one and try once more.
            holder["server"] = None
            if attempt == 2:
                raise
        except (OSError, smtplib.SMTPException):
            with contextlib.suppress(OSError, smtplib.SMTPException):
                holder["server"].close()
            holder["server"] = None
            raise


def _write_outbox(message: EmailMessage, settings: Settings) -> Path:
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S-%f")
    path = outbox / f"{stamp}-{secrets.token_hex(3)}.eml"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(bytes(message))
    return path
