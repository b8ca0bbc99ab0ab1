"""User data in Chromium (issue 6): seller details, a client, a product, an invoice, its PDF, the ZIP
export with everything in it, and the free plan's limit refusing the sixth document of the month."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
import zipfile
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from fakturowo_ui import routes
from tests import pdf_reader
from tests.e2e.helpers import current_server, expect_message, login, open_page, register_user, unique_email

SELLER = "Zażółć Gęślą Sp. z o.o."
SELLER_NIP = "526-025-02-74"


def _fill_invoice(page: Page, client: str, product: str) -> None:
    open_page(page, routes.ISSUE_INVOICE)
    page.get_by_label("Nabywca", exact=True).select_option(label=client)
    choice = page.get_by_label("Produkt z listy")
    choice.select_option(value=choice.locator("option", has_text=product).get_attribute("value"))
    expect(page.get_by_label("Nazwa", exact=True).first).to_have_value(product)


def _issue(page: Page, client: str, product: str) -> None:
    _fill_invoice(page, client, product)
    page.get_by_role("button", name="Wystaw fakturę").click()


def test_seller_client_product_invoice_pdf_export_and_limit(page: Page):
    server = current_server()
    email = unique_email("dane")
    user_id = register_user(page, email)
    login(page, email)
    marker = uuid.uuid4().hex[:6]
    client = f"Hurtownia Jaźń Łódź {marker}"
    product = f"Usługa księgowa Źdźbło {marker}"

    # Seller details
    open_page(page, routes.SELLER_SETTINGS)
    page.get_by_label("Nazwa firmy").fill(SELLER)
    page.get_by_label("NIP").fill("526-025-02-75")
    page.get_by_label("Adres").fill("ul. Świętokrzyska 1\n00-001 Warszawa")
    page.get_by_role("button", name="Zapisz").click()
    expect_message(page, "cyfra kontrolna")
    page.get_by_label("NIP").fill(SELLER_NIP)
    page.get_by_role("button", name="Zapisz").click()
    expect_message(page, "Zapisano dane sprzedawcy")

    # A client, after the empty state said what to do
    open_page(page, routes.CLIENTS)
    expect(page.get_by_text("Nie masz jeszcze żadnych klientów")).to_be_visible()
    page.get_by_label("Nazwa", exact=True).fill(client)
    page.get_by_label("NIP").fill("7740001454")
    page.get_by_label("Adres", exact=True).fill("ul. Piotrkowska 1, Łódź")
    page.get_by_role("button", name="Dodaj klienta").click()
    expect_message(page, "Dodano klienta")
    expect(page.get_by_role("cell", name=client, exact=True)).to_be_visible()

    # A product; nonsense prices are refused with a clear message
    open_page(page, routes.PRODUCTS)
    expect(page.get_by_text("Nie masz jeszcze żadnych produktów")).to_be_visible()
    page.get_by_label("Nazwa", exact=True).fill(product)
    page.get_by_label("Cena netto (zł)").fill("-5")
    page.get_by_role("button", name="Dodaj produkt").click()
    expect_message(page, "nie może być ujemna")
    page.get_by_label("Cena netto (zł)").fill("1234,505")
    page.get_by_role("button", name="Dodaj produkt").click()
    expect_message(page, "najwyżej 2 miejsca po przecinku")
    page.get_by_label("Cena netto (zł)").fill("1234,50")
    page.get_by_role("button", name="Dodaj produkt").click()
    expect_message(page, "Dodano produkt")

    # The first document of the month
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()
    number = f"FV 1/{today.month}/{today.year}"
    # with where and how it is paid, by when, and the amount in words (issue 13)
    _fill_invoice(page, client, product)
    expect(page.get_by_label("Sposób płatności")).to_have_value("transfer")
    expect(page.get_by_label("Termin płatności")).to_have_value((today + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Miejsce wystawienia").fill("Kraków")
    page.get_by_label("Sposób płatności").select_option(label="Gotówka")
    page.get_by_label("Termin płatności").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Wystaw fakturę").click()
    expect_message(page, "Termin płatności nie może być wcześniejszy niż data wystawienia.")
    assert server.scalar("SELECT count(*) FROM document WHERE user_id = ?", (user_id,)) == 0
    expect(page.get_by_label("Miejsce wystawienia")).to_have_value("Kraków")  # nothing typed is lost
    page.get_by_label("Termin płatności").fill((today + dt.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Wystaw fakturę").click()
    expect(page.get_by_role("heading", name=f"Faktura VAT nr {number}")).to_be_visible()
    expect(page.get_by_text("1 518,44", exact=False).first).to_be_visible()  # 1234,50 + 23% VAT
    words = "Słownie: tysiąc pięćset osiemnaście złotych, czterdzieści cztery grosze"
    expect(page.get_by_text(words)).to_be_visible()
    due = (today + dt.timedelta(days=7)).strftime("%d-%m-%Y")
    expect(page.get_by_text(f"Sposób płatności: Gotówka · Termin płatności: {due}")).to_be_visible()
    expect(page.get_by_text("Miejsce wystawienia: Kraków")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Pobierz PDF").click()
    data = open(download_info.value.path(), "rb").read()
    assert data.startswith(b"%PDF-")
    text = pdf_reader.text(data)
    assert client in text and SELLER in text and number in text and product in text
    assert words in text and "Do zapłaty: 1\xa0518,44\xa0zł" in text and "Miejsce wystawienia: Kraków" in text

    # The export: a ZIP with the JSON, a CSV per kind and the PDF, downloaded by itself
    open_page(page, routes.ACCOUNT)
    region = page.get_by_role("region", name="Usunięcie konta użytkownika")
    expect(region.get_by_text("dokumenty: 1, klienci: 1, produkty: 1")).to_be_visible()
    with page.expect_download(timeout=60_000) as download_info:
        region.get_by_role("button", name="Pobierz kopię danych").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    names = archive.namelist()
    data_json = json.loads(archive.read("dane.json"))
    assert data_json["sprzedawca"]["nazwa"] == SELLER
    assert [c["nazwa"] for c in data_json["klienci"]] == [client]
    assert [p["nazwa"] for p in data_json["produkty"]] == [product]
    assert [d["numer"] for d in data_json["dokumenty"]] == [number]
    assert client in archive.read("klienci.csv").decode("utf-8-sig")
    assert product in archive.read("produkty.csv").decode("utf-8-sig")
    assert number in archive.read("dokumenty.csv").decode("utf-8-sig")
    pdfs = [name for name in names if name.startswith("faktury/") and name.endswith(".pdf")]
    assert len(pdfs) == 1 and client in pdf_reader.text(archive.read(pdfs[0]))
    expect_message(page, "Kopia danych jest gotowa")
    # Not kept on the server after the download
    deadline = time.monotonic() + 10
    while list((server.var_dir / "exports").glob("*/*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list((server.var_dir / "exports").glob("*/*")) == []

    # Free plan: trial over (time travel in the database); five a month, the sixth refused
    server.sql("UPDATE subscription SET trial_ends_on = '2000-01-01' WHERE user_id = ?", (user_id,))
    # The next invoice suggests the last one's place and payment method.
    _fill_invoice(page, client, product)
    expect(page.get_by_label("Miejsce wystawienia")).to_have_value("Kraków")
    expect(page.get_by_label("Sposób płatności")).to_have_value("cash")
    for n in range(2, 6):
        _issue(page, client, product)
        expect(
            page.get_by_role("heading", name=f"Faktura VAT nr FV {n}/{today.month}/{today.year}")
        ).to_be_visible()
    expect(page.locator("#dokumenty-limit")).to_contain_text("0 z 5")
    _issue(page, client, product)
    expect_message(page, "limit został już wykorzystany")
    expect_message(page, "Kolejny dokument wystawisz od 01-")
    assert server.scalar("SELECT count(*) FROM document WHERE user_id = ?", (user_id,)) == 5
    open_page(page, routes.ACCOUNT)
    expect(page.get_by_role("region", name="Abonament")).to_contain_text("0 z 5")
    # Earlier documents stay viewable and downloadable
    open_page(page, routes.DOCUMENTS)
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", name=f"Faktura VAT nr {number}")).to_be_visible()
