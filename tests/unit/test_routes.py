"""routes.py is the one place a path of the app is spelled out, and its links are the same as ever.

The URLs are part of the contract (CONTRACT.md, "Routes"; e-mailed links live in old mails), so
the constants are pinned here literally; everything else is checked by reading the source: the
pages registered in fakturowo_ui.py, the private pages, and that no other module writes a route.
"""

from __future__ import annotations

import ast
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from fakturowo_ui import routes
from fakturowo_ui.services import accounts
from fakturowo_ui.services.tokens import new_token

PACKAGE = Path(routes.__file__).parent


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# -- the constants are today's URLs ----------------------------------------------------------------


def test_the_pages_and_endpoints_keep_their_urls():
    assert routes.PAGES == (
        "/",
        "/rejestracja/",
        "/logowanie/",
        "/potwierdz-email/",
        "/reset-hasla/",
        "/konto/",
        "/zmiana-hasla/",
        "/usun-konto/",
        "/pomoc/jak-usunac-konto-uzytkownika/",
        "/wystaw/",
        "/dokumenty/",
        "/klienci/",
        "/produkty/",
        "/ustawienia/",
        "/wypisz/",
        "/logowanie/weryfikacja/",
        "/konto/historia/",
        "/potwierdz-nowy-email/",
        "/pomoc/",
        "/pomoc/okresowa-zmiana-hasla/",
        "/pomoc/zgody-na-wiadomosci/",
        "/pomoc/kopia-danych/",
        "/pomoc/logowanie-dwustopniowe/",
        "/opinia/",
    )
    assert routes.ENDPOINTS == (
        "/auth/session",
        "/auth/logout",
        "/auth/rotate",
        "/dev/outbox",
        "/healthz",
        "/pliki/faktura/{document_id}",
        "/pliki/eksport/{token}",
    )
    assert routes.LOGIN_CODE_REFUSED == "/logowanie/?blad=kod"
    assert routes.LOGGED_OUT == "/logowanie/?wylogowano=1"
    assert routes.PASSWORD_CHANGED == "/zmiana-hasla/?zmieniono=1"


def test_routes_imports_nothing_of_reflex_and_of_the_app_only_the_language():
    imported = set()
    for node in ast.walk(_parse(PACKAGE / "routes.py")):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    # fakturowo_ui.i18n: the language of the current event, for `here()`; it imports nothing of ours.
    assert imported <= {"__future__", "urllib.parse", "fakturowo_ui.i18n"}


# -- the builders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "page"),
    [
        (routes.confirm_email_link, "/potwierdz-email/"),
        (routes.password_reset_link, "/reset-hasla/"),
        (routes.confirm_deletion_link, "/usun-konto/"),
        (routes.unsubscribe_link, "/wypisz/"),
    ],
)
def test_a_link_carries_its_token_as_it_always_did(build, page):
    token = new_token()
    # A URL-safe token (the one token maker's) goes in as it is: the same links as before.
    assert build(token) == f"{page}?token={token}"
    assert build("17.reminders." + "ab" * 32) == f"{page}?token=17.reminders.{'ab' * 32}"
    # Anything else is quoted, so it comes back whole and cannot add a parameter.
    odd = "a b&next=//evil/?x=ł#"
    link = build(odd)
    parts = urlsplit(link)
    assert parts.path == page and parts.fragment == ""
    assert parse_qs(parts.query) == {"token": [odd]}


def test_login_remembers_where_to_go_back():
    assert routes.login("/konto/") == "/logowanie/?next=/konto/"
    assert routes.login("/klienci/") == "/logowanie/?next=/klienci/"
    assert routes.login("/dokumenty/a b&c") == "/logowanie/?next=/dokumenty/a%20b%26c"


def test_documents_and_files():
    assert routes.show_document(12) == "/dokumenty/?pokaz=12"
    assert routes.show_document(12, issued=True) == "/dokumenty/?pokaz=12&wystawiono=1"
    assert routes.document_pdf(7) == "/pliki/faktura/7"
    token = new_token()
    assert routes.export_download(token) == f"/pliki/eksport/{token}"
    assert routes.export_download("../secret_key") == "/pliki/eksport/..%2Fsecret_key"


# -- what the app registers and lets a login lead to -----------------------------------------------


def _registrations() -> dict[str, str]:
    """Page function name -> the routes.py name of its route, from fakturowo_ui.PAGES: every page
    is written as a routes.py constant in that table (fakturowo_ui.py registers each in both
    languages from it)."""
    found: dict[str, str] = {}
    table = next(
        node.value
        for node in ast.walk(_parse(PACKAGE / "fakturowo_ui.py"))
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "PAGES"
    )
    assert isinstance(table, ast.List)
    for row in table.elts:
        assert isinstance(row, ast.Tuple), ast.unparse(row)
        route, component = row.elts[0], row.elts[1]
        assert isinstance(route, ast.Attribute) and isinstance(route.value, ast.Name), ast.unparse(row)
        assert route.value.id == "routes", f"a page route not from routes.py: {ast.unparse(route)}"
        assert isinstance(component, ast.Name)
        assert component.id not in found, f"{component.id} registered twice"
        found[component.id] = route.attr
    return found


def test_every_page_is_registered_with_a_route_from_routes_py():
    registered = [getattr(routes, name) for name in _registrations().values()]
    assert sorted(registered) == sorted(routes.PAGES)
    assert len(set(registered)) == len(registered)
    for route in routes.PAGES:
        # Linked to with the slash the exported pages are served under; Reflex strips it on add_page.
        assert route.startswith("/") and route.endswith("/")


def test_every_page_is_registered_in_polish_and_under_en_in_english():
    from fakturowo_ui.fakturowo_ui import app

    expected = {
        routes.in_language(page, lang).strip("/") or "index" for page in routes.PAGES for lang in ("pl", "en")
    }
    # (Reflex adds its own "404" page once the app has been compiled in this process.)
    assert set(app._unevaluated_pages) - {"404"} == expected
    assert app._unevaluated_pages["konto"].title == "Konto"
    assert app._unevaluated_pages["en/konto"].title == "Account"


def _private_page_functions() -> set[str]:
    """The page functions whose layout is `page(..., private=True)` (components/layout.py)."""
    names = set()
    for path in sorted((PACKAGE / "pages").glob("*.py")):
        for function in _parse(path).body:
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "page"
                    and any(
                        k.arg == "private" and isinstance(k.value, ast.Constant) and k.value.value is True
                        for k in node.keywords
                    )
                ):
                    names.add(function.name)
    return names


def test_the_allowed_next_paths_are_the_private_pages():
    registrations = _registrations()
    private = _private_page_functions()
    assert private <= registrations.keys()
    assert {getattr(routes, registrations[name]) for name in private} == set(routes.PRIVATE_PAGES)
    for route in routes.PRIVATE_PAGES:
        assert accounts.safe_next_path(route) == route
        assert accounts.safe_next_path(route.rstrip("/")) == route.rstrip("/")
    for route in set(routes.PAGES) - set(routes.PRIVATE_PAGES):
        assert accounts.safe_next_path(route) == routes.ACCOUNT


def test_pages_take_nothing_from_services_or_the_database():
    offenders = []
    for path in sorted((PACKAGE / "pages").glob("*.py")):
        for node in ast.walk(_parse(path)):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                if name.startswith(("fakturowo_ui.services", "fakturowo_ui.db", "fakturowo_ui.models")):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == [], "a page takes its states from state/ and its paths from routes.py"


# -- no route written anywhere else ------------------------------------------------------------------

# Calls whose first argument is where the browser goes: the one place a bare "/" means the start page.
_NAVIGATING_CALLS = {"redirect", "_redirect", "RedirectResponse", "link", "Route", "post_form"}
# ...and a constant named like one (HOME_PATH = "/").
_ROUTE_NAMES = ("PATH", "ROUTE", "URL", "HOME")


def _known_paths() -> list[str]:
    """Every route of routes.py without its query, its {parameter} and its trailing slash."""
    paths = set()
    for value in vars(routes).values():
        if isinstance(value, str) and value.startswith("/"):
            path = value.split("?")[0].split("{")[0].rstrip("/")
            if path:
                paths.add(path)
    return sorted(paths)


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _names_the_start_page(node: ast.Constant, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    if isinstance(parent, ast.Assign | ast.AnnAssign):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        return any(isinstance(t, ast.Name) and t.id.endswith(_ROUTE_NAMES) for t in targets)
    if isinstance(parent, ast.keyword):
        return parent.arg == "href"
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node:
        func = parent.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _NAVIGATING_CALLS
    return False


def route_literals(source: str) -> list[str]:
    """The string constants in `source` (docstrings aside) that spell out a route of the app."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    known = _known_paths()
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
            continue
        text = node.value
        if not text.startswith("/"):
            continue
        path = text.split("?")[0].split("#")[0].split("{")[0].rstrip("/")
        if not path:
            # "/" is also a cookie's path and what rstrip takes: a route only where one goes there.
            if _names_the_start_page(node, parents):
                found.append(text)
        elif any(path == route or path.startswith(route + "/") for route in known):
            found.append(text)
    return found


def test_the_route_finder_finds_a_route_written_out():
    state = '''
"""/konto: a docstring may name the page it is about."""
import reflex as rx

def on_load(self, token, document_id):
    """Sends the visitor to /konto/."""
    yield rx.redirect("/konto/")
    yield rx.redirect(f"/logowanie/?next={token}")
    yield rx.redirect("/")
    HOME_PATH = "/"
    yield rx.download(url=f"/pliki/faktura/{document_id}")
    return rx.el.a("x", href="/zmiana-hasla")
'''
    assert sorted(route_literals(state)) == [
        "/",
        "/",
        "/konto/",
        "/logowanie/?next=",
        "/pliki/faktura/",
        "/zmiana-hasla",
    ]
    harmless = """
response.set_cookie("s", "v", path="/")
url = base.rstrip("/")
app = rx.App(stylesheets=["/styles.css"])
pdf = f"/Flags 32 /FontBBox [{bbox}]"
other = "/kontotwo"
"""
    assert route_literals(harmless) == []


def test_no_module_but_routes_py_writes_a_route():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "state" / "auth.py" in modules
    offenders = [
        f"{path.relative_to(PACKAGE)}: {literal!r}"
        for path in modules
        if path.name != "routes.py" or path.parent != PACKAGE
        for literal in route_literals(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "take every path from fakturowo_ui/routes.py"


# -- languages ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "lang", "polish", "english"),
    [
        ("/", "pl", "/", "/en/"),
        ("/konto/", "pl", "/konto/", "/en/konto/"),
        ("/en", "en", "/", "/en/"),
        ("/en/", "en", "/", "/en/"),
        ("/en?x=1", "en", "/?x=1", "/en/?x=1"),
        ("/en/konto/?x=1", "en", "/konto/?x=1", "/en/konto/?x=1"),
        (
            "/logowanie/?next=/en/konto/",
            "pl",
            "/logowanie/?next=/en/konto/",
            "/en/logowanie/?next=/en/konto/",
        ),
        ("/enigma/", "pl", "/enigma/", "/en/enigma/"),
    ],
)
def test_a_page_address_moves_between_languages_with_its_query(path, lang, polish, english):
    assert routes.language_of(path) == lang
    assert routes.in_language(path, "pl") == polish
    assert routes.in_language(path, "en") == english
    assert routes.language_of(routes.in_language(path, "en")) == "en"


def test_here_follows_the_language_of_the_event():
    from fakturowo_ui.i18n import use_language

    assert routes.here(routes.ACCOUNT) == "/konto/"
    with use_language("en"):
        assert routes.here(routes.ACCOUNT) == "/en/konto/"
        assert routes.here(routes.login(routes.ACCOUNT)) == "/en/logowanie/?next=/konto/"
    assert routes.here(routes.ACCOUNT) == "/konto/"


def test_pages_and_states_link_and_redirect_in_the_language_of_the_page():
    """A link or redirect to a page of ours goes through routes.here (or in_language), so an
    English page never sends the user back to a Polish one."""
    offenders = []
    for path in sorted(
        [
            *(PACKAGE / "pages").glob("*.py"),
            *(PACKAGE / "state").glob("*.py"),
            PACKAGE / "components" / "layout.py",
        ]
    ):
        for node in ast.walk(_parse(path)):
            values = []
            if isinstance(node, ast.keyword) and node.arg == "href":
                values.append(node.value)
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "rx.redirect" and node.args:
                values.append(node.args[0])
            for value in values:
                text = ast.unparse(value)
                if text.startswith("routes.") and not text.startswith(
                    ("routes.here(", "routes.in_language(")
                ):
                    offenders.append(f"{path.name}:{value.lineno}: {text}")
    assert offenders == []


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://localhost:3000/en/konto/?x=1", "/en/konto/?x=1"),
        ("http://localhost:3000/konto/", "/konto/"),
        ("http://localhost:3000//evil.example/", "/"),
        ("http://localhost:3000/\\evil.example/", "/"),
    ],
)
def test_the_language_switch_only_ever_redirects_to_a_path_of_this_site(url, address):
    from types import SimpleNamespace

    from reflex.istate.data import ReflexURL

    from fakturowo_ui.state.language import _page_address

    tab = SimpleNamespace(router=SimpleNamespace(url=ReflexURL(url)))
    assert _page_address(tab) == address  # type: ignore[arg-type]
    assert routes.in_language(_page_address(tab), "pl").startswith("/")  # type: ignore[arg-type]
    assert not routes.in_language(_page_address(tab), "pl").startswith("//")  # type: ignore[arg-type]
