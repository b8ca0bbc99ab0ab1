"""Keeps request headers, cookies, passwords and event payloads out of every log record the app's processes write."""

from __future__ import annotations

import logging
import re

from fakturowo_ui.services.sessions import COOKIE_NAME

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<redacted>"
WITHHELD = "<log record withheld: it could not be redacted>"

# Where Reflex 0.10 puts secrets in its log lines, from its source:
# - reflex_base/event/processor/event_processor.py, for an event naming no registered handler:
#   logger.exception(f"Error processing event queue entry for {entry.event} ..."), the Event's
#   repr with router_data (every request header: cookie, authorization), the client token and the
#   payload (the form, the password among it);
# - reflex/app.py, EventNamespace.on_event: logger.warning(f"... Event data: {data}") and
#   exceptions built from f"... {fields}" (the raw event as the client sent it);
# - reflex/app.py, default_backend_exception_handler, for an exception raised inside a handler:
#   logger.error(f"[Reflex Backend Exception]\n {traceback}"), whose exception message may quote
#   the handler's arguments (a pydantic error's input_value, a sloppy f-string);
# - reflex_base/event/processor/base_state_processor.py: a warning quoting the payload error.
# All of them go through the standard `logging` module. Reflex's "console" at run time is a
# logging.Handler (reflex_base.utils.log.RichConsoleHandler, or the JSON or file sink) that
# `reflex run` attaches to the "reflex" logger in every worker, with propagation to the root cut;
# the direct rich prints of reflex_base.utils.console are used by the CLI's own commands only, never
# on the event path. So nothing in Reflex's console needs patching: cleaning each record once, as
# it is created, covers every sink that renders it.
#
# Why a log record factory and not only a filter on handlers: Reflex attaches its sinks to the
# "reflex" logger in each worker after our import (re-attached by every log.configure(), the file
# sink only when full logging is on), granian runs logging.config.dictConfig in its workers, and a
# filter on a logger does not see records propagated from its children. A handler filter would have
# to chase every handler of every process; the factory sees every record of every logger before any
# handler does, and dictConfig leaves it alone.

# Keys whose whole value (a dict, list or string) is dropped: headers and event payloads.
_BLOCK_KEYS = r"router_data|raw_headers|headers|payload|form_data|cookies"
# Keys whose value is a secret, in any letter case: "password", "new_password", "Cookie",
# "authorization", "token" (the client token of a tab), "fakturowo_session", a pydantic error's
# input_value (the rejected input itself) ...
_SECRET_KEYS = (
    rf"[\w-]*(?:passw|haslo|hasło|secret|token|cookie|authoriz|csrf|api[-_]?key|otp|code|session"
    rf"|{re.escape(COOKIE_NAME)})[\w-]*|input_value"
)
_KEY = re.compile(rf"(?<![\w-])(?P<key>{_BLOCK_KEYS}|{_SECRET_KEYS})['\"]?(?P<sep>\s*[:=]\s*)", re.IGNORECASE)
_BLOCK_KEY = re.compile(rf"(?:{_BLOCK_KEYS})\Z", re.IGNORECASE)
# A bare header value runs to the end of the line ("cookie: a=1; b=2", "Authorization: Bearer x").
_LINE_KEY = re.compile(r"(?:[\w-]*cookie[\w-]*|(?:proxy-)?authorization)\Z", re.IGNORECASE)
_BARE_END = re.compile(r"[\s,;&)\]}'\"]")
_OPENERS = {"{": "}", "[": "]", "(": ")"}
# Bare values that cannot be a secret (a password has at least 12 characters).
_NOT_A_SECRET = re.compile(r"True|False|None|true|false|null")

_UNKNOWN_HANDLER = "No registered handler found for event: "
_EXCEPTION_FORMATTER = logging.Formatter()


def _end_of_quoted(text: str, start: int) -> int:
    """The index just past the string literal opening at text[start], or -1 if it never closes."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return -1


def _end_of_block(text: str, start: int) -> int:
    """The index just past the bracketed block opening at text[start], or -1 if it never closes."""
    expected = [_OPENERS[text[start]]]
    i = start + 1
    while i < len(text):
        char = text[i]
        if char in "'\"":
            i = _end_of_quoted(text, i)
            if i < 0:
                return -1
            continue
        if char in _OPENERS:
            expected.append(_OPENERS[char])
        elif char == expected[-1]:
            expected.pop()
            if not expected:
                return i + 1
        i += 1
    return -1


def redact(text: str) -> str:
    """`text` with header values, cookies, passwords, tokens and event payloads replaced."""
    out: list[str] = []
    pos = 0
    while (match := _KEY.search(text, pos)) is not None:
        start = match.end()
        key = match.group("key")
        if start >= len(text):
            break
        first = text[start]
        if first in "'\"":
            end = _end_of_quoted(text, start)
            replacement = f"{first}{REDACTED}{first}"
        elif first in _OPENERS:
            end = _end_of_block(text, start)
            replacement = REDACTED
        elif _BLOCK_KEY.match(key):
            # "payload=None", "headers: 3": nothing structured to drop.
            out.append(text[pos:start])
            pos = start
            continue
        elif _LINE_KEY.match(key):
            newline = text.find("\n", start)
            end = len(text) if newline < 0 else newline
            replacement = REDACTED
        else:
            bare = _BARE_END.search(text, start)
            end = len(text) if bare is None else bare.start()
            replacement = REDACTED
            if _NOT_A_SECRET.fullmatch(text, start, end):
                # "must_change_password=True" in the audit log: a flag, not a secret.
                end = start
        if end == start:
            out.append(text[pos:start])
            pos = start
            continue
        out.append(text[pos:start])
        out.append(replacement)
        if end < 0:  # cut off mid-value: drop the rest rather than guess where it ends
            pos = len(text)
            break
        pos = end
    out.append(text[pos:])
    return "".join(out)


class RedactingFilter(logging.Filter):
    """Rewrites a record in place so that no header, cookie, password or payload reaches a handler.

    The message (with its arguments), the exception's traceback and the stack are redacted; a
    record that changed is flattened to its final text (args emptied, the redacted traceback
    appended to the message), since handlers render exc_info themselves. An event naming an
    unknown handler becomes one short line. A record that cannot be redacted is withheld.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._clean(record)
        except Exception:  # noqa: BLE001 - fail closed: never let an unredacted record through
            record.msg, record.args = f"{WITHHELD} ({record.name}, {record.pathname}:{record.lineno})", ()
            record.exc_info = record.exc_text = record.stack_info = None
        return True

    @staticmethod
    def _clean(record: logging.LogRecord) -> None:
        exc_info = record.exc_info
        error = exc_info[1] if exc_info else None
        if isinstance(error, KeyError) and str(error.args[0] if error.args else "").startswith(
            _UNKNOWN_HANDLER
        ):
            # A forged or stale event (Reflex's "Error processing event queue entry for <Event>"
            # with a KeyError): only its name, quoted and cut short (it comes from the client).
            name = str(error.args[0])[len(_UNKNOWN_HANDLER) :]
            record.msg, record.args = "Refused an event naming an unknown handler: %s", (repr(name[:200]),)
            record.exc_info = record.exc_text = None
            return
        message = record.getMessage()
        clean_message = redact(message)
        if error is not None:
            traceback = _EXCEPTION_FORMATTER.formatException(exc_info)  # type: ignore[arg-type]
            clean_traceback = redact(traceback)
            if clean_traceback != traceback:
                record.msg, record.args = f"{clean_message}\n{clean_traceback}", ()
                record.exc_info = record.exc_text = None
                clean_message = message = record.msg
        if clean_message != message:
            record.msg, record.args = clean_message, ()
        if record.stack_info:
            record.stack_info = redact(record.stack_info)


_FILTER = RedactingFilter()


def install_redaction() -> None:
    """Clean every log record of this process as it is created (see the notes above); idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "fakturowo_redacting", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    redacting_factory.fakturowo_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


def configure_logging() -> None:
    """The app's logging: INFO and up to stderr, every record redacted."""
    install_redaction()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
