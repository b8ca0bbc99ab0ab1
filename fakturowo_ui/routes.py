"""Every route of the app as a constant, and the builders of links that carry a token or a query.

The one place a path of this app is spelled out (tests/unit/test_routes.py keeps it so): pages,
states, services (the e-mailed links, through `get_settings().link(...)`) and api.py take their
paths from here. It imports nothing of Reflex, and of the app only the language of the current
event (i18n), so every layer may use it.

A page constant is the address the app links to: with the trailing slash, as the exported
frontend serves every page (`/konto/` is `konto/index.html`). `app.add_page(route=...)` takes the
same constant; Reflex strips the slashes of a route it registers.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

# -- pages (CONTRACT.md, "Routes") ---------------------------------------------------------------
HOME = "/"
REGISTER = "/rejestracja/"
LOGIN = "/logowanie/"
CONFIRM_EMAIL = "/potwierdz-email/"
PASSWORD_RESET = "/reset-hasla/"
ACCOUNT = "/konto/"
PASSWORD_CHANGE = "/zmiana-hasla/"
CONFIRM_DELETION = "/usun-konto/"
HELP_DELETE_ACCOUNT = "/pomoc/jak-usunac-konto-uzytkownika/"
# The help index and an article per feature of the account page, each linked from its region.
HELP = "/pomoc/"
HELP_PERIODIC_CHANGE = "/pomoc/okresowa-zmiana-hasla/"
HELP_CONSENTS = "/pomoc/zgody-na-wiadomosci/"
HELP_DATA_EXPORT = "/pomoc/kopia-danych/"
HELP_TWO_STEP = "/pomoc/logowanie-dwustopniowe/"
ISSUE_INVOICE = "/wystaw/"
DOCUMENTS = "/dokumenty/"
CLIENTS = "/klienci/"
PRODUCTS = "/produkty/"
SELLER_SETTINGS = "/ustawienia/"
# GET is the page with the button; POST (api.py) is RFC 8058's one-click unsubscribe.
UNSUBSCRIBE = "/wypisz/"
# Account security (issue 12): the second step of a login with two-step login on, the
# security history, and the page the new address's confirmation link opens.
LOGIN_SECOND_STEP = "/logowanie/weryfikacja/"
SECURITY_HISTORY = "/konto/historia/"
CONFIRM_NEW_EMAIL = "/potwierdz-nowy-email/"
# "Podziel się opinią" (issue 13): where the review mail's button leads.
FEEDBACK = "/opinia/"

# Every page the app registers (fakturowo_ui.py).
PAGES = (
    HOME,
    REGISTER,
    LOGIN,
    CONFIRM_EMAIL,
    PASSWORD_RESET,
    ACCOUNT,
    PASSWORD_CHANGE,
    CONFIRM_DELETION,
    HELP_DELETE_ACCOUNT,
    ISSUE_INVOICE,
    DOCUMENTS,
    CLIENTS,
    PRODUCTS,
    SELLER_SETTINGS,
    UNSUBSCRIBE,
    LOGIN_SECOND_STEP,
    SECURITY_HISTORY,
    CONFIRM_NEW_EMAIL,
    HELP,
    HELP_PERIODIC_CHANGE,
    HELP_CONSENTS,
    HELP_DATA_EXPORT,
    HELP_TWO_STEP,
    FEEDBACK,
)
# The help pages: public, with the logged-in menu when the visitor is logged in.
HELP_PAGES = (HELP, HELP_PERIODIC_CHANGE, HELP_CONSENTS, HELP_DATA_EXPORT, HELP_TWO_STEP, HELP_DELETE_ACCOUNT)
# The pages that need a logged-in user: the only places a login may lead back to (`?next=`).
PRIVATE_PAGES = (
    ACCOUNT,
    PASSWORD_CHANGE,
    CLIENTS,
    PRODUCTS,
    DOCUMENTS,
    SELLER_SETTINGS,
    ISSUE_INVOICE,
    SECURITY_HISTORY,
    FEEDBACK,
)

# -- the same pages with a query the page reads ----------------------------------------------------
# After POST /auth/session refused its one-time code.
LOGIN_CODE_REFUSED = LOGIN + "?blad=kod"
# After POST /auth/logout.
LOGGED_OUT = LOGIN + "?wylogowano=1"
# Where the tab lands after the session hop that follows a successful password change.
PASSWORD_CHANGED = PASSWORD_CHANGE + "?zmieniono=1"

# -- plain HTTP endpoints (api.py; Starlette path patterns) ---------------------------------------
AUTH_SESSION = "/auth/session"
AUTH_LOGOUT = "/auth/logout"
AUTH_ROTATE = "/auth/rotate"
DEV_OUTBOX = "/dev/outbox"
HEALTHZ = "/healthz"
DOCUMENT_PDF = "/pliki/faktura/{document_id}"
EXPORT_DOWNLOAD = "/pliki/eksport/{token}"

ENDPOINTS = (AUTH_SESSION, AUTH_LOGOUT, AUTH_ROTATE, DEV_OUTBOX, HEALTHZ, DOCUMENT_PDF, EXPORT_DOWNLOAD)


# -- builders ---------------------------------------------------------------------------------------
def _with_token(page: str, token: str) -> str:
    return f"{page}?{urlencode({'token': token})}"


def confirm_email_link(token: str) -> str:
    """The address confirmation page for this link's token (the mail "Potwierdź adres email")."""
    return _with_token(CONFIRM_EMAIL, token)


def password_reset_link(token: str) -> str:
    """The page that sets a new password with this reset link's token."""
    return _with_token(PASSWORD_RESET, token)


def confirm_deletion_link(token: str) -> str:
    """The deletion confirmation page for this link's token (the mail "Potwierdź usunięcie konta")."""
    return _with_token(CONFIRM_DELETION, token)


def confirm_new_email_link(token: str) -> str:
    """The page that confirms a new account address (the mail "Potwierdź nowy adres email")."""
    return _with_token(CONFIRM_NEW_EMAIL, token)


def unsubscribe_link(token: str) -> str:
    """The unsubscribe page (GET) and one-click endpoint (POST) for this signed token."""
    return _with_token(UNSUBSCRIBE, token)


def login(next_path: str) -> str:
    """The login page that leads back to `next_path` (a path of this app) after the login."""
    return f"{LOGIN}?next={quote(next_path, safe='/')}"


def show_document(document_id: int, *, issued: bool = False) -> str:
    """/dokumenty showing one document; `issued` adds the "just issued" message."""
    path = f"{DOCUMENTS}?pokaz={int(document_id)}"
    return path + "&wystawiono=1" if issued else path


def document_pdf(document_id: int) -> str:
    """The PDF of one of the user's documents."""
    return DOCUMENT_PDF.format(document_id=int(document_id))


def export_download(token: str) -> str:
    """The user's finished data export, downloaded once."""
    return EXPORT_DOWNLOAD.format(token=quote(token, safe=""))


# -- languages (CONTRACT.md, "Language and wording") -----------------------------------------------
# The Polish pages live at the paths above; the same pages in English under this prefix, compiled
# from the same page functions (fakturowo_ui.py). Endpoints and files have no language.
ENGLISH_PREFIX = "/en"
LANGUAGE_PREFIXES = {"pl": "", "en": ENGLISH_PREFIX}


def language_of(path: str) -> str:
    """The language of a page address: "en" under /en/, else "pl"."""
    english = path == ENGLISH_PREFIX or path.startswith((ENGLISH_PREFIX + "/", ENGLISH_PREFIX + "?"))
    return "en" if english else "pl"


def without_language(path: str) -> str:
    """A page address without its language prefix: /en/konto/?x=1 -> /konto/?x=1, /en -> /."""
    if language_of(path) == "pl":
        return path
    rest = path[len(ENGLISH_PREFIX) :]
    return rest if rest.startswith("/") else "/" + rest


def in_language(path: str, lang: str) -> str:
    """The same page address (query kept) in `lang`: /konto/ -> /en/konto/, / -> /en/, and back."""
    return LANGUAGE_PREFIXES.get(lang, "") + without_language(path)


def here(path: str) -> str:
    """`path` in the language of the page or event being handled (links, redirects)."""
    from fakturowo_ui.i18n import current_language

    return in_language(path, current_language())
