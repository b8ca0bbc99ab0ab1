"""Benchmark: the "Pobierz kopię danych" ZIP for accounts with 1,000 and 10,000 documents on SQLite.

Each account has 3 line items per document, 200 clients and 200 products. For each size it prints
the time to build the ZIP (JSON, CSVs and every invoice's PDF), the peak of Python memory allocated
during the build (tracemalloc; it also slows the run down somewhat) and the growth of the process's
peak RSS, plus the ZIP's size. Memory must stay flat as the number of documents grows.

Run: .venv/bin/python bench/export.py [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = 3
CLIENTS = 200
PRODUCTS = 200


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _seed(user_email: str, documents: int) -> int:
    import sqlalchemy as sa

    from fakturowo_ui.db import session_scope
    from fakturowo_ui.models import Client, Document, DocumentItem, Product, SellerProfile, Subscription, User

    now = dt.datetime(2026, 11, 23, 12, 0)
    with session_scope() as session:
        user = User(email=user_email, password_hash="x", created_at=now, password_changed_at=now,
                    email_confirmed_at=now)
        session.add(user)
        session.flush()
        uid = user.id
        session.add(Subscription(user_id=uid, trial_ends_on=dt.date(2027, 3, 1)))
        session.add(SellerProfile(user_id=uid, company_name="Zażółć Gęślą Jaźń Sp. z o.o.", nip="5260250274",
                                  address="ul. Świętokrzyska 1\n00-001 Warszawa",
                                  bank_account="12 1020 1026 0000 0402 0207 0123"))
        session.execute(sa.insert(Client), [
            {"user_id": uid, "name": f"Klient Łódź {n}", "nip": "7740001454", "address": "ul. Piotrkowska 1",
             "email": f"k{n}@example.com"} for n in range(CLIENTS)])
        session.execute(sa.insert(Product), [
            {"user_id": uid, "name": f"Usługa {n}", "unit": "godz.", "net_price": Decimal("150.00"),
             "vat_rate": "23"} for n in range(PRODUCTS)])
    done = 0
    while done < documents:
        batch = min(1000, documents - done)
        with session_scope() as session:
            first_id = (session.scalar(sa.select(sa.func.max(Document.id))) or 0) + 1
            session.execute(sa.insert(Document), [{
                "user_id": uid, "number": f"FV {done + n + 1}/11/2026", "issue_date": dt.date(2026, 11, 23),
                "sale_date": dt.date(2026, 11, 23), "created_at": now,
                "seller_name": "Zażółć Gęślą Jaźń Sp. z o.o.", "seller_nip": "5260250274",
                "seller_address": "ul. Świętokrzyska 1\n00-001 Warszawa",
                "seller_bank_account": "12 1020 1026 0000 0402 0207 0123",
                "buyer_name": f"Klient Łódź {n % CLIENTS}", "buyer_nip": "7740001454",
                "buyer_address": "ul. Piotrkowska 1", "total_net": Decimal("450.00"),
                "total_vat": Decimal("103.50"), "total_gross": Decimal("553.50")} for n in range(batch)])
            session.execute(sa.insert(DocumentItem), [{
                "document_id": first_id + n, "position": p + 1, "name": f"Usługa księgowa {p}",
                "quantity": Decimal("1.000"), "unit": "godz.", "net_price": Decimal("150.00"), "vat_rate": "23",
            } for n in range(batch) for p in range(ITEMS)])
        done += batch
    return uid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="fakturowo-bench-export-") as tmp:
        os.environ["FAKTUROWO_VAR_DIR"] = tmp
        os.environ["REFLEX_DB_URL"] = f"sqlite:///{tmp}/bench.db"
        os.environ.setdefault("FAKTUROWO_SECRET_KEY", "bench-secret-key-0123456789abcdef-0123456789")
        from fakturowo_ui.settings import reset_settings_cache

        reset_settings_cache()
        _migrate(os.environ["REFLEX_DB_URL"])
        from fakturowo_ui.services import export, pdf

        pdf._font()  # the font objects are prepared once per process, not per export
        print(f"{'documents':>10} {'seconds':>8} {'ms/doc':>7} {'peak MiB (tracemalloc)':>23} "
              f"{'RSS growth MiB':>15} {'ZIP MiB':>8}")
        for size in sizes:
            uid = _seed(f"bench-{size}@example.com", size)
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            started = time.perf_counter()
            token = export.build_export(uid)
            seconds = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
            path = export.export_path(uid, token)
            size_mib = path.stat().st_size / 2**20
            path.unlink()
            print(f"{size:>10} {seconds:>8.1f} {seconds / size * 1000:>7.1f} {peak / 2**20:>23.1f} "
                  f"{rss_growth:>15.1f} {size_mib:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
