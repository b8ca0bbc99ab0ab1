"""A copy of all the user's data as one ZIP: JSON of everything, a CSV per kind, each invoice's PDF.

The file is written to var/exports/<user id>/<random token>.zip in one pass over the documents in
batches, each read in its own short transaction (a long read would keep SQLite's WAL from being
checkpointed, and with it a deleted account's pages on disk): the PDFs go into the ZIP as they are
made, the JSON and CSV rows into temporary files (0600) beside it that are added to the ZIP at the
end. Memory stays flat however many documents there are, but for the ZIP's directory entry of
each file (zipfile keeps them until it writes the directory at the end: ~0.4 KiB a document). It
is readable by the app's user only (0600) and lives only until it is downloaded (the endpoint
deletes it after streaming) or an hour passes (purged by the app's scheduler every few minutes
and by the daily job).

An export is heavy, so `run` guards it: one at a time per user across tabs, workers and hosts (a
job_lock lease), builds in their own pool (services/blocking.EXPORTS) with a bounded queue behind
it, and a disk budget for all exports together. A refusal says why and changes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from fakturowo_ui.db import session_scope
from fakturowo_ui.i18n import supported, t
from fakturowo_ui.models import (
    Client,
    Document,
    DocumentItem,
    Feedback,
    Product,
    SecurityEvent,
    SellerProfile,
    User,
)
from fakturowo_ui.services import blocking, clock, documents, job_lock, money, pdf, security_log
from fakturowo_ui.services import seller as seller_details
from fakturowo_ui.services.errors import DomainError
from fakturowo_ui.services.tokens import new_token
from fakturowo_ui.settings import get_settings

log = logging.getLogger("fakturowo.export")

BATCH = 200
MAX_AGE_SECONDS = 3600
FORMAT = "fakturowo-eksport-1"
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")

# One export per user at a time; a worker that dies mid-export frees the user after the lease.
LEASE = dt.timedelta(minutes=30)
# Exports waiting for a thread of blocking.EXPORTS in this process, beyond those running.
MAX_WAITING = 8
# All exports on disk together, and the free space an export must leave on the disk.
MAX_DISK_BYTES = 4 * 1024**3
MIN_FREE_BYTES = 512 * 1024**2


@dataclasses.dataclass
class Progress:
    """How far an export is: waiting for its turn, then documents put into the file so far."""

    done: int = 0
    total: int = 0
    queued: bool = True


def exports_dir() -> Path:
    """Where exports are written (under the var dir, created 0700)."""
    return get_settings().var_dir / "exports"


def export_path(user_id: int, token: str) -> Path | None:
    """Where a user's export with this token lives; None for a token that cannot be one."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    return exports_dir() / str(int(user_id)) / f"{token}.zip"


def purge_stale(max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove exports nobody downloaded within max_age seconds (and half-written ones)."""
    root = exports_dir()
    if not root.exists():
        return 0
    removed, cutoff = 0, time.time() - max_age
    for path in root.glob("*/*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def discard_user_exports(user_id: int) -> None:
    """Remove every export of a user (when the account is deleted)."""
    shutil.rmtree(exports_dir() / str(int(user_id)), ignore_errors=True)


# -- reading in batches ---------------------------------------------------------------------------


Owned = Document | Client | Product
Extra = TypeVar("Extra")


def _batches(
    model: type[Owned], user_id: int, batch: int, read_with: Callable[[Session, list[Any]], Extra]
) -> Iterator[tuple[list[Any], Extra]]:
    """The user's rows of `model`, oldest first, `batch` at a time, each batch read in its own short
    transaction (nothing is held open while the caller writes the file), with what
    `read_with(session, rows)` reads for them in that same transaction."""
    last_id = 0
    while True:
        with session_scope() as session:
            rows = list(
                session.scalars(
                    sa.select(model)
                    .where(col(model.user_id) == user_id, col(model.id) > last_id)
                    .order_by(col(model.id))
                    .limit(batch)
                ).all()
            )
            if not rows:
                return
            extra = read_with(session, rows)
            session.expunge_all()
        yield rows, extra
        last_id = rows[-1].id


def _items_of(session: Session, rows: list[Document]) -> dict[int, list[DocumentItem]]:
    items: dict[int, list[DocumentItem]] = {row.id: [] for row in rows}
    for item in session.scalars(
        sa.select(DocumentItem)
        .where(col(DocumentItem.document_id).in_(list(items)))
        .order_by(col(DocumentItem.document_id), col(DocumentItem.position))
    ):
        items[item.document_id].append(item)
    return items


def document_batches(user_id: int, batch: int = BATCH) -> Iterator[list[tuple[Document, list[DocumentItem]]]]:
    """The user's documents with their items, oldest first, `batch` at a time (see _batches)."""
    for rows, items in _batches(Document, user_id, batch, _items_of):
        yield [(row, items[row.id]) for row in rows]


def _rows(model: type[Client] | type[Product], user_id: int) -> Iterator:
    for rows, _ in _batches(model, user_id, BATCH, lambda _session, _batch: None):
        yield from rows


def _history(user_id: int) -> list[SecurityEvent]:
    with session_scope() as session:
        events = security_log.recent(session, user_id, limit=100_000)
        session.expunge_all()
        return events


def _feedback(user_id: int) -> list[Feedback]:
    with session_scope() as session:
        rows = list(
            session.scalars(
                sa.select(Feedback).where(col(Feedback.user_id) == user_id).order_by(col(Feedback.id))
            ).all()
        )
        session.expunge_all()
        return rows


def _seller(user_id: int) -> SellerProfile | None:
    with session_scope() as session:
        return seller_details.get(session, user_id)


# -- what goes into the file ----------------------------------------------------------------------


def _amount(value: Decimal | str) -> str:
    return f"{money.round_grosze(Decimal(value)):.2f}"


def _quantity(value: Decimal | str) -> str:
    return f"{Decimal(value).quantize(money.QUANTITY_STEP):f}"


# The CSV files are for a spreadsheet: a semicolon between fields and a decimal comma, as Polish
# Excel and LibreOffice read them ("1230,50"); dane.json keeps the decimal point.
def _csv_amount(value: Decimal | str) -> str:
    return _amount(value).replace(".", ",")


def _csv_quantity(value: Decimal | str) -> str:
    return _quantity(value).replace(".", ",")


def client_record(c: Client) -> dict:
    return {"id": c.id, "nazwa": c.name, "nip": c.nip, "adres": c.address, "email": c.email}


def product_record(p: Product) -> dict:
    return {
        "id": p.id,
        "nazwa": p.name,
        "jednostka": p.unit,
        "cena_netto": _amount(p.net_price),
        "stawka_vat": p.vat_rate,
    }


def item_record(i: DocumentItem) -> dict:
    return {
        "lp": i.position,
        "nazwa": i.name,
        "ilosc": _quantity(i.quantity),
        "jednostka": i.unit,
        "cena_netto": _amount(i.net_price),
        "stawka_vat": i.vat_rate,
    }


def document_record(d: Document, items: list[DocumentItem] | None = None) -> dict:
    record = {
        "id": d.id,
        "numer": d.number,
        "data_wystawienia": d.issue_date.isoformat(),
        "data_sprzedazy": d.sale_date.isoformat(),
        "utworzono_utc": d.created_at.isoformat(),
        "klient_id": d.client_id,
        "sprzedawca": {
            "nazwa": d.seller_name,
            "nip": d.seller_nip,
            "adres": d.seller_address,
            "konto_bankowe": d.seller_bank_account,
        },
        "nabywca": {"nazwa": d.buyer_name, "nip": d.buyer_nip, "adres": d.buyer_address},
        "razem_netto": _amount(d.total_net),
        "razem_vat": _amount(d.total_vat),
        "razem_brutto": _amount(d.total_gross),
        "miejsce_wystawienia": d.place_of_issue,
        "sposob_platnosci": d.payment_method,
        "termin_platnosci": d.due_date.isoformat() if d.due_date else None,
        "plik_pdf": f"faktury/{pdf_name(d)}",
    }
    if items is not None:
        record["pozycje"] = [item_record(i) for i in items]
    return record


def pdf_name(d: Document) -> str:
    """A unique file name in the ZIP (numbers are unique per user, the ID makes it certain)."""
    return documents.file_name(d.number).removesuffix(".pdf") + f"_{d.id}.pdf"


def readme(lang: str) -> str:
    """CZYTAJ_MNIE.txt: what the ZIP holds, in the account's language (the names of the files and
    of their fields stay as they are in every language, so that a program reading them keeps working)."""
    files = (
        ("dane.json", t("export.readme.json", lang)),
        ("sprzedawca.csv", t("export.readme.seller", lang)),
        ("klienci.csv", t("export.readme.clients", lang)),
        ("produkty.csv", t("export.readme.products", lang)),
        ("historia_bezpieczenstwa.csv", t("export.readme.history", lang)),
        ("dokumenty.csv", t("export.readme.documents", lang)),
        ("pozycje_dokumentow.csv", t("export.readme.items", lang)),
        ("faktury/", t("export.readme.pdfs", lang)),
    )
    lines = [t("export.readme.title", lang), ""]
    lines += [f"{name:<26}{what}" for name, what in files]
    lines += ["", t("export.readme.csv", lang), t("export.readme.keep", lang)]
    return "\n".join(lines) + "\n"


class _CsvEntry:
    """A CSV file inside the ZIP, written row by row."""

    def __init__(self, archive: zipfile.ZipFile, name: str, header: list[str]) -> None:
        self._raw = archive.open(name, "w", force_zip64=True)
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self._text, delimiter=";")
        self.writer.writerow(header)

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
        self._raw.close()


class _Spool:
    """A member of the ZIP written while the PDFs go into the ZIP (zipfile writes one member at a
    time): a temporary file of the user's export directory (0600, in the 0700 directory), copied
    into the ZIP at the end and removed."""

    def __init__(self, directory: Path, token: str, name: str, encoding: str) -> None:
        self.name = name
        fd, path = tempfile.mkstemp(prefix=f"{token}.", suffix=".tmp", dir=directory)  # mode 0600
        self.path = Path(path)
        self.file = open(fd, "w", encoding=encoding, newline="", buffering=256 * 1024)  # noqa: SIM115

    def add_to(self, archive: zipfile.ZipFile) -> None:
        self.file.close()
        with self.path.open("rb") as source, archive.open(self.name, "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1024 * 1024)

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


_DOCUMENTS_HEADER = [
    "id",
    "numer",
    "data_wystawienia",
    "data_sprzedazy",
    "nabywca",
    "nabywca_nip",
    "nabywca_adres",
    "sprzedawca",
    "sprzedawca_nip",
    "razem_netto",
    "razem_vat",
    "razem_brutto",
    "miejsce_wystawienia",
    "sposob_platnosci",
    "termin_platnosci",
    "plik_pdf",
]
_ITEMS_HEADER = [
    "dokument_id",
    "numer_dokumentu",
    "lp",
    "nazwa",
    "ilosc",
    "jednostka",
    "cena_netto",
    "stawka_vat",
]


def _write_account(archive: zipfile.ZipFile, out: io.TextIOBase, user_id: int, email: str) -> None:
    """The seller, clients and products: their CSVs into the ZIP and the beginning of dane.json
    (up to its document list) into `out`, each table read once."""
    head = {
        "format": FORMAT,
        "utworzono_utc": clock.now().isoformat(),
        "konto": {"id": user_id, "email": email},
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1])
    profile = _seller(user_id)
    seller = (
        None
        if profile is None
        else {
            "nazwa": profile.company_name,
            "nip": profile.nip,
            "adres": profile.address,
            "konto_bankowe": profile.bank_account,
        }
    )
    out.write(', "sprzedawca": ' + json.dumps(seller, ensure_ascii=False))
    entry = _CsvEntry(archive, "sprzedawca.csv", ["nazwa", "nip", "adres", "konto_bankowe"])
    if profile is not None:
        entry.writer.writerow([profile.company_name, profile.nip, profile.address, profile.bank_account])
    entry.close()
    tables = (
        (
            "klienci",
            Client,
            client_record,
            ["id", "nazwa", "nip", "adres", "email"],
            lambda c: [c.id, c.name, c.nip, c.address, c.email],
        ),
        (
            "produkty",
            Product,
            product_record,
            ["id", "nazwa", "jednostka", "cena_netto", "stawka_vat"],
            lambda p: [p.id, p.name, p.unit, _csv_amount(p.net_price), p.vat_rate],
        ),
    )
    for key, model, record, header, csv_row in tables:
        entry = _CsvEntry(archive, f"{key}.csv", header)
        out.write(f', "{key}": [')
        for index, row in enumerate(_rows(model, user_id)):
            out.write(("," if index else "") + "\n" + json.dumps(record(row), ensure_ascii=False))
            entry.writer.writerow(csv_row(row))
        out.write("]")
        entry.close()
    # The security history (issue 12): the events of the last 90 days, as /konto/historia shows them.
    entry = _CsvEntry(
        archive, "historia_bezpieczenstwa.csv", ["czas_utc", "zdarzenie", "przegladarka", "adres_ip"]
    )
    out.write(', "historia_bezpieczenstwa": [')
    for index, event in enumerate(_history(user_id)):
        record = {
            "czas_utc": event.at.isoformat(),
            "zdarzenie": event.kind,
            "przegladarka": event.user_agent,
            "adres_ip": event.ip_prefix,
        }
        out.write(("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False))
        entry.writer.writerow(list(record.values()))
    out.write("]")
    entry.close()
    # What the user wrote in "Podziel się opinią" (issue 13).
    opinions = [
        {"czas_utc": f.at.isoformat(), "ocena": f.rating, "tresc": f.text} for f in _feedback(user_id)
    ]
    out.write(', "opinie": ' + json.dumps(opinions, ensure_ascii=False))
    out.write(', "dokumenty": [')


def build_export(user_id: int, progress: Progress | None = None) -> str:
    """Write the user's ZIP (mode 0600); returns the token that names it (see export_path).

    One pass over the documents: each batch's PDFs go into the ZIP as they are made, while the
    batch's records go to dane.json, dokumenty.csv and pozycje_dokumentow.csv spooled in
    temporary files beside the ZIP, copied into it at the end (after the PDFs, so those three
    come last in the ZIP; names and contents are as they were).
    """
    progress = progress or Progress()
    progress.queued = False
    purge_stale()
    token = new_token()
    path = export_path(user_id, token)
    assert path is not None
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    spools: list[_Spool] = []
    try:
        with session_scope() as session:
            account = session.execute(
                sa.select(col(User.email), col(User.language)).where(col(User.id) == user_id)
            ).first()
            email, lang = (account.email, account.language) if account is not None else ("", None)
            progress.total = (
                session.scalar(
                    sa.select(sa.func.count()).select_from(Document).where(col(Document.user_id) == user_id)
                )
                or 0
            )
        for name, encoding in (
            ("dane.json", "utf-8"),
            ("dokumenty.csv", "utf-8-sig"),
            ("pozycje_dokumentow.csv", "utf-8-sig"),
        ):
            spools.append(_Spool(path.parent, token, name, encoding))
        json_out, documents_out, items_out = (spool.file for spool in spools)
        documents_csv = csv.writer(documents_out, delimiter=";")
        items_csv = csv.writer(items_out, delimiter=";")
        documents_csv.writerow(_DOCUMENTS_HEADER)
        items_csv.writerow(_ITEMS_HEADER)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(fd, "wb") as file,
            zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
        ):
            archive.writestr("CZYTAJ_MNIE.txt", readme(supported(lang)))
            _write_account(archive, json_out, user_id, email)
            separator = "\n"
            for batch in document_batches(user_id):
                stamp = time.localtime()[:6]  # one tuple a batch: the ZIP keeps every entry's until it closes
                for d, items in batch:
                    record = document_record(d, items)
                    pdf_path = record["plik_pdf"]
                    json_out.write(separator + json.dumps(record, ensure_ascii=False))
                    separator = ",\n"
                    documents_csv.writerow(
                        [
                            d.id,
                            d.number,
                            d.issue_date.isoformat(),
                            d.sale_date.isoformat(),
                            d.buyer_name,
                            d.buyer_nip,
                            d.buyer_address,
                            d.seller_name,
                            d.seller_nip,
                            _csv_amount(d.total_net),
                            _csv_amount(d.total_vat),
                            _csv_amount(d.total_gross),
                            d.place_of_issue,
                            d.payment_method,
                            d.due_date.isoformat() if d.due_date else "",
                            pdf_path,
                        ]
                    )
                    items_csv.writerows(
                        [
                            d.id,
                            d.number,
                            i.position,
                            i.name,
                            _csv_quantity(i.quantity),
                            i.unit,
                            _csv_amount(i.net_price),
                            i.vat_rate,
                        ]
                        for i in items
                    )
                    # PDF streams are compressed already: stored as they are.
                    archive.writestr(
                        zipfile.ZipInfo(pdf_path, date_time=stamp),
                        pdf.render_invoice(d, items),
                        compress_type=zipfile.ZIP_STORED,
                    )
                    progress.done += 1
            json_out.write("]}\n")
            for spool in spools:
                spool.add_to(archive)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        for spool in spools:
            spool.discard()
    return token


# -- guarding the heavy work ----------------------------------------------------------------------

_waiting_lock = threading.Lock()
_waiting = 0


def _lock_name(user_id: int) -> str:
    return f"export:{int(user_id)}"


def disk_used() -> int:
    """Bytes all exports (finished and half-written) take on disk now."""
    root = exports_dir()
    if not root.exists():
        return 0
    total = 0
    for path in root.glob("*/*"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:
            continue
    return total


def _begin(user_id: int, holder: str) -> None:
    """Refuse when the disk budget is spent or the user's export is already under way."""
    purge_stale()
    root = exports_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if disk_used() >= MAX_DISK_BYTES or shutil.disk_usage(root).free < MIN_FREE_BYTES:
        raise DomainError("export.busy")
    if not job_lock.acquire(_lock_name(user_id), holder, LEASE):
        raise DomainError("export.already_running")
    # One file per user: a copy made earlier and not downloaded is replaced by this one.
    discard_user_exports(user_id)


async def run(user_id: int, progress: Progress) -> str:
    """Build the user's export off the event loop under the guards above; returns its token.

    Raises DomainError("export.already_running") while another tab, worker or host builds this
    user's export, and DomainError("export.busy") when the queue or the disk budget is full.
    """
    global _waiting
    with _waiting_lock:
        if _waiting >= MAX_WAITING + blocking.EXPORT_THREADS:
            raise DomainError("export.busy")
        _waiting += 1
    try:
        holder = new_token()[:32]
        await blocking.db(_begin, user_id, holder)
        try:
            return await blocking.run_in(blocking.EXPORTS, build_export, user_id, progress)
        finally:
            await blocking.db(job_lock.drop, _lock_name(user_id), holder)
    finally:
        with _waiting_lock:
            _waiting -= 1


def open_for_download(user_id: int, token: str) -> Path | None:
    """The user's finished export with this token, if it exists (another user's never does)."""
    path = export_path(user_id, token)
    if path is None or not path.is_file():
        return None
    return path


def stream_and_delete(path: Path, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes in chunks; the file is deleted afterwards, whether or not all were sent."""
    try:
        with path.open("rb") as file:
            while data := file.read(chunk):
                yield data
    finally:
        path.unlink(missing_ok=True)
        log.info("export streamed and deleted")
