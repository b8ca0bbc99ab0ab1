"""The few HTTP endpoints that must be plain HTTP: setting and clearing the HttpOnly session cookie,
the local outbox viewer, and security headers on every response.

An event over the websocket cannot set an HttpOnly cookie, so login hands a one-time code from the
page to POST /auth/session, which sets the cookie and redirects (a full page load, so the socket
reconnects carrying the new cookie).

Two rules hold for every endpoint here (issue 14): a request body is read through _small_form,
which stops at MAX_FORM_BYTES while streaming (413), and database work runs in Starlette's
thread pool, so a held SQLite write lock delays only its own request, never the event loop.
"""

from __future__ import annotations

import email
import email.policy
import html
import ipaddress
import re
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fakturowo_ui import routes
from fakturowo_ui.db import session_scope
from fakturowo_ui.health import healthz
from fakturowo_ui.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, supported, t
from fakturowo_ui.services import (
    accounts,
    clock,
    consents,
    documents,
    export,
    password_change,
    pdf,
    security_log,
    sessions,
    two_step,
    unsubscribe,
)
from fakturowo_ui.services.client_address import client_address
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.settings import get_settings

MAX_FORM_BYTES = 4096

# Headers a reverse proxy adds: their presence means the socket's peer is not the visitor.
_PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


def _same_origin(request: Request) -> bool:
    """A state-changing POST must come from a page of this app (CSRF).

    Our pages are served with Referrer-Policy: no-referrer, under which browsers send
    `Origin: null` on form posts; Sec-Fetch-Site then says whether the post came from our origin.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return request.headers.get("origin") in get_settings().accepted_origins


def request_origin(request: Request) -> security_log.Origin:
    """Where a request comes from, as sessions and the security history keep it (issue 12): the
    client's address (through FAKTUROWO_TRUSTED_PROXIES, as the pages' events see it) and its
    User-Agent."""
    peer = request.client.host if request.client else None
    ip = client_address(peer, request.headers.get("x-forwarded-for"), get_settings().trusted_proxies)
    return security_log.Origin(ip=ip, user_agent=request.headers.get("user-agent", ""))


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        sessions.COOKIE_NAME,
        token,
        max_age=int(sessions.ABSOLUTE_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def _clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )


class _BodyTooLarge(Exception):
    """The request's body is over MAX_FORM_BYTES (or says so in Content-Length)."""


def _too_large() -> Response:
    return PlainTextResponse("Payload Too Large", status_code=413, headers={"Cache-Control": "no-store"})


async def _read_small_body(request: Request) -> bytes:
    """At most MAX_FORM_BYTES of body: refused up front by Content-Length, otherwise counted
    while streaming, so an endless chunked body costs one chunk past the limit, not memory."""
    length = request.headers.get("content-length")
    if length is not None and (not length.strip().isdigit() or int(length) > MAX_FORM_BYTES):
        raise _BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise _BodyTooLarge
    return bytes(body)


async def _small_form(request: Request) -> dict[str, str]:
    """The posted form (urlencoded or multipart), keys to str values; raises _BodyTooLarge.

    The bounded body is handed to Starlette's own form parsers through a request that replays it.
    """
    body = await _read_small_body(request)

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def _posted_code(request: Request) -> str | Response:
    """The one-time `code` a page of this app posted (may be ""), or the response that refuses
    the post: 403 from another site, 413 for too large a body."""
    if not _same_origin(request):
        return PlainTextResponse("Forbidden", status_code=403)
    try:
        form = await _small_form(request)
    except _BodyTooLarge:
        return _too_large()
    return form.get("code", "")


async def start_session(request: Request) -> Response:
    """POST /auth/session: exchange a one-time login code for the session cookie.

    For an account with two-step login the code from the password step gives no session: a
    ticket for the second step goes into an HttpOnly cookie of its own, bound to this browser,
    and the browser goes to the page that asks for the code (its mail sent first, for the e-mail
    method). The code from that page then gives the session, and the ticket's cookie is cleared.
    """
    code = await _posted_code(request)
    if isinstance(code, Response):
        return code
    handoff = await run_in_threadpool(accounts.hand_off, code, request_origin(request)) if code else None
    if handoff is None:
        return _redirect(routes.in_language(routes.LOGIN_CODE_REFUSED, _browser_language(request)))
    response = _redirect(handoff.next_path)
    if handoff.ticket:
        if handoff.mail_code_to is not None:
            try:
                await two_step.mail_code(handoff.mail_code_to)
            except DomainError:
                pass  # the second step's page says the code did not go and offers to send again
        response.set_cookie(
            two_step.TICKET_COOKIE,
            handoff.token,
            max_age=int(two_step.TICKET_TTL.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
        return response
    _set_session_cookie(response, handoff.token)
    if two_step.TICKET_COOKIE in request.cookies:
        response.delete_cookie(
            two_step.TICKET_COOKIE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
    _set_language_cookie(response, routes.language_of(handoff.next_path))
    return response


def _set_language_cookie(response: Response, lang: str) -> None:
    """The account's language becomes this browser's (state/language.py reads the cookie)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        lang,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path="/",
        samesite="lax",
        secure=get_settings().secure_cookies,
    )


def _browser_language(request: Request) -> str:
    """The language this browser chose (its cookie), for the pages an endpoint sends it to."""
    return supported(request.cookies.get(LANGUAGE_COOKIE))


def _end_session(token: str | None, origin: security_log.Origin) -> None:
    # A write from its first statement (it reads the session, then records and deletes).
    with session_scope(write_lock=True) as session:
        user, _touch = sessions.resolve_untouched(session, token)
        if user is not None:
            security_log.record(session, user.user_id, security_log.EventKind.LOGOUT, origin)
        sessions.end(session, token)


async def end_session(request: Request) -> Response:
    """POST /auth/logout: end this browser's session and clear the cookie."""
    if not _same_origin(request):
        return PlainTextResponse("Forbidden", status_code=403)
    token = sessions.token_from_cookie_header(request.headers.get("cookie", ""))
    await run_in_threadpool(_end_session, token, request_origin(request))
    response = _redirect(routes.in_language(routes.LOGGED_OUT, _browser_language(request)))
    _clear_session_cookie(response)
    return response


async def rotate_session(request: Request) -> Response:
    """POST /auth/rotate: after a password change, the tab's cookie gets a brand-new session.

    The change ended every session of the user, this tab's too; the one-time code it handed the
    tab starts a fresh one, so the token the cookie held before the change is worth nothing.
    """
    code = await _posted_code(request)
    if isinstance(code, Response):
        return code
    result = (
        await run_in_threadpool(password_change.exchange_rotation_code, code, request_origin(request))
        if code
        else None
    )
    if result is None:
        response = _redirect(routes.in_language(routes.LOGIN_CODE_REFUSED, _browser_language(request)))
        _clear_session_cookie(response)
        return response
    token, next_path = result
    response = _redirect(routes.in_language(next_path, _browser_language(request)))
    _set_session_cookie(response, token)
    return response


async def one_click_unsubscribe(request: Request) -> Response:
    """POST /wypisz/?token=…: RFC 8058 one-click unsubscribe (consents and reminders, issue 5).

    A mail client posts `List-Unsubscribe=One-Click` with no cookie and, from a server, no
    Origin: the signed token is the whole authority, so no same-origin check applies. A GET of
    the same URL is the page /wypisz with a button, which changes nothing until pressed.
    """
    headers = {"Cache-Control": "no-store"}
    try:
        form = await _small_form(request)
    except _BodyTooLarge:
        return _too_large()
    if form.get(unsubscribe.ONE_CLICK[0]) != unsubscribe.ONE_CLICK[1]:
        return PlainTextResponse(t("unsubscribe.bad_request"), status_code=400, headers=headers)
    outcome, consent = await run_in_threadpool(unsubscribe.withdraw, request.query_params.get("token", ""))
    if outcome is unsubscribe.Outcome.INVALID:
        return PlainTextResponse(t("unsubscribe.invalid"), status_code=400, headers=headers)
    if outcome is unsubscribe.Outcome.ACCOUNT_GONE:
        return PlainTextResponse(t("unsubscribe.account_gone"), status_code=404, headers=headers)
    name = t(consents.CONSENT_NAMES[consent])
    if outcome is unsubscribe.Outcome.WITHDRAWN:
        return PlainTextResponse(t("unsubscribe.done", consent=name), status_code=200, headers=headers)
    return PlainTextResponse(t("unsubscribe.already", consent=name), status_code=200, headers=headers)


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


_URL_RE = re.compile(r"(https?://[^\s<>\"']+)")


def _linkify(text: str) -> str:
    return _URL_RE.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', html.escape(text, quote=False))


def _outbox_allowed(request: Request) -> bool:
    """Only a visitor on this machine, talking to the backend directly.

    Behind a reverse proxy on the same host every visitor's socket peer is loopback, so a
    request carrying a proxy header, or any request while FAKTUROWO_TRUSTED_PROXIES names a
    proxy, is refused whatever its peer.
    """
    settings = get_settings()
    if not settings.uses_outbox or settings.trusted_proxies:
        return False
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    return _is_loopback(request)


async def outbox(request: Request) -> Response:
    """GET /dev/outbox: the local outbox, newest first; only while it is in use, only locally."""
    if not _outbox_allowed(request):
        return PlainTextResponse("Not Found", status_code=404)
    page = await run_in_threadpool(_outbox_page, get_settings().outbox_dir, _browser_language(request))
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def _outbox_page(outbox_dir: Path, lang: str) -> str:
    files = sorted(outbox_dir.glob("*.eml"), reverse=True)[:50] if outbox_dir.exists() else []
    items = []
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        items.append(
            "<article><h2>{subject}</h2><p>{to} · {date} · <code>{name}</code></p><pre>{text}</pre></article>".format(
                subject=html.escape(str(message["Subject"])),
                to=html.escape(t("outbox.to", lang, to=str(message["To"]))),
                date=html.escape(str(message["Date"])),
                name=html.escape(path.name),
                text=_linkify(text),
            )
        )
    empty = "<p>" + html.escape(t("outbox.empty", lang)) + "</p>"
    title = html.escape(t("outbox.title", lang))
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "article{border:1px solid #ccd;border-radius:8px;padding:0 1rem;margin:1rem 0}"
        f"pre{{white-space:pre-wrap}}</style></head><body><h1>{title} (var/outbox)</h1>"
        f"{''.join(items) or empty}</body></html>"
    )


# User data (issue 6): an invoice's PDF and the data export, only for the logged-in owner.
async def _owner(request: Request) -> int | None:
    """The logged-in user behind the request's cookie (a session that must change its password
    first counts as none, as sessions.resolve decides)."""
    token = sessions.token_from_cookie_header(request.headers.get("cookie", ""))
    return await run_in_threadpool(_resolve_user_id, token)


def _resolve_user_id(token: str | None) -> int | None:
    with session_scope() as session:
        user = sessions.resolve(session, token)
    return None if user is None else user.user_id


def _document_with_items(user_id: int, document_id: int):
    with session_scope() as session:
        document = documents.get(session, user_id, document_id)
        return document, documents.items_of(session, document.id)


def _attachment(name: str) -> str:
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


async def document_pdf(request: Request) -> Response:
    """GET /pliki/faktura/{id}: the user's own invoice as a PDF; 404 for anyone else's."""
    user_id = await _owner(request)
    if user_id is None:
        return PlainTextResponse("Unauthorized", status_code=401, headers={"Cache-Control": "no-store"})
    try:
        document_id = int(request.path_params["document_id"])
    except ValueError:
        return PlainTextResponse("Not Found", status_code=404)
    try:
        document, items = await run_in_threadpool(_document_with_items, user_id, document_id)
    except DomainError:
        return PlainTextResponse("Not Found", status_code=404)
    body = await run_in_threadpool(pdf.render_invoice, document, items)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": _attachment(documents.file_name(document.number)),
            "Cache-Control": "private, no-store",
        },
    )


async def export_download(request: Request) -> Response:
    """GET /pliki/eksport/{token}: the user's finished export, streamed once and then deleted."""
    user_id = await _owner(request)
    if user_id is None:
        return PlainTextResponse("Unauthorized", status_code=401, headers={"Cache-Control": "no-store"})
    path = await run_in_threadpool(export.open_for_download, user_id, request.path_params["token"])
    if path is None:
        return PlainTextResponse("Not Found", status_code=404, headers={"Cache-Control": "no-store"})
    name = f"fakturowo-kopia-danych-{clock.today_warsaw().isoformat()}.zip"
    return StreamingResponse(
        export.stream_and_delete(path),
        media_type="application/zip",
        headers={
            "Content-Disposition": _attachment(name),
            "Content-Length": str(path.stat().st_size),
            "Cache-Control": "private, no-store",
        },
    )


api = Starlette(
    routes=[
        Route(routes.AUTH_SESSION, start_session, methods=["POST"]),
        Route(routes.HEALTHZ, healthz, methods=["GET"]),
        Route(routes.AUTH_LOGOUT, end_session, methods=["POST"]),
        Route(routes.AUTH_ROTATE, rotate_session, methods=["POST"]),
        Route(routes.DEV_OUTBOX, outbox, methods=["GET"]),
        Route(routes.DOCUMENT_PDF, document_pdf, methods=["GET"]),
        Route(routes.EXPORT_DOWNLOAD, export_download, methods=["GET"]),
        # Only POST: a GET falls through to the Reflex page /wypisz.
        Route(routes.UNSUBSCRIBE, one_click_unsubscribe, methods=["POST"]),
        Route(routes.UNSUBSCRIBE.rstrip("/"), one_click_unsubscribe, methods=["POST"]),
    ]
)


_SECURITY_HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
]


def security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap the whole backend (pages included) so every response carries the security headers."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in _SECURITY_HEADERS if n not in existing]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped
