"""Keeps the files the app writes (the database and its WAL, exports, mail) readable by its own user only."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("fakturowo.files")

# New files 0600 and directories 0700, whatever the umask of the shell that started the process.
PRIVATE_UMASK = 0o077


def restrict_new_files() -> None:
    """Set the process umask to 0o077; every entry point that writes files calls this at start-up.

    The umask is per process and inherited, so one call covers every file made later in the
    process and its children: SQLite's database, -wal and -shm files, export ZIPs, temporary files.
    """
    os.umask(PRIVATE_UMASK)


def ensure_private_file(path: str | os.PathLike[str]) -> None:
    """Create `path` empty with mode 0600 if missing; take group and other bits off an existing one."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    tighten(path)


def tighten(path: str | os.PathLike[str]) -> None:
    """Take the group and other permission bits off `path` if it exists (0644 becomes 0600)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        try:
            os.chmod(path, mode & 0o700)
        except PermissionError:  # another user's file: say so, and let the app run as before
            log.warning("%s is readable by other users and not ours to chmod", path)


def sqlite_files(database: str | os.PathLike[str]) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    return [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
