"""Alembic environment: runs migrations against the app's configured database."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

from fakturowo_ui import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from fakturowo_ui.db import make_engine
from fakturowo_ui.files import restrict_new_files
from fakturowo_ui.settings import SettingsError, get_settings

# `alembic upgrade` is often the first thing to create the database: its files are the user's only.
restrict_new_files()

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _configured_url() -> str:
    """The app's database URL; a bad setting stops with its message, not a traceback."""
    try:
        return get_settings().db_url
    except SettingsError as error:
        raise SystemExit(f"Configuration error: {error}") from None


def run_migrations_offline() -> None:
    context.configure(
        url=_configured_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("url") or _configured_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
