"""A blank Reflex counter app, written into a directory for a benchmark to build and serve.

One counter var and one button: what any Reflex app pays for an event, and nothing of ours.
bench/latency.py clicks it in Chromium; bench/load.py drives its websocket to learn what the
framework itself gains from a second worker sharing its state through Redis on this machine.

With BLANK_REDIS_URL set it keeps its state in that Redis with the opportunistic lock held for
a second, as the app's rxconfig.py does; otherwise in memory, as ours on one worker.
"""

from __future__ import annotations

from pathlib import Path

APP_NAME = "blank_counter"
# The frontend's names of the counter's state and its event handler (Reflex names a state by its
# module and class; checked against the hydrated state by the benchmark that uses them).
STATE = "reflex___state____state.blank_counter___blank_counter____counter_state"
INCREMENT = f"{STATE}.increment"
COUNT_KEY = "count_rx_state_"

RXCONFIG = """\
import os

import reflex as rx

redis_url = os.environ.get("BLANK_REDIS_URL") or None
if redis_url:
    os.environ.setdefault("REFLEX_OPLOCK_ENABLED", "true")  # and Reflex's hold time, as the app

config = rx.Config(
    app_name="blank_counter",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    state_manager_mode="redis" if redis_url else "memory",
    redis_url=redis_url,
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""

APP = """\
import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


def index() -> rx.Component:
    return rx.el.main(
        rx.el.p(CounterState.count, id="count"),
        rx.el.button("+1", id="increment", type="button", on_click=CounterState.increment),
    )


app = rx.App()
app.add_page(index, route="/")
"""


def write_blank_app(directory: Path) -> None:
    """The app's rxconfig.py and package in `directory` (created when missing)."""
    (directory / APP_NAME).mkdir(parents=True, exist_ok=True)
    (directory / "rxconfig.py").write_text(RXCONFIG)
    (directory / APP_NAME / "__init__.py").write_text("")
    (directory / APP_NAME / f"{APP_NAME}.py").write_text(APP)
