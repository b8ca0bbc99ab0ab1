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
