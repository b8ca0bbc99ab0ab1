"""`make run`'s console: Reflex's output, with the lines that would send a newcomer astray replaced.

Reflex announces "App running at: http://0.0.0.0:3000/" (an address whose page cannot connect:
the app accepts only the origin of FAKTUROWO_BASE_URL and its loopback aliases) and, when it sets
a project up, "Run `uv run reflex run`" (not how this project starts). `make run` pipes Reflex
through this filter, which prints instead where to open the app and, while mail goes to the local
outbox, where to read it. Everything else passes through unchanged, as it comes.

    reflex run ... 2>&1 | python -m fakturowo_ui.console
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterable
from typing import TextIO

from fakturowo_ui import routes
from fakturowo_ui.settings import Settings, get_settings

# Reflex's lines that name an address or a command this project does not use.
_REPLACED = ("App running at", "Backend running at")
_DROPPED = ("uv run reflex run", "uv pip install")


def banner(settings: Settings) -> list[str]:
    """What to open, and where the mail goes."""
    lines = [f"Fakturowo is running: open {settings.base_url}/"]
    if settings.uses_outbox:
        lines.append(f"Mail goes to the local outbox: {settings.link(routes.DEV_OUTBOX)}")
    else:
        lines.append(f"Mail goes through {settings.smtp_host}:{settings.smtp_port}")
    return lines


def relay(lines: Iterable[str], out: TextIO, settings: Settings) -> None:
    """Copy Reflex's output to `out`, the banner once in place of its own addresses."""
    announced = False
    for line in lines:
        if any(marker in line for marker in _REPLACED):
            if not announced:
                out.write("".join(f"{text}\n" for text in banner(settings)))
                announced = True
        elif not any(marker in line for marker in _DROPPED):
            out.write(line)
        out.flush()


def main() -> None:
    # Ctrl-C reaches Reflex too: keep relaying until it has said its last word.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    relay(sys.stdin, sys.stdout, get_settings())


if __name__ == "__main__":
    main()
