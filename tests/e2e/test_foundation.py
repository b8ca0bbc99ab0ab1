"""Issue 2 in the browser: verified accounts, safe sessions, the account page, hostile input.

Runs in Debian's Chromium against the production build started once by tests/e2e/conftest.py.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from fakturowo_ui.i18n import LANGUAGE_COOKIE
from fakturowo_ui.services.sessions import COOKIE_NAME
from tests.e2e.helpers import (
    INIT_SCRIPT,
    PASSWORD,
    confirm,
    confirm_link,
    current_server,
    expect_message,
    login,
    logout,
    open_page,
    register,
    register_user,
    submit_login,
    unique_email,
    wait_ready,
    watched,
)

pytestmark = pytest.mark.e2e

REGIONS = (
    "Okresowa zmiana hasła",
    "Zgody na otrzymywanie wiadomości",
    "Abonament",
    "Usunięcie konta użytkownika",
)
NO_TRACEBACK = ("Traceback", "Error", "Exception", "Internal Server")
UNCONFIRMED = "nie został jeszcze potwierdzony"
LOGIN_FAILED = "Nieprawidłowy adres email lub hasło."

# Set on every page from here on: remembers (in this tab's sessionStorage, which survives page
# loads) whether `needle` was ever rendered, on any page, at any moment, bfcache included.
LEAK_WATCH = """
(() => {
  const needle = %s;
  const check = (why) => {
    if (document.body && document.body.innerText.includes(needle)) {
      sessionStorage.setItem('__e2e_leak', location.href + ' (' + why + ')');
    }
  };
  new MutationObserver(() => check('render')).observe(document, {subtree: true, childList: true, characterData: true});
  window.addEventListener('pageshow', (event) => check(event.persisted ? 'back-forward cache' : 'pageshow'));
})();
"""


def watch_for(page: Page, needle: str) -> None:
    page.add_init_script(LEAK_WATCH % json.dumps(needle))


def leak(page: Page) -> str | None:
    return page.evaluate("sessionStorage.getItem('__e2e_leak')")


def forget_sightings(page: Page) -> None:
    """From now on any sighting is a leak (the watcher stays in pages loaded before, bfcache too)."""
    page.evaluate("sessionStorage.removeItem('__e2e_leak')")


def body_text(page: Page) -> str:
    return page.locator("body").inner_text()


def assert_no_traceback(page: Page) -> None:
    text = body_text(page)
    for word in NO_TRACEBACK:
        assert word not in text, f"{word!r} on the page:\n{text}"


def assert_no_script_ran(page: Page) -> None:
    assert page.evaluate("window.__xss") is None, "an injected payload ran"
    dialogs = watched(page).dialogs
    assert not dialogs, f"a script opened a dialog: {dialogs}"


def expect_account_page(page: Page, email: str, user_id: int) -> None:
    """/konto with its four regions, naming this user's ID and address."""
    expect(page).to_have_url(re.compile(r"/konto/$"))
    expect(page.get_by_text("Zalogowano jako")).to_have_text(f"Zalogowano jako {email} (ID {user_id})")
    for name in REGIONS:
        expect(page.get_by_role("region", name=name)).to_be_visible()
    deletion = page.get_by_role("region", name="Usunięcie konta użytkownika")
    expect(deletion).to_contain_text(re.compile(rf"\bID {user_id}\b"))
    expect(deletion).to_contain_text(email)


def expect_sent_to_login(page: Page, private_path: str = routes.ACCOUNT) -> None:
    """A visitor without a session is on /logowanie, told to log in, remembered where to go."""
    expect(page).to_have_url(re.compile(r"/logowanie/\?next=" + re.escape(private_path) + "$"))
    wait_ready(page)
    expect_message(page, "Zaloguj się, aby zobaczyć tę stronę.")


def http_status(url: str, method: str) -> int:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def confirmation_state(email: str) -> tuple[object, list[object]]:
    """(email_confirmed_at, used_at of every confirmation token) straight from the database."""
    server = current_server()
    user_id = server.user_id(email)
    confirmed = server.scalar('SELECT email_confirmed_at FROM "user" WHERE id = ?', (user_id,))
    used = [
        row[0]
        for row in server.sql(
            "SELECT used_at FROM one_time_token WHERE user_id = ? AND purpose = 'confirm_email'", (user_id,)
        )
    ]
    return confirmed, used


# -- the main path -----------------------------------------------------------------------------


def test_register_confirm_login_account_page_and_logout(page: Page):
    server = current_server()
    email = unique_email()
    register(page, email)
    assert confirmation_state(email)[0] is None
    confirm(page, confirm_link(email))
    user_id = server.existing_user_id(email)

    watch_for(page, email)
    login(page, email)
    expect_account_page(page, email, user_id)
    assert leak(page) is not None, "the leak watcher does not see the account page"

    # The session cookie is HttpOnly: present in the browser, invisible to scripts, which see only
    # the language the login copied from the account (state/language.py reads it).
    assert page.evaluate("document.cookie") == f"{LANGUAGE_COOKIE}=pl"
    cookies = {c.get("name"): c for c in page.context.cookies()}
    assert cookies[COOKIE_NAME].get("httpOnly") is True
    assert cookies[COOKIE_NAME].get("sameSite") == "Lax"

    logout(page)
    forget_sightings(page)
    assert COOKIE_NAME not in {c.get("name") for c in page.context.cookies()}

    # Back to the account page through history, then by address: the login page, nothing private.
    page.go_back(wait_until="commit")
    expect_sent_to_login(page)
    open_page(page, routes.ACCOUNT)
    expect_sent_to_login(page)
    assert email not in page.content()
    assert leak(page) is None, f"the logged-out user's address was shown: {leak(page)}"
    assert_no_script_ran(page)


def test_back_after_logout_shows_nothing_with_the_back_forward_cache_on(browser):
    """Playwright turns Chromium's back-forward cache off; a real browser has it on."""
    from tests.harness import CHROMIUM, CHROMIUM_ARGS

    real = browser.browser_type.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=["--disable-back-forward-cache"]
    )
    try:
        context = real.new_context(base_url=current_server().base_url, locale="pl-PL")
        context.add_init_script(INIT_SCRIPT)
        tab = context.new_page()
        email = unique_email("bfcache")
        register_user(tab, email)
        watch_for(tab, email)
        login(tab, email)
        logout(tab)
        forget_sightings(tab)
        tab.go_back(wait_until="commit")
        expect_sent_to_login(tab)
        tab.wait_for_timeout(500)
        assert leak(tab) is None, f"after logout, Back showed the address: {leak(tab)}"
        assert email not in tab.content()
    finally:
        real.close()


def test_second_user_in_the_same_tab_sees_nothing_of_the_first(page: Page):
    server = current_server()
    first, second = unique_email("first"), unique_email("second")
    first_id = register_user(page, first)
    second_id = register_user(page, second)

    login(page, first)
    expect_account_page(page, first, first_id)
    logout(page)

    watch_for(page, first)
    login(page, second)
    expect_account_page(page, second, second_id)
    html = page.content()
    assert first not in html
    assert f"ID {first_id})" not in html and f"ID {first_id} " not in html
    # A full reload keeps the tab's server state: still only the second user.
    page.reload()
    wait_ready(page)
    expect_account_page(page, second, second_id)
    assert first not in page.content()
    assert leak(page) is None, f"the first user's address was shown to the second: {leak(page)}"
    assert server.user_id(first) == first_id


def test_login_before_confirmation_is_refused_with_a_resend_offer(page: Page):
    server = current_server()
    email = unique_email("unconfirmed")
    register(page, email)
    old_link = confirm_link(email)

    submit_login(page, email, PASSWORD)
    expect_message(page, UNCONFIRMED)
    expect(page.get_by_role("alert").filter(has_text=UNCONFIRMED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/logowanie/$"))
    assert COOKIE_NAME not in {c.get("name") for c in page.context.cookies()}

    resend = page.get_by_role("button", name="Wyślij link ponownie")
    expect(resend).to_be_visible()
    resend.click()
    expect_message(page, f"Wysłaliśmy nowy link potwierdzający na adres {email}")
    new_mail = server.wait_for_mail(email, "Potwierdź adres email", after=1)
    new_link = confirm_link(email)
    assert new_link != old_link and new_mail is not None

    page.goto(old_link)
    wait_ready(page)
    expect_message(page, "zastąpiony nowszym")
    expect(page.get_by_role("button", name="Potwierdź adres email")).to_have_count(0)

    confirm(page, new_link)
    login(page, email)
    expect_account_page(page, email, server.existing_user_id(email))


def test_confirmation_link_opened_by_get_or_head_confirms_nothing(page: Page):
    server = current_server()
    email = unique_email("linkcheck")
    register(page, email)
    link = confirm_link(email)

    assert http_status(link, "GET") == 200
    assert http_status(link, "HEAD") in (200, 405)
    assert page.request.get(link).status == 200
    assert page.request.head(link).status in (200, 405)
    # Opened in a browser too (its script runs), but the button is not pressed.
    page.goto(link)
    wait_ready(page)
    expect(page.get_by_text(f"potwierdzić adres email {email}")).to_be_visible()
    expect(page.get_by_role("button", name="Potwierdź adres email")).to_be_visible()

    confirmed, used = confirmation_state(email)
    assert confirmed is None and used and all(u is None for u in used)
    submit_login(page, email, PASSWORD)
    expect_message(page, UNCONFIRMED)

    confirm(page, link)
    confirmed, used = confirmation_state(email)
    assert confirmed is not None
    page.goto(link)
    wait_ready(page)
    expect_message(page, "został już użyty")
    login(page, email)
    expect_account_page(page, email, server.existing_user_id(email))


def test_visitor_is_sent_to_login_and_comes_back(page: Page):
    email = unique_email("visitor")
    user_id = register_user(page, email)
    page.context.clear_cookies()

    for private_path in (routes.ACCOUNT, routes.SELLER_SETTINGS):
        page.goto(current_server().url(private_path))
        expect_sent_to_login(page, private_path)
        assert email not in page.content()
        submit_login(page, email, PASSWORD, path="")
        expect(page).to_have_url(re.compile(re.escape(private_path) + "$"))
        if private_path == routes.ACCOUNT:
            expect_account_page(page, email, user_id)
            logout(page)
        else:
            expect(page.get_by_role("heading", level=1)).to_have_text("Ustawienia")


def test_start_page_links_and_logged_in_user_goes_on(page: Page):
    open_page(page, routes.HOME)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    register_link = page.get_by_role("main").get_by_role("link", name="Załóż darmowe konto")
    login_link = page.get_by_role("main").get_by_role("link", name=re.compile("zaloguj", re.I))
    expect(register_link).to_have_attribute("href", "/rejestracja/")
    expect(login_link).to_have_attribute("href", "/logowanie/")
    register_link.click()
    expect(page).to_have_url(re.compile(r"/rejestracja/$"))
    expect(page.get_by_label("Adres email", exact=True)).to_be_visible()

    email = unique_email("start")
    user_id = register_user(page, email)
    login(page, email)
    open_page(page, routes.HOME)
    expect_account_page(page, email, user_id)


# -- hostile input -----------------------------------------------------------------------------

XSS_IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
XSS_SCRIPT = "<script>window.__xss=2;alert(2)</script>"
LONG = "a" * 10_000

REGISTRATION_CASES = {
    "empty": ("", "", "", "Podaj adres email."),
    "long-email": (LONG + "@example.com", PASSWORD, PASSWORD, "Podaj poprawny adres email"),
    "long-password": ("{unique}", "p" * 10_000, "p" * 10_000, "Hasło jest za długie"),
    "unicode-email": ("zażółć.gęślą@jaźń.example", PASSWORD, PASSWORD, "Podaj poprawny adres email"),
    "unicode-mismatch": (
        "{unique}",
        "Zażółć gęślą jaźń 🦄 ∑",
        "Zażółć gęślą jaźń 🦄 ∏",
        "Hasła nie są takie same",
    ),
    "html-email": ("<b>gruby</b>@example.com", PASSWORD, PASSWORD, "Podaj poprawny adres email"),
    "script-email": (XSS_SCRIPT + "@example.com", PASSWORD, PASSWORD, "Podaj poprawny adres email"),
    "img-email": (XSS_IMG + "@example.com", PASSWORD, PASSWORD, "Podaj poprawny adres email"),
    "script-password": ("{unique}", XSS_IMG + XSS_SCRIPT, XSS_SCRIPT, "Hasła nie są takie same"),
    "nul-email": ("jan\x00kowalski@example.com", PASSWORD, PASSWORD, "Podaj poprawny adres email"),
    "nul-password": ("{unique}", "zielony\x00slon jedzie", "zielony\x00slon jedzie", "niedozwolone znaki"),
}


def set_field(page: Page, label: str, value: str) -> None:
    """Put a value into a field as a script could, past the browser's maxlength."""
    page.get_by_label(label, exact=True).evaluate(
        "(el, value) => { el.removeAttribute('maxlength'); el.value = value; }", value
    )


@pytest.mark.parametrize("case", list(REGISTRATION_CASES))
def test_bad_input_on_registration(page: Page, case: str):
    server = current_server()
    email, password, repeat, expected = REGISTRATION_CASES[case]
    email = email.replace("{unique}", unique_email("bad"))
    users_before = server.user_count()
    open_page(page, routes.REGISTER)
    set_field(page, "Adres email", email)
    set_field(page, "Hasło", password)
    set_field(page, "Powtórz hasło", repeat)
    page.get_by_role("button", name="Zarejestruj konto").click()
    expect(page.get_by_role("alert").filter(has_text=expected).first).to_be_visible()

    assert_no_traceback(page)
    assert_no_script_ran(page)
    assert server.user_count() == users_before
    assert server.sql("""SELECT id FROM "user" WHERE email LIKE '%<%' OR email LIKE '%@jaźń%'""") == []
    if "@" in email:
        assert server.user_id(email) is None
    # The form stays, with the refusal; the page still works.
    expect(page.get_by_role("button", name="Zarejestruj konto")).to_be_enabled()


LOGIN_CASES = {
    "empty": ("", ""),
    "long": (LONG + "@example.com", "p" * 10_000),
    "unicode": ("zażółć@gęślą.jaźń", "Zażółć gęślą jaźń 🦄"),
    "html": ("<b>gruby</b>@example.com", "<i>haslo</i>"),
    "script": (XSS_SCRIPT, XSS_IMG),
    "img-in-password": ("{unique}", XSS_IMG + XSS_SCRIPT),
    "nul": ("jan\x00@example.com", "zielony\x00slon jedzie"),
}


@pytest.mark.parametrize("case", list(LOGIN_CASES))
def test_bad_input_on_login(page: Page, case: str):
    server = current_server()
    email, password = LOGIN_CASES[case]
    email = email.replace("{unique}", unique_email("nobody"))
    users_before = server.user_count()
    open_page(page, routes.LOGIN)
    set_field(page, "Adres email", email)
    set_field(page, "Hasło", password)
    page.get_by_role("button", name="Zaloguj", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=LOGIN_FAILED)).to_be_visible()

    assert_no_traceback(page)
    assert_no_script_ran(page)
    expect(page).to_have_url(re.compile(r"/logowanie/$"))
    assert server.user_count() == users_before
    assert COOKIE_NAME not in {c.get("name") for c in page.context.cookies()}
    # Attempts are counted, but under digests: no address or payload is stored in clear.
    for (key,) in server.sql("SELECT key FROM rate_limit_hit"):
        assert "@" not in key and "<" not in key and "\x00" not in key, key


def test_address_with_markup_characters_is_shown_as_text_and_never_runs(page: Page):
    """`<` and `>` make an address invalid (above); these characters are valid and must stay text."""
    server = current_server()
    email = f"o'hara&x={{y}}`{uuid.uuid4().hex[:8]}@example.com"
    user_id = register_user(page, email)
    assert server.user_id(email) == user_id
    login(page, email)
    expect_account_page(page, email, user_id)
    expect(page.get_by_role("region", name="Usunięcie konta użytkownika")).to_contain_text(f"({email})")
    assert_no_traceback(page)
    assert_no_script_ran(page)


# -- accessibility -----------------------------------------------------------------------------

LABEL_OF = """el => ({
  id: el.id,
  type: el.type,
  labels: el.labels ? [...el.labels].map(l => l.innerText.trim()) : [],
  visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length),
})"""

NAME_OF = """el => (el.getAttribute('aria-label')
  || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
       .map(id => (document.getElementById(id) || {}).innerText || '').join(' ')
  || el.innerText || el.value || el.title || '').trim()"""


def assert_labels_and_button_names(page: Page, path: str) -> None:
    fields = page.locator("input:not([type=hidden]), select, textarea")
    assert fields.count() > 0, f"no inputs on {path}"
    for index in range(fields.count()):
        info = fields.nth(index).evaluate(LABEL_OF)
        assert info["id"], f"an input on {path} has no id: {info}"
        assert info["labels"] and info["labels"][0], f"an input on {path} has no label: {info}"
        by_label = page.get_by_label(info["labels"][0], exact=True)
        assert by_label.count() == 1, f"{info['labels'][0]!r} on {path} labels {by_label.count()} inputs"
        assert by_label.evaluate("el => el.id") == info["id"], f"label {info} is tied to another input"
        label = page.locator(f"label[for='{info['id']}']")
        expect(label.first).to_be_visible()
    buttons = page.locator("button, [role=button], input[type=submit], input[type=button]")
    assert buttons.count() > 0, f"no buttons on {path}"
    for index in range(buttons.count()):
        name = buttons.nth(index).evaluate(NAME_OF)
        assert name, f"a button on {path} has no accessible name"
        assert page.get_by_role("button", name=name, exact=True).count() >= 1, (
            f"button {name!r} on {path} is not found by its accessible name"
        )


def test_inputs_have_labels_buttons_have_names(page: Page):
    for path in (routes.REGISTER, routes.LOGIN):
        open_page(page, path)
        assert_labels_and_button_names(page, path)
    email = unique_email("a11y")
    user_id = register_user(page, email)
    login(page, email)
    expect_account_page(page, email, user_id)
    assert_labels_and_button_names(page, routes.ACCOUNT)
    # Outcome messages are announced: saving the consents answers with role status.
    page.get_by_role("region", name="Zgody na otrzymywanie wiadomości").get_by_role(
        "button", name="Zapisz"
    ).click()
    expect(page.get_by_role("status").filter(has_text="Nic się nie zmieniło")).to_be_visible()


def test_screenshots_of_the_main_pages(page: Page):
    from tests.e2e.helpers import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in ((routes.HOME, "start"), (routes.REGISTER, "rejestracja"), (routes.LOGIN, "logowanie")):
        open_page(page, path)
        page.screenshot(path=str(ARTIFACTS / f"screen-{name}.png"), full_page=True)
    email = unique_email("screen")
    user_id = register_user(page, email)
    login(page, email)
    expect_account_page(page, email, user_id)
    page.screenshot(path=str(ARTIFACTS / "screen-konto.png"), full_page=True)
    assert_no_traceback(page)


def test_a_submit_before_the_page_is_ready_never_puts_the_password_in_the_url(browser):
    """Without the page's script (slow network, Enter pressed early) the browser submits the form itself."""
    server = current_server()
    secret = "tajne haslo w adresie 42"
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        for path, fields, button in (
            (routes.LOGIN, ("Adres email", "Hasło"), "Zaloguj"),
            (routes.REGISTER, ("Adres email", "Hasło", "Powtórz hasło"), "Zarejestruj konto"),
        ):
            tab.goto(server.url(path))
            tab.get_by_label("Adres email", exact=True).fill(unique_email("nojs"))
            for label in fields[1:]:
                tab.get_by_label(label, exact=True).fill(secret)
            with tab.expect_navigation():
                tab.get_by_role("button", name=button, exact=True).click()
            assert "haslo" not in tab.url and "password" not in tab.url, tab.url
    finally:
        context.close()
