"""Reflex configuration, derived from the app's own settings (see fakturowo_ui/settings.py)."""

import reflex as rx

from fakturowo_ui.files import restrict_new_files
from fakturowo_ui.settings import SettingsError, get_settings

# Every reflex process (the CLI, each backend worker) imports this first: the files it makes from
# here on (var/, the database, exports) are readable by this user only.
restrict_new_files()

try:
    _settings = get_settings()
except SettingsError as error:
    raise SystemExit(f"Configuration error: {error}") from None

config = rx.Config(
    app_name="fakturowo_ui",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # One worker keeps state in memory; with Redis several workers share it. Never "disk": the
    # connection's headers (the session cookie) would be pickled into files.
    state_manager_mode="redis" if _settings.redis_url else "memory",
    redis_url=_settings.redis_url,
    # The socket and every endpoint accept only the app's own origin.
    cors_allowed_origins=[_settings.base_origin],
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
