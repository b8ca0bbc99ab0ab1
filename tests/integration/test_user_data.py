"""User data with a real SQLite file: forged IDs refused, simultaneous invoices, the ZIP export and
its session-checked endpoints, and no trace left in the database files after account deletion."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from fakturowo_ui import db, routes
from fakturowo_ui.api import api, security_headers
from fakturowo_ui.db import session_scope
from fakturowo_ui.models import AuthSession, Client, Document, Product, SellerProfile
from fakturowo_ui.services import clients, deletion, documents, export, products, seller, sessions
from fakturowo_ui.services.documents import ItemForm
from fakturowo_ui.services.errors import DomainError
from tests import pdf_reader
from tests.conftest import action_link
from tests.unit.factories import PASSWORD, make_user

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://localhost:3000"
MARKERS = ("Sprzedawca Źrebię Marker", "Klient Chrząszcz Marker", "Produkt Żółw Marker", "Pozycja Ćma Marker")


def make_data(email: str, *, documents_count: int = 1, tag: str = "") -> dict:
    """A user with seller details, a client, a product and invoices, all made through the services."""
    user_id = make_user(email)
    with session_scope() as session:
        seller.save(
            session,
            user_id,
            seller.SellerForm(
                MARKERS[0] + tag, "5260250274", "ul. Długa 1\nWarszawa", "61 1090 1014 0000 0712 1981 2874"
            ),
        )
        client_id = clients.create(
            session, user_id, clients.ClientForm(MARKERS[1] + tag, "7740001454", "Łódź", "klient@example.com")
        ).id
        product_id = products.create(
            session, user_id, products.ProductForm(MARKERS[2] + tag, "godz.", "150,00", "23")
        ).id
    numbers = []
    for _ in range(documents_count):
        numbers.append(
            documents.issue(
                user_id,
                documents.DocumentForm(
                    client_id,
                    "2026-11-23",
                    "2026-11-22",
                    [
                        ItemForm(MARKERS[3] + tag, "2", "godz.", "150,00", "23"),
                        ItemForm("Dojazd", "1", "km", "0,99", "8"),
                    ],
                    place_of_issue="Warszawa",
                    due_date="2026-12-07",
                ),
            ).number
        )
    with session_scope() as session:
        document_id = session.scalars(sa.select(Document.id).where(Document.user_id == user_id)).first()
        token = sessions.create(session, user_id)
    return {
        "user_id": user_id,
        "client_id": client_id,
        "product_id": product_id,
        "document_id": document_id,
        "numbers": numbers,
        "token": token,
    }


def snapshot() -> list:
    with session_scope() as session:
        return [
            session.execute(sa.select(model.__table__).order_by(model.id)).all()
            for model in (SellerProfile, Client, Product, Document)
        ]


# -- forged IDs -----------------------------------------------------------------------------------


def test_another_users_ids_are_refused_and_change_nothing(app_env, frozen_clock):
    ania = make_data("ania@example.com")
    bartek = make_data("bartek@example.com", tag=" B")
    before = snapshot()
    attacker = bartek["user_id"]
    forged = [
        lambda s: clients.get(s, attacker, ania["client_id"]),
        lambda s: clients.update(s, attacker, ania["client_id"], clients.ClientForm("Przejęty")),
        lambda s: clients.delete(s, attacker, ania["client_id"]),
        lambda s: products.update(
            s, attacker, ania["product_id"], products.ProductForm("Przejęty", "szt.", "1", "23")
        ),
        lambda s: products.delete(s, attacker, ania["product_id"]),
        lambda s: documents.get(s, attacker, ania["document_id"]),
        lambda s: documents.delete(s, attacker, ania["document_id"]),
        lambda s: clients.delete(s, attacker, str(ania["client_id"])),
        lambda s: products.delete(s, attacker, True),
        lambda s: documents.delete(s, attacker, 10**12),
    ]
    for attempt in forged:
        with pytest.raises(DomainError) as error, session_scope() as session:
            attempt(session)
        assert error.value.key.endswith("not_found")
    # An invoice for another user's client is refused before anything is stored.
    with pytest.raises(DomainError) as error:
        documents.issue(
            attacker,
            documents.DocumentForm(
                ania["client_id"], "2026-11-23", "2026-11-23", [ItemForm("x", "1", "szt.", "1", "23")]
            ),
        )
    assert error.value.key == "client.not_found"
    # Seller details name no row: saving writes the caller's own profile only.
    with session_scope() as session:
        seller.save(session, attacker, seller.SellerForm("Bartek Nowa Nazwa", "5260250274", "Poznań", ""))
    after = snapshot()
    assert after[1:] == before[1:]
    assert [r for r in after[0] if r.user_id == ania["user_id"]] == [
        r for r in before[0] if r.user_id == ania["user_id"]
    ]
    with session_scope() as session:
        assert seller.get(session, ania["user_id"]).company_name == MARKERS[0]
        # Lists never show another user's rows.
        assert [c.name for c in clients.search(session, attacker, "Marker").rows] == [MARKERS[1] + " B"]
        assert documents.search(session, attacker, "").total == 1


def test_lists_page_and_search(app_env, frozen_clock):
    user_id = make_user("lista@example.com")
    with session_scope() as session:
        for n in range(45):
            clients.create(session, user_id, clients.ClientForm(f"Klient {n:02d}", email=f"k{n}@example.com"))
        clients.create(session, user_id, clients.ClientForm("100% Firma_x"))
        first = clients.search(session, user_id, "", 1)
        last = clients.search(session, user_id, "", 99)
        assert (first.total, first.pages, len(first.rows)) == (46, 3, 20)
        assert (last.page, len(last.rows)) == (3, 6)
        assert [c.name for c in clients.search(session, user_id, "KLIENT 0").rows][:2] == [
            "Klient 00",
            "Klient 01",
        ]
        assert [c.name for c in clients.search(session, user_id, "100%").rows] == ["100% Firma_x"]
        assert clients.search(session, user_id, "%").total == 1
        assert clients.search(session, user_id, "k44@").total == 1


# -- simultaneous invoices ------------------------------------------------------------------------


def _race(user_id: int, client_id: int, count: int) -> tuple[list[str], list[str]]:
    numbers, refusals = [], []
    barrier = threading.Barrier(count)

    def one():
        barrier.wait()
        try:
            numbers.append(
                documents.issue(
                    user_id,
                    documents.DocumentForm(
                        client_id, "2026-11-23", "2026-11-23", [ItemForm("x", "1", "szt.", "1", "23")]
                    ),
                ).number
            )
        except DomainError as error:
            refusals.append(error.key)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return numbers, refusals


def test_simultaneous_invoices_never_share_a_number(app_env, frozen_clock):
    data = make_data("wyscig@example.com", documents_count=0)
    numbers, refusals = _race(data["user_id"], data["client_id"], 12)
    assert refusals == []
    assert sorted(numbers, key=lambda n: int(n.split()[1].split("/")[0])) == [
        f"FV {n}/11/2026" for n in range(1, 13)
    ]


def test_simultaneous_invoices_cannot_both_slip_past_the_limit(app_env, frozen_clock):
    import datetime as dt

    from fakturowo_ui.models import Subscription

    data = make_data("limit@example.com", documents_count=4)
    with session_scope() as session:
        session.execute(
            sa.update(Subscription)
            .where(Subscription.user_id == data["user_id"])
            .values(trial_ends_on=dt.date(2026, 1, 1))
        )
    numbers, refusals = _race(data["user_id"], data["client_id"], 8)
    assert numbers == ["FV 5/11/2026"]
    assert refusals == ["document.limit"] * 7


# -- PDF, export and their endpoints --------------------------------------------------------------


def client_for() -> TestClient:
    return TestClient(security_headers(api), base_url=BASE, follow_redirects=False)


def test_the_pdf_holds_the_invoice_in_polish_letters(app_env, frozen_clock):
    data = make_data("pdf@example.com")
    with session_scope() as session:
        document = documents.get(session, data["user_id"], data["document_id"])
        items = documents.items_of(session, document.id)
    from fakturowo_ui.services import pdf

    text = pdf_reader.text(pdf.render_invoice(document, items))
    for needle in (
        MARKERS[0],
        MARKERS[1],
        MARKERS[3],
        "FV 1/11/2026",
        "Data wystawienia: 23-11-2026",
        "Data sprzedaży: 22-11-2026",
        "NIP: 774-000-14-54",
        "Do zapłaty: 370,07\xa0zł",
        "Numer konta: 61 1090 1014 0000 0712 1981 2874",
    ):
        assert needle in text, needle
    # 2 x 150,00 = 300,00 at 23% -> VAT 69,00; 0,99 at 8% -> VAT 0,0792 -> 0,08; gross 369,00 + 1,07
    assert (document.total_net, document.total_vat, document.total_gross) == (
        Decimal("300.99"),
        Decimal("69.08"),
        Decimal("370.07"),
    )


def test_pdf_endpoint_checks_the_session_and_the_owner(app_env, frozen_clock):
    ania = make_data("ania@example.com")
    bartek = make_data("bartek@example.com", tag=" B")
    with client_for() as http:
        assert http.get(routes.document_pdf(ania["document_id"])).status_code == 401
        http.cookies.set(sessions.COOKIE_NAME, bartek["token"])
        assert http.get(routes.document_pdf(ania["document_id"])).status_code == 404
        assert http.get("/pliki/faktura/abc").status_code == 404
        http.cookies.set(sessions.COOKIE_NAME, ania["token"])
        response = http.get(routes.document_pdf(ania["document_id"]))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert "FV_1_11_2026.pdf" in response.headers["content-disposition"]
        assert MARKERS[1] in pdf_reader.text(response.content)
        # A session that must change its password first gets nothing either.
        with session_scope() as session:
            session.execute(sa.update(AuthSession).values(must_change_password=True))
        assert http.get(routes.document_pdf(ania["document_id"])).status_code == 401


def test_export_has_everything_and_is_deleted_after_streaming(app_env, frozen_clock):
    ania = make_data("ania@example.com", documents_count=3)
    bartek = make_data("bartek@example.com", tag=" B")
    progress = export.Progress()
    token = export.build_export(ania["user_id"], progress)
    assert (progress.done, progress.total) == (3, 3)
    path = export.export_path(ania["user_id"], token)
    assert path.is_file()
    with client_for() as http:
        assert http.get(routes.export_download(token)).status_code == 401
        http.cookies.set(sessions.COOKIE_NAME, bartek["token"])
        assert http.get(routes.export_download(token)).status_code == 404
        assert path.is_file()
        http.cookies.set(sessions.COOKIE_NAME, ania["token"])
        assert http.get("/pliki/eksport/..%2F..%2Fsecret_key").status_code == 404
        response = http.get(routes.export_download(token))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert not path.exists()
        assert http.get(routes.export_download(token)).status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        "dane.json",
        "klienci.csv",
        "produkty.csv",
        "dokumenty.csv",
        "pozycje_dokumentow.csv",
        "sprzedawca.csv",
        "historia_bezpieczenstwa.csv",
        "CZYTAJ_MNIE.txt",
    } <= names
    data = json.loads(archive.read("dane.json"))
    assert data["konto"]["email"] == "ania@example.com"
    assert data["sprzedawca"]["nazwa"] == MARKERS[0]
    assert [d["numer"] for d in data["dokumenty"]] == ["FV 1/11/2026", "FV 2/11/2026", "FV 3/11/2026"]
    assert data["dokumenty"][0]["pozycje"][0]["nazwa"] == MARKERS[3]
    assert data["dokumenty"][0]["razem_brutto"] == "370.07"
    assert MARKERS[1] in archive.read("klienci.csv").decode("utf-8-sig")
    assert MARKERS[2] in archive.read("produkty.csv").decode("utf-8-sig")
    assert MARKERS[3] in archive.read("pozycje_dokumentow.csv").decode("utf-8-sig")
    assert data["dokumenty"][0]["miejsce_wystawienia"] == "Warszawa"
    assert data["dokumenty"][0]["sposob_platnosci"] == "transfer"
    assert data["dokumenty"][0]["termin_platnosci"] == "2026-12-07"
    # The CSVs are for Polish spreadsheets: a decimal comma (issue 13); dane.json keeps the point.
    table = {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline=""), delimiter=";"))
        for name in ("dokumenty.csv", "pozycje_dokumentow.csv", "produkty.csv")
    }
    documents_row = dict(zip(table["dokumenty.csv"][0], table["dokumenty.csv"][1], strict=True))
    assert (documents_row["razem_netto"], documents_row["razem_vat"], documents_row["razem_brutto"]) == (
        "300,99",
        "69,08",
        "370,07",
    )
    assert (
        documents_row["miejsce_wystawienia"],
        documents_row["sposob_platnosci"],
        documents_row["termin_platnosci"],
    ) == ("Warszawa", "transfer", "2026-12-07")
    item_row = dict(zip(table["pozycje_dokumentow.csv"][0], table["pozycje_dokumentow.csv"][1], strict=True))
    assert (item_row["ilosc"], item_row["cena_netto"]) == ("2,000", "150,00")
    assert table["produkty.csv"][1][3] == "150,00"
    pdfs = sorted(n for n in names if n.startswith("faktury/"))
    assert len(pdfs) == 3
    assert all(MARKERS[1] in pdf_reader.text(archive.read(n)) for n in pdfs)
    everything = b"".join(archive.read(n) for n in names if not n.startswith("faktury/"))
    assert b"Marker B" not in everything  # nothing of the other user
    assert "Marker B" not in json.dumps(data, ensure_ascii=False)


def test_stale_exports_are_purged(app_env, frozen_clock):
    data = make_data("stare@example.com", documents_count=0)
    token = export.build_export(data["user_id"])
    path = export.export_path(data["user_id"], token)
    assert export.purge_stale(max_age=3600) == 0 and path.exists()
    assert export.purge_stale(max_age=-1) == 1 and not path.exists()


def _many_documents(email: str, count: int) -> int:
    """A user with `count` invoices: two issued through the service, the rest copies of them."""
    from fakturowo_ui.models import DocumentItem

    data = make_data(email, documents_count=2)
    with session_scope() as session:
        originals = session.scalars(sa.select(Document).where(Document.user_id == data["user_id"])).all()
        columns = [c.name for c in Document.__table__.columns if c.name not in ("id", "number")]
        for n in range(3, count + 1):
            original = originals[n % 2]
            copy = Document(number=f"FV {n}/11/2026", **{c: getattr(original, c) for c in columns})
            session.add(copy)
            session.flush()
            for item in documents.items_of(session, original.id):
                session.add(
                    DocumentItem(
                        document_id=copy.id,
                        position=item.position,
                        name=f"{item.name} {n}",
                        quantity=item.quantity,
                        unit=item.unit,
                        net_price=item.net_price,
                        vat_rate=item.vat_rate,
                    )
                )
    return data["user_id"]


def test_an_export_of_300_documents_reads_them_once_and_holds_every_file(app_env, frozen_clock):
    import re

    user_id = _many_documents("trzysta@example.com", 300)
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    engine = db.get_engine()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        progress = export.Progress()
        token = export.build_export(user_id, progress)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert (progress.done, progress.total) == (300, 300)

    def reads_of(table: str) -> list[str]:
        return [
            s
            for s in statements
            if s.lstrip().upper().startswith("SELECT")
            and re.search(rf"\bFROM {table}\b", s)
            and "count(" not in s.lower()
        ]

    batches = -(-300 // export.BATCH)
    assert len(reads_of("document")) == batches + 1  # each batch once, then the empty read that ends them
    assert len(reads_of("document_item")) == batches
    assert len(reads_of("client")) == len(reads_of("product")) == 2  # one page, then the empty one
    assert len(reads_of("seller_profile")) == 1

    path = export.export_path(user_id, token)
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left beside it
    with session_scope() as session:
        docs = session.scalars(
            sa.select(Document).where(Document.user_id == user_id).order_by(Document.id)
        ).all()
        expected_records = [export.document_record(d, documents.items_of(session, d.id)) for d in docs]
        pdf_names = [f"faktury/{export.pdf_name(d)}" for d in docs]
    archive = zipfile.ZipFile(path)
    names = archive.namelist()
    assert len(names) == len(set(names))
    assert set(names) == {
        "CZYTAJ_MNIE.txt",
        "dane.json",
        "sprzedawca.csv",
        "klienci.csv",
        "produkty.csv",
        "dokumenty.csv",
        "pozycje_dokumentow.csv",
        "historia_bezpieczenstwa.csv",
        *pdf_names,
    }
    assert archive.read("CZYTAJ_MNIE.txt").decode() == export.readme("pl")
    data = json.loads(archive.read("dane.json"))
    assert data["format"] == export.FORMAT and data["konto"] == {
        "id": user_id,
        "email": "trzysta@example.com",
    }
    assert data["sprzedawca"]["nazwa"] == MARKERS[0]
    assert [c["nazwa"] for c in data["klienci"]] == [MARKERS[1]]
    assert [p["nazwa"] for p in data["produkty"]] == [MARKERS[2]]
    assert data["dokumenty"] == expected_records
    for name, rows, header in (("dokumenty.csv", 300, "id"), ("pozycje_dokumentow.csv", 600, "dokument_id")):
        raw = archive.read(name)
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, as spreadsheets want
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
        assert table[0][0] == header and len(table) == rows + 1
    document_rows = list(
        csv.reader(io.StringIO(archive.read("dokumenty.csv").decode("utf-8-sig"), newline=""), delimiter=";")
    )[1:]
    assert [row[-1] for row in document_rows] == pdf_names
    assert [row[1] for row in document_rows] == [r["numer"] for r in expected_records]
    for name, record_ in zip(pdf_names, expected_records, strict=True):
        info = archive.getinfo(name)
        assert info.compress_type == zipfile.ZIP_STORED
        body = archive.read(name)
        assert body.startswith(b"%PDF-")
        text = pdf_reader.text(body)
        assert f"Faktura VAT nr {record_['numer']}" in text and MARKERS[1] in text
        # Each file opens on its own: its own font program (a subset shared with the files
        # showing the same characters is copied into each), one per file.
        [font] = pdf_reader.fonts(body)
        assert pdf_reader.font_programs(body) == [font.program]
        assert {"Ź", "ą", "ł"} <= set(font.to_unicode.values())
    assert archive.getinfo("dane.json").compress_type == zipfile.ZIP_DEFLATED


def test_a_failed_export_leaves_no_file(app_env, frozen_clock, monkeypatch):
    from fakturowo_ui.services import pdf

    data = make_data("przerwany@example.com", documents_count=3)
    real_render, made = pdf.render_invoice, []

    def render_then_fail(document, items):
        if made:
            raise RuntimeError("disk gone")
        made.append(document.id)
        return real_render(document, items)

    monkeypatch.setattr(pdf, "render_invoice", render_then_fail)
    with pytest.raises(RuntimeError):
        export.build_export(data["user_id"])
    assert list((export.exports_dir() / str(data["user_id"])).iterdir()) == []


# -- account deletion leaves nothing --------------------------------------------------------------


def _db_bytes(app_env) -> bytes:
    path = Path(app_env["REFLEX_DB_URL"].removeprefix("sqlite:///"))
    return b"".join(
        Path(str(path) + s).read_bytes()
        for s in ("", "-wal", "-shm", "-journal")
        if Path(str(path) + s).exists()
    )


def test_after_deletion_no_user_data_remains_in_the_database_files(smtp, app_env):
    data = make_data("usun.dane@example.com", documents_count=3)
    waiting = export.export_path(data["user_id"], export.build_export(data["user_id"]))
    before = _db_bytes(app_env)
    assert all(m.encode() in before for m in MARKERS)
    asyncio.run(deletion.request_deletion(data["user_id"], box_ticked=True))
    link = action_link(smtp.mailbox.last("usun.dane@example.com", "Potwierdź usunięcie konta"), BASE)
    token = link.split("token=", 1)[1]
    assert asyncio.run(deletion.confirm_deletion(token, PASSWORD)).outcome is deletion.Outcome.DELETED
    assert not waiting.exists()  # an export not downloaded yet goes with the account
    deletion.checkpoint()
    db.reset_engine()
    after = _db_bytes(app_env)
    for needle in (*MARKERS, "usun.dane@example.com", "FV 1/11/2026", "774-000-14-54", "7740001454"):
        assert needle.encode() not in after, needle
        assert needle.encode("utf-16-le") not in after, needle
