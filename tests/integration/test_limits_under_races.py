"""Rate limits and link supersession hold when many requests arrive at once (issue 14, points 3, 6, 11).

Each test starts its requests together on one event loop: every database step runs in the
database pool and every hash in the hashing pool, so the requests really interleave, as parallel
tabs or clients do. Before the fix the check came before the slow work and the count after it,
so all of them passed the check.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from fakturowo_ui.db import session_scope
from fakturowo_ui.models import OneTimeToken, RateLimitHit, User
from fakturowo_ui.services import accounts, deletion, onetime, password_change, password_reset, ratelimit
from fakturowo_ui.services.errors import DomainError
from tests.unit.factories import PASSWORD, count_rows, make_user

WRONG = "to nie jest moje haslo 1"


async def _gather(coroutines):
    return await asyncio.gather(*coroutines, return_exceptions=True)


def _keys(results) -> list[str]:
    return [
        r.key if isinstance(r, DomainError) else ("ok" if not isinstance(r, BaseException) else repr(r))
        for r in results
    ]


def test_twenty_parallel_logins_check_only_five_passwords(app_env):
    make_user("ofiara@example.com")
    attempts = [accounts.log_in("ofiara@example.com", WRONG, f"10.0.0.{i}", None) for i in range(19)]
    # The right password comes last: before the fix all 20 passed the check and it got in.
    attempts.append(accounts.log_in("ofiara@example.com", PASSWORD, "10.0.0.99", None))
    keys = _keys(asyncio.run(_gather(attempts)))
    assert keys.count("login.failed") == 5
    assert keys.count("common.try_again_at") == 15
    assert keys[-1] == "common.try_again_at", "the right password must not pass a reached limit"
    assert "ok" not in keys


def test_the_right_password_within_the_limit_still_logs_in_and_clears_it(app_env):
    make_user("ktos@example.com")
    attempts = [accounts.log_in("ktos@example.com", WRONG, "10.0.0.1", None) for _ in range(3)]
    attempts.append(accounts.log_in("ktos@example.com", PASSWORD, "10.0.0.1", None))
    keys = _keys(asyncio.run(_gather(attempts)))
    assert keys == ["login.failed"] * 3 + ["ok"]
    key = ratelimit.limit_key(ratelimit.LOGIN_FAILURES_PER_ACCOUNT, "ktos@example.com")
    assert count_rows(RateLimitHit, RateLimitHit.key == key) == 0


def test_parallel_wrong_current_passwords_stop_at_the_limit(app_env):
    user_id = make_user("zmiana@example.com")
    new = "calkiem nowe haslo 77"
    attempts = [password_change.change_password(user_id, WRONG, new, new) for _ in range(11)]
    results = asyncio.run(_gather(attempts))
    wrong = [r for r in results if isinstance(r, DomainError) and r.key == "error.form"]
    limited = [r for r in results if isinstance(r, DomainError) and r.key == "common.try_again_at"]
    assert len(wrong) == password_change.CHANGE_FAILURES_PER_ACCOUNT.count
    assert len(limited) == 11 - password_change.CHANGE_FAILURES_PER_ACCOUNT.count
    with session_scope() as session:
        assert session.get(User, user_id).password_hash  # unchanged account still there


def test_sixteen_parallel_registrations_from_one_client_create_ten(smtp):
    forms = [accounts.RegistrationForm(f"nowy{i}@example.com", PASSWORD, PASSWORD) for i in range(16)]
    results = asyncio.run(_gather([accounts.register(form, "192.0.2.7") for form in forms]))
    created = [r for r in results if isinstance(r, str)]
    limit = ratelimit.REGISTRATIONS_PER_CLIENT.count
    assert len(created) == limit
    assert count_rows(User) == limit
    assert all(
        isinstance(r, DomainError) and r.key == "common.try_again_at"
        for r in results
        if not isinstance(r, str)
    )


def test_refused_registrations_count_against_the_client_too(smtp):
    make_user("zajety@example.com")
    form = accounts.RegistrationForm("zajety@example.com", PASSWORD, PASSWORD)
    for _ in range(ratelimit.REGISTRATIONS_PER_CLIENT.count):
        try:
            asyncio.run(accounts.register(form, "192.0.2.8"))
        except DomainError as error:
            assert error.params["field"] == "email"
    # Probing for taken addresses is limited like registering: the next attempt is refused.
    other = accounts.RegistrationForm("wolny@example.com", PASSWORD, PASSWORD)
    try:
        asyncio.run(accounts.register(other, "192.0.2.8"))
    except DomainError as error:
        assert error.key == "common.try_again_at"
    else:
        raise AssertionError("the eleventh attempt in an hour was let through")


def test_five_tabs_asking_for_deletion_send_one_mail(smtp):
    user_id = make_user("usun@example.com")
    requests = [deletion.request_deletion(user_id, box_ticked=True) for _ in range(5)]
    results = asyncio.run(_gather(requests))
    sent = [r for r in results if isinstance(r, deletion.DeletionRequested)]
    assert len(sent) == 1
    assert all(isinstance(r, DomainError) and r.key == "deletion.too_soon" for r in results if r not in sent)
    assert len(smtp.mailbox.to("usun@example.com")) == 1
    with session_scope() as session:
        open_links = session.scalars(
            sa.select(OneTimeToken).where(
                OneTimeToken.user_id == user_id, OneTimeToken.purpose == onetime.TokenPurpose.DELETE_ACCOUNT
            )
        ).all()
    assert [onetime.state_of(row) for row in open_links] == [onetime.LinkState.VALID]


def test_simultaneous_reset_links_leave_the_newest_valid(smtp):
    user_id = make_user("reset@example.com")
    sends = [password_reset.send_reset_link(user_id, "reset@example.com") for _ in range(3)]
    results = asyncio.run(_gather(sends))
    assert results == [None, None, None]
    with session_scope() as session:
        rows = session.scalars(
            sa.select(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id, OneTimeToken.purpose == onetime.TokenPurpose.RESET_PASSWORD
            )
            .order_by(OneTimeToken.id)
        ).all()
    states = [onetime.state_of(row) for row in rows]
    # Before the fix each send superseded all the others after its mail went out: none was left.
    assert states == [onetime.LinkState.SUPERSEDED] * 2 + [onetime.LinkState.VALID]
    assert len(smtp.mailbox.to("reset@example.com")) == 3


def test_a_failed_send_gives_back_its_count_and_the_older_link(smtp):
    user_id = make_user("awaria@example.com")
    first = asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    assert first.email == "awaria@example.com"
    with session_scope() as session:
        session.execute(sa.delete(RateLimitHit))  # the 3-minute wait is not what this tests
    smtp.mailbox.refuse = True
    try:
        asyncio.run(deletion.request_deletion(user_id, box_ticked=True))
    except DomainError as error:
        assert error.key == "deletion.mail_failed"
    else:
        raise AssertionError("a refused mail was reported as sent")
    with session_scope() as session:
        rows = session.scalars(sa.select(OneTimeToken).where(OneTimeToken.user_id == user_id)).all()
    assert [onetime.state_of(row) for row in rows] == [onetime.LinkState.VALID]
    assert count_rows(RateLimitHit) == 0
