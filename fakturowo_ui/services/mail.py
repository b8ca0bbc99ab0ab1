"""The one mail sender: renders a template as text + HTML and sends it over SMTP or to the outbox.

Every mail is written in one language, the account's (user.language, see services/userdata.py):
its subject and every sentence come from the message catalogue (fakturowo_ui/i18n), its dates
from i18n/formats.py, and its links lead to the pages in that language. The bodies are Jinja2
templates in mail_templates/ (a .txt with the subject and the text part, and an .html, each
inside its layout), which call the same `t(key, **params)` the pages do; the HTML part is
autoescaped, and so is every parameter inside a catalogue sentence, so an address or a name in a
mail can never become markup. A sender passes the data only: the words are the templates'.

With no SMTP host configured, mail goes to the local outbox (`var/outbox/*.eml`), which stands in
for the user's mailbox during development. No log line carries a link, a token or an address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import secrets
import smtplib
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import jinja2
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from fakturowo_ui import i18n, routes
from fakturowo_ui.i18n import formats
from fakturowo_ui.services import blocking, clock
from fakturowo_ui.settings import Settings, get_settings

log = logging.getLogger("fakturowo.mail")

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "mail_templates"
SMTP_TIMEOUT_SECONDS = 8


class MailError(Exception):
    """The mail could not be handed to the SMTP server (down, refused, timed out)."""


class MailUncertain(MailError):
    """The SMTP server got the whole message but did not say it took it (it timed out or hung up
    after the message's last line): the mail may still arrive, so a link in it must keep working
    and the page must not say it failed (issue 13)."""


class _Tracking:
    """An SMTP connection that knows whether a message's last line (CRLF.CRLF) has gone out."""

    payload_sent = False

    def send(self, s: bytes | str) -> None:
        super().send(s)  # type: ignore[misc]
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.payload_sent = True


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTPSSL(_Tracking, smtplib.SMTP_SSL):
    pass


@dataclass(frozen=True)
class Mail:
    """A rendered e-mail ready to send."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


# -- what the templates call -------------------------------------------------------------------
# A template is rendered inside i18n.use_language(<the mail's language>), so these answer in it.


@jinja2.pass_eval_context
def _t(eval_ctx: EvalContext, key: str, **params: object) -> str:
    """The catalogue's sentence `key` with its {placeholders} filled; in the HTML part the
    sentence and every parameter are escaped (a parameter already marked up, e.g. by `strong`,
    is kept)."""
    sentence = i18n.t(key)
    if eval_ctx.autoescape:
        return escape(sentence).format(**params)
    return sentence.format(**params)


def _tn(key: str, count: int, **params: object) -> str:
    """The plural message `key` in the form the mail's language uses for `count` ("5 dni")."""
    return i18n.tn(key, int(count), **params)


@jinja2.pass_eval_context
def _strong(eval_ctx: EvalContext, value: object) -> object:
    """Bold in the HTML part, as it is in the text part."""
    return Markup("<strong>{}</strong>").format(value) if eval_ctx.autoescape else value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(t=_t, tn=_tn)
    env.filters.update(
        date=lambda day: formats.date(day),
        time=lambda moment: formats.time(moment),
        datetime=lambda moment: formats.datetime(moment),
        strong=_strong,
    )
    return env


_ENV = _environment()


def render(
    template: str, *, to: str, lang: str, headers: dict[str, str] | None = None, **params: object
) -> Mail:
    """The mail `template` in `lang`: its subject (the `subject` block of `<template>.txt`) and
    `<template>.txt` and `<template>.html` inside their layouts.

    Params whose name ends in `_url` are paths of this app (routes.py): each becomes the absolute
    link, under FAKTUROWO_BASE_URL, to that page in `lang` (routes.in_language); in the text part
    a link stands alone on its line. Dates and moments are passed as they are: the templates
    write them the way `lang` does (i18n/formats.py).
    """
    lang = i18n.supported(lang)
    settings = get_settings()
    values: dict[str, object] = {}
    for name, value in params.items():
        if name.endswith("_url"):
            if not isinstance(value, str) or not value.startswith("/"):
                raise ValueError(f"{name} must be a path of this app")
            value = settings.link(routes.in_language(value, lang))
        values[name] = value
    context: dict[str, object] = {**values, "lang": lang, "support_email": settings.support_email}
    with i18n.use_language(lang):
        text_template = _ENV.get_template(f"{template}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context))).strip()
        context["subject"] = subject
        text = text_template.render(context)
        page = _ENV.get_template(f"{template}.html").render(context)
    # Blocks and layouts leave blank lines behind: at most one between paragraphs.
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Mail(to=to, subject=subject, text=text, html=page, headers=dict(headers or {}))


def build_message(mail: Mail, settings: Settings) -> EmailMessage:
    """The MIME message: text first, HTML as the alternative."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    # The real zone (Europe/Warsaw, +0100 or +0200), not "-0000", which says the zone is unknown.
    message["Date"] = format_datetime(dt.datetime.now(clock.WARSAW))
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
    except _Unconfirmed as unconfirmed:
        log.warning("mail %r sent but not confirmed by the SMTP server: %s", mail.subject, unconfirmed.kind)
        raise MailUncertain(unconfirmed.kind) from None
    except (OSError, smtplib.SMTPException) as exc:
        # The exception text can quote the recipient; log only its kind.
        log.warning("mail %r not sent: %s", mail.subject, type(exc).__name__)
        raise MailError(type(exc).__name__) from None
    log.info("mail %r handed to the SMTP server", mail.subject)


async def send_async(mail: Mail, settings: Settings | None = None) -> None:
    """send() off the event loop, so a slow SMTP server never freezes a page."""
    await blocking.run_in(blocking.MAIL, send, mail, settings)


class _Unconfirmed(Exception):
    """The message went out whole and no answer came back (see MailUncertain)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _deliver(server: _SMTP | _SMTPSSL, message: EmailMessage) -> None:
    server.payload_sent = False
    try:
        server.send_message(message)
    except smtplib.SMTPResponseException:
        raise  # a refusal with an SMTP code: not taken
    except OSError as exc:
        # A timeout or a hang-up (SMTPServerDisconnected is an OSError too) after the last line:
        # the server may have taken it. Before the last line it is a plain failure.
        if server.payload_sent:
            raise _Unconfirmed(type(exc).__name__) from None
        raise


def _connect(settings: Settings) -> _SMTP | _SMTPSSL:
    """A connection ready to send: TLS as configured, logged in if a user is set."""
    host, port = settings.smtp_host, settings.smtp_port
    if host is None:
        raise RuntimeError("no SMTP server is configured (FAKTUROWO_SMTP_HOST)")
    if settings.smtp_security == "ssl":
        server: _SMTP | _SMTPSSL = _SMTPSSL(
            host, port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        server = _SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
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
    holder: dict[str, _SMTP | _SMTPSSL | None] = {"server": None}
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
            _deliver(server, message)
        return
    for attempt in (1, 2):
        if holder["server"] is None:
            holder["server"] = _connect(settings)
        try:
            _deliver(holder["server"], message)
            return
        except _Unconfirmed:
            holder["server"] = None
            raise
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
