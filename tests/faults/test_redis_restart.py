"""Redis restarted mid-session (PostgreSQL as the database, a redis-server of the test's own).

Redis holds only the tabs' state (nothing saved to disk: `--save "" --appendonly no`), so a
restart empties it. A logged-in user who saved consents goes on in the same tab: the next event
either works or sends the tab to log in again on a clean Polish page with no traceback; nothing
the user saved is lost (checked in the database), and the page works afterwards.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import helpers
from tests.e2e.helpers import (
    INFO_LABEL,
    REMINDERS_LABEL,
    assert_no_script_errors,
    consents_in_db,
    expect_consents,
    login,
    message,
    register_user,
    save_consents,
    save_consents_and_check,
    tick,
    unique_email,
    wait_ready,
)
from tests.multihost.services import AppServer, PostgresServer, postgres_database
from tests.servers import RedisServer

pytestmark = pytest.mark.postgres

# What Reflex itself would show for an error it does not know (English), and what no page may show.
FOREIGN = ("Traceback", "An error occurred", "Contact the website administrator", "Exception")


@dataclass
class RedisDeployment:
    app: AppServer
    redis: RedisServer
    front: PostgresServer


@pytest.fixture(scope="module")
def deployment(faults, smtp_server, tmp_path_factory) -> Iterator[RedisDeployment]:
    root = tmp_path_factory.mktemp("faults-redis")
    redis = RedisServer(root / "redis")
    with postgres_database(root, "fakturowo_faults") as db_url:
        redis.start()
        var_dir = root / "var"
        var_dir.mkdir()
        app = faults.start(
            "redis",
            {
                "FAKTUROWO_VAR_DIR": str(var_dir),
                "REFLEX_DB_URL": db_url,
                "REFLEX_REDIS_URL": redis.url,
                **smtp_server.env,
            },
        )
        front = PostgresServer(
            base_url=faults.url,
            port=faults.port,
            var_dir=var_dir,
            db_path=root / "no-sqlite-here",
            log_path=app.log_path,
            smtp=smtp_server,
            db_url=db_url,
            logs=[app.log_path, redis.log_path],
        )
        helpers.set_server(front)
        try:
            yield RedisDeployment(app=app, redis=redis, front=front)
        finally:
            helpers.set_server(None)
            app.stop()
            redis.stop()


def assert_clean_polish_page(page: Page) -> None:
    body = page.locator("body").inner_text()
    for word in FOREIGN:
        assert word not in body, f"{word!r} on {page.url}:\n{body[:2000]}"
    assert page.locator("html").get_attribute("lang") in ("pl", "pl-PL"), page.url
    assert_no_script_errors(page)


def logged_in_with_saved_consents(page: Page) -> tuple[str, int]:
    email = unique_email("redis")
    user_id = register_user(page, email)
    login(page, email)
    tick(page, REMINDERS_LABEL, True)
    tick(page, INFO_LABEL, True)
    save_consents_and_check(page, user_id, True, True)
    return email, user_id


def restart_redis(redis: RedisServer) -> None:
    """SIGTERM, then a new redis-server on the same port: every tab's state is gone."""
    client = redis.client()
    try:
        # redis-py types a sync client's answers like an async one's (ResponseT: Awaitable | Any).
        assert client.dbsize() > 0, "the tab's state is not in this Redis"  # pyright: ignore[reportOperatorIssue]
        redis.stop(signal.SIGTERM)
        redis.start()
        assert client.dbsize() == 0, "Redis kept state over the restart"
    finally:
        client.close()


def reload_and_carry_on(page: Page, email: str, user_id: int) -> None:
    """A reload shows the account with the consents as saved (or the login page, then the
    account); a change is then saved, kept in the database and shown after another reload."""
    page.reload()
    wait_ready(page, timeout=30_000)
    expect(
        page.get_by_text("Zalogowano jako").or_(page.get_by_role("button", name="Zaloguj", exact=True)).first
    ).to_be_visible()
    assert_clean_polish_page(page)
    if "/logowanie" in page.url:
        login(page, email)
    expect_consents(page, True, True)
    tick(page, INFO_LABEL, False)
    save_consents_and_check(page, user_id, True, False)
    page.reload()
    wait_ready(page)
    expect_consents(page, True, False)
    assert_clean_polish_page(page)


def test_a_reload_after_a_redis_restart_carries_on(page: Page, deployment: RedisDeployment):
    email, user_id = logged_in_with_saved_consents(page)
    restart_redis(deployment.redis)
    reload_and_carry_on(page, email, user_id)


def test_the_next_event_of_an_open_tab_after_a_redis_restart(page: Page, deployment: RedisDeployment):
    """The tab stays open over the restart and the user presses "Zapisz" again."""
    email, user_id = logged_in_with_saved_consents(page)
    restart_redis(deployment.redis)
    save_consents(page)
    answered = message(page, re.compile("Zapisano zgody|Nic się nie zmieniło")).or_(
        page.get_by_role("button", name="Zaloguj", exact=True)
    )
    try:
        expect(answered.first).to_be_visible(timeout=30_000)
        got_answer = True
    except AssertionError:
        got_answer = False
    now_in_db = consents_in_db(user_id)
    assert now_in_db == (True, True), (
        f'pressing "Zapisz" after the Redis restart stored the consents as {now_in_db}: what the user '
        "saved before (True, True) is lost (the tab's state came back empty and was saved)"
    )
    assert got_answer, (
        "the event after the Redis restart got no answer within 30 s (no message, no login page)"
    )
    assert_clean_polish_page(page)
    reload_and_carry_on(page, email, user_id)
