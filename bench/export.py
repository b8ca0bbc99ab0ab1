"""Benchmark: the "Pobierz kopię danych" ZIP for accounts with 1,000 and 10,000 documents on SQLite.

Each account has 3 line items per document, 200 clients and 200 products. For each size it builds
the ZIP (JSON, CSVs and every invoice's PDF) three times:
- timed: wall-clock and CPU seconds of the build, nothing else running in the process;
- in a fresh subprocess, how far its peak RSS rises above its RSS before the build (the
  high-water mark reset through /proc/self/clear_refs on Linux, else resource.getrusage);
- in another fresh subprocess, the peak of Python memory allocated during the build (tracemalloc,
  which slows the build down: that is why it has a pass of its own).
It prints the ZIP's size and the average PDF's, the ratios to the targets of issue 9 (10,000
documents in <= 5 s and <= 40 MiB, memory flat in the number of documents; the 40 MiB read both
as the file's size and as the build's memory) and what a PDF costs when its font subset is made
afresh rather than reused from a recent file with the same characters.

Needs only `make setup` (no test dependencies). Run: .venv/bin/python bench/export.py [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import argument_parser, migrate  # noqa: E402

ITEMS = 3
CLIENTS = 200
PRODUCTS = 200
TARGET_SECONDS = 5.0  # for 10,000 documents
TARGET_MIB = 40.0


def _seed(user_email: str, documents: int) -> int:
    import sqlalchemy as sa

    from fakturowo_ui.db import session_scope
    from fakturowo_ui.models import Client, Document, DocumentItem, Product, SellerProfile, Subscription, User

    now = dt.datetime(2026, 11, 23, 12, 0)
    with session_scope() as session:
        user = User(
            email=user_email,
            password_hash="x",
            created_at=now,
            password_changed_at=now,
            email_confirmed_at=now,
        )
        session.add(user)
        session.flush()
        uid = user.id
        session.add(Subscription(user_id=uid, trial_ends_on=dt.date(2027, 3, 1)))
        session.add(
            SellerProfile(
                user_id=uid,
                company_name="Zażółć Gęślą Jaźń Sp. z o.o.",
                nip="5260250274",
                address="ul. Świętokrzyska 1\n00-001 Warszawa",
                bank_account="61 1090 1014 0000 0712 1981 2874",
            )
        )
        session.execute(
            sa.insert(Client),
            [
                {
                    "user_id": uid,
                    "name": f"Klient Łódź {n}",
                    "nip": "7740001454",
                    "address": "ul. Piotrkowska 1",
                    "email": f"k{n}@example.com",
                }
                for n in range(CLIENTS)
            ],
        )
        session.execute(
            sa.insert(Product),
            [
                {
                    "user_id": uid,
                    "name": f"Usługa {n}",
                    "unit": "godz.",
                    "net_price": Decimal("150.00"),
                    "vat_rate": "23",
                }
                for n in range(PRODUCTS)
            ],
        )
    done = 0
    while done < documents:
        batch = min(1000, documents - done)
        with session_scope() as session:
            first_id = (session.scalar(sa.select(sa.func.max(Document.id))) or 0) + 1
            session.execute(
                sa.insert(Document),
                [
                    {
                        "user_id": uid,
                        "number": f"FV {done + n + 1}/11/2026",
                        "issue_date": dt.date(2026, 11, 23),
                        "sale_date": dt.date(2026, 11, 23),
                        "created_at": now,
                        "seller_name": "Zażółć Gęślą Jaźń Sp. z o.o.",
                        "seller_nip": "5260250274",
                        "seller_address": "ul. Świętokrzyska 1\n00-001 Warszawa",
                        "seller_bank_account": "61 1090 1014 0000 0712 1981 2874",
                        "buyer_name": f"Klient Łódź {n % CLIENTS}",
                        "buyer_nip": "7740001454",
                        "buyer_address": "ul. Piotrkowska 1",
                        "total_net": Decimal("450.00"),
                        "total_vat": Decimal("103.50"),
                        "total_gross": Decimal("553.50"),
                    }
                    for n in range(batch)
                ],
            )
            session.execute(
                sa.insert(DocumentItem),
                [
                    {
                        "document_id": first_id + n,
                        "position": p + 1,
                        "name": f"Usługa księgowa {p}",
                        "quantity": Decimal("1.000"),
                        "unit": "godz.",
                        "net_price": Decimal("150.00"),
                        "vat_rate": "23",
                    }
                    for n in range(batch)
                    for p in range(ITEMS)
                ],
            )
        done += batch
    return uid


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _zip_of(uid: int, token: str) -> Path:
    """The ZIP build_export wrote under this token."""
    from fakturowo_ui.services import export

    path = export.export_path(uid, token)
    if path is None:
        raise RuntimeError(f"build_export returned a token that names no file: {token!r}")
    return path


def _measure(uid: int, mode: str) -> None:
    """Child process: build the export once and print what `mode` asks for, as JSON."""
    from fakturowo_ui.services import export, pdf

    pdf._font()  # taken apart once per process, before the build as in a running app
    if mode == "rss":
        try:  # Linux: reset the high-water mark, so the imports' own peak does not hide the build's
            Path("/proc/self/clear_refs").write_text("5")
            before = _status_kib("VmRSS")
            token = export.build_export(uid)
            grown = _status_kib("VmHWM") - before
        except OSError:  # elsewhere: the peak RSS, from getrusage
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            token = export.build_export(uid)
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        result = {"rss_growth_mib": grown / 1024}
    else:
        import tracemalloc

        tracemalloc.start()
        token = export.build_export(uid)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = {"peak_mib": peak / 2**20}
    _zip_of(uid, token).unlink()
    print(json.dumps(result))


def _in_subprocess(uid: int, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(uid), mode],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _subset_costs(uid: int, count: int = 300) -> tuple[float, float]:
    """ms per PDF with the font subset reused from a recent file, and made afresh every time."""
    from fakturowo_ui.services import export, pdf

    docs = [pair for batch in export.document_batches(uid, batch=count) for pair in batch][:count]
    pdf.render_invoice(*docs[0])
    started = time.perf_counter()
    for document, items in docs:
        pdf.render_invoice(document, items)
    reused = (time.perf_counter() - started) / len(docs) * 1000
    started = time.perf_counter()
    for document, items in docs:
        pdf._subsets.clear()
        pdf.render_invoice(document, items)
    fresh = (time.perf_counter() - started) / len(docs) * 1000
    return reused, fresh


def main() -> None:
    parser = argument_parser(__doc__, summary_only=True)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--measure", nargs=2, metavar=("UID", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(int(args.measure[0]), args.measure[1])
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="fakturowo-bench-export-") as tmp:
        os.environ["FAKTUROWO_VAR_DIR"] = tmp
        os.environ["REFLEX_DB_URL"] = f"sqlite:///{tmp}/bench.db"
        os.environ.setdefault("FAKTUROWO_SECRET_KEY", "bench-secret-key-0123456789abcdef-0123456789")
        from fakturowo_ui.settings import reset_settings_cache

        reset_settings_cache()
        migrate(os.environ["REFLEX_DB_URL"])
        from fakturowo_ui.services import export, pdf

        pdf._font()  # the font is taken apart once per process, not per export
        print(
            f"{'documents':>10} {'seconds':>8} {'CPU s':>6} {'ms/doc':>7} {'ZIP MiB':>8} {'PDF KiB':>8} "
            f"{'peak MiB (tracemalloc)':>23} {'RSS growth MiB':>15}",
            flush=True,
        )
        results = {}
        for size in sizes:
            uid = _seed(f"bench-{size}@example.com", size)
            started, cpu_started = time.perf_counter(), time.process_time()
            token = export.build_export(uid)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            path = _zip_of(uid, token)
            zip_mib = path.stat().st_size / 2**20
            with zipfile.ZipFile(path) as archive:
                pdfs = [i.file_size for i in archive.infolist() if i.filename.startswith("faktury/")]
            path.unlink()
            rss = _in_subprocess(uid, "rss")["rss_growth_mib"]
            peak = _in_subprocess(uid, "tracemalloc")["peak_mib"]
            results[size] = (seconds, zip_mib, peak, rss, uid)
            print(
                f"{size:>10} {seconds:>8.2f} {cpu:>6.2f} {seconds / size * 1000:>7.3f} {zip_mib:>8.1f} "
                f"{sum(pdfs) / len(pdfs) / 1024:>8.2f} {peak:>23.1f} {rss:>15.1f}",
                flush=True,
            )
        biggest = max(sizes)
        seconds, zip_mib, peak, rss, uid = results[biggest]
        scale = 10_000 / biggest
        print(
            f"\ntarget for 10,000 documents: <= {TARGET_SECONDS:.0f} s and <= {TARGET_MIB:.0f} MiB"
            + ("" if biggest == 10_000 else f" (scaled from {biggest:,} documents)")
        )
        print(f"  time: {seconds * scale:.2f} s = {seconds * scale / TARGET_SECONDS:.2f}x the target")
        print(f"  size: {zip_mib * scale:.1f} MiB = {zip_mib * scale / TARGET_MIB:.2f}x the target")
        # The "<= 40 MiB, memory flat" may also be read as the build's memory: both are shown.
        print(
            f"  memory: RSS growth {rss:.1f} MiB, tracemalloc peak {peak:.1f} MiB = "
            f"{rss / TARGET_MIB:.2f}x and {peak / TARGET_MIB:.2f}x the {TARGET_MIB:.0f} MiB"
            + ("" if biggest == 10_000 else f" (at {biggest:,} documents)")
        )
        if len(sizes) > 1:
            smallest = min(sizes)
            print(
                f"  memory, {smallest:,} -> {biggest:,} documents: tracemalloc peak "
                f"{results[smallest][2]:.1f} -> {peak:.1f} MiB ({peak / results[smallest][2]:.2f}x), "
                f"RSS growth {results[smallest][3]:.1f} -> {rss:.1f} MiB"
            )
        reused, fresh = _subset_costs(uid)
        print(
            f"render_invoice: {reused:.3f} ms/PDF reusing a recent file's font subset, "
            f"{fresh:.3f} ms/PDF making the subset afresh every time"
        )


if __name__ == "__main__":
    main()
