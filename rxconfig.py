"""Reflex configuration, derived from the app's own settings (see fakturowo_ui/settings.py)."""

import os

import reflex as rx
from reflex.constants import StateManagerMode

from fakturowo_ui.files import restrict_new_files
from fakturowo_ui.settings import SettingsError, get_settings

# Every reflex process (the CLI, each backend worker) imports this first: the files it makes from
# here on (var/, the database, exports) are readable by this user only.
restrict_new_files()

try:
    _settings = get_settings()
except SettingsError as error:
    raise SystemExit(f"Configuration error: {error}") from None

# FAKTUROWO_WORKERS is the number of backend workers. `reflex run --env prod` imports this module
# before it starts Granian, and takes Granian's worker count from GRANIAN_WORKERS, else its own
# 2 x cores + 1 whenever Redis is configured (reflex/utils/exec.py); so our setting is written
# over whatever GRANIAN_WORKERS held. Every worker imports this again: same value, no effect.
os.environ["GRANIAN_WORKERS"] = str(_settings.workers)

# With Redis, a worker keeps the lock of a tab it has just served for a moment (Reflex's
# opportunistic lock, REFLEX_OPLOCK_ENABLED): the tab's next events, which come over the same
# websocket to the same worker, use the state in its memory instead of locking, reading and
# writing it in Redis each time (bench/load.py: some 40 % less server CPU per save, 1.5 times
# the saves a second on two workers). Another worker that needs the tab asks for the lock and
# gets it once the state is written back. An operator may still set it to false.
# For as long as Reflex holds it by default (REFLEX_OPLOCK_HOLD_TIME unset: half the lock's 10 s),
# so a tab whose events come seconds apart (a user reading between clicks) still goes through
# Redis once per burst: bench/load.py, 100 sessions offered 50 saves/s on two workers, measured
# 4.05 ms of server CPU a save against 7.13 with one second, and up to 1.3 times the saves a
# second in a closed loop. What the database holds is written at each event whatever the hold; a
# tab's state reaches Redis when its lock is let go. Should a worker die holding a tab's lock, the
# tab's next worker waits for the lock to expire (10 s after it was taken), as it would after a
# worker died in the middle of an event, and the tab loads its page's data again from the database.
if _settings.redis_url:
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")

config = rx.Config(
    app_name="fakturowo_ui",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # One worker keeps state in memory; with Redis several workers share it. Never "disk": the
    # connection's headers (the session cookie) would be pickled into files.
    state_manager_mode=StateManagerMode.REDIS if _settings.redis_url else StateManagerMode.MEMORY,
    redis_url=_settings.redis_url,
    # The socket and every endpoint accept only the app's own origin (and, in local use, its
    # loopback aliases: localhost and 127.0.0.1 alike).
    cors_allowed_origins=list(_settings.accepted_origins),
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
