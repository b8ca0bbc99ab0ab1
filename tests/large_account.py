"""A large account written straight into the app's SQLite database, far faster than through the app.

The standard library only: bench/deletion.py builds its accounts with it after `make setup` alone,
and tests/faults/test_kill_during_deletion.py the account it deletes under a kill -9.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

NOW = "2026-11-23 12:00:00.000000"
TODAY = "2026-11-23"


@dataclass(frozen=True)
class LargeAccount:
    user_id: int
    email: str
    first_document: int
    last_document: int  # the account's documents have every ID from the first to the last


def insert_account(
    con: sqlite3.Connection,
    email: str,
    password_hash: str,
    *,
    documents: int,
    items_per_document: int,
    clients: int,
    products: int,
    tag: str = "",
) -> LargeAccount:
    """A confirmed account (both consents given, a subscription) with `clients` clients, `products`
    products and `documents` invoices of `items_per_document` lines each, inserted through `con`
    in the caller's transaction. `tag` goes into the names of its clients and products."""
    user_id = con.execute(
        'INSERT INTO "user" (email, password_hash, created_at, email_confirmed_at, password_changed_at,'
        " periodic_password_change, reminder_consent, info_consent) VALUES (?,?,?,?,?,0,1,1)",
        (email, password_hash, NOW, NOW, NOW),
    ).lastrowid
    if user_id is None:
        raise RuntimeError(f"SQLite gave no ID for the new user {email!r}")
    con.execute("INSERT INTO subscription (user_id, trial_ends_on) VALUES (?, ?)", (user_id, "2027-03-03"))
    con.executemany(
        "INSERT INTO client (user_id, name, nip, address, email) VALUES (?,?,?,?,?)",
        (
            (
                user_id,
                f"Klient {tag}{i} Sp. z o.o.",
                "5260250274",
                f"ul. Polna {i}, Warszawa",
                f"klient{i}@example.com",
            )
            for i in range(clients)
        ),
    )
    con.executemany(
        "INSERT INTO product (user_id, name, unit, net_price, vat_rate) VALUES (?,?,?,?,?)",
        ((user_id, f"Usługa {tag}{i}", "szt.", "123.45", "23") for i in range(products)),
    )
    (first_client,) = con.execute("SELECT min(id) FROM client WHERE user_id = ?", (user_id,)).fetchone()
    con.executemany(
        "INSERT INTO document (user_id, client_id, number, issue_date, sale_date, created_at,"
        " seller_name, seller_nip, seller_address, seller_bank_account, buyer_name, buyer_nip,"
        " buyer_address, total_net, total_vat, total_gross) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            (
                user_id,
                first_client + i % clients,
                f"FV {i + 1}/11/2026",
                TODAY,
                TODAY,
                NOW,
                "Sprzedawca Sp. z o.o.",
                "5260250274",
                "ul. Długa 1, Kraków",
                "PL61109010140000071219812874",
                f"Klient {tag}{i % clients}",
                "5260250274",
                "ul. Polna 1, Warszawa",
                "617.25",
                "141.97",
                "759.22",
            )
            for i in range(documents)
        ),
    )
    first, last = con.execute(
        "SELECT min(id), max(id) FROM document WHERE user_id = ?", (user_id,)
    ).fetchone()
    assert last - first + 1 == documents, "the account's document IDs are not one run"
    con.executemany(
        "INSERT INTO document_item (document_id, position, name, quantity, unit, net_price, vat_rate)"
        " VALUES (?,?,?,?,?,?,?)",
        (
            (first + d, p + 1, f"Pozycja {p + 1}", "1.000", "szt.", "123.45", "23")
            for d in range(documents)
            for p in range(items_per_document)
        ),
    )
    return LargeAccount(user_id=user_id, email=email, first_document=first, last_document=last)
