"""Benchmark: "Zapisz" on /konto against a blank Reflex counter app, timed inside Chromium, one run.

Builds and serves two production builds (`reflex run --env prod`, each on a free port with its own
REFLEX_WEB_WORKDIR, process group killed at the end):
  - blank: a Reflex counter app written by this script into a temporary directory (one counter
    var, one button; same Reflex, same virtualenv, telemetry off, the same in-memory state manager
    as ours on one worker);
  - ours: the app on a fresh migrated SQLite database, with a confirmed user and its session made
    straight in the database; the session cookie `fakturowo_session` (HttpOnly, path /) and the
    language cookie `fakturowo_lang=pl` (as a login sets it) are put into the page's browser
    context.
Debian's Chromium (headless, driven over CDP) opens both, and every figure is taken INSIDE the
page with performance.now() and a MutationObserver (no Playwright, no polling while timing):
  - blank click:        click the button -> the counter's text changes;
  - Zapisz (unchanged): click "Zapisz" in the region "Zgody na otrzymywanie wiadomości" -> the
                        region's status message is renewed (a new element; its text carries the
                        time), nothing changed;
  - Zapisz (toggled):   the same, after ticking/unticking the reminders box (the toggle's own
                        round trip is waited for and not timed), so every save changes a consent.
The series alternate in batches (--batch) in the same run, after an untimed warm-up. The page's
WebSocket also notes when each operation's frame left and its answer's last frame arrived, which
splits the p50 into the page's work before sending, the network and the server, and the page's
work after the answer (applying the delta, rendering) until the DOM shows it.
Targets (issue 9): Zapisz p50 <= 1.5x the blank click's p50, p99 <= 3x its p99.

Run: .venv/bin/python bench/latency.py [--saves 200] [--batch 20] [--variants unchanged,toggled]
Needs `make setup` and Debian's Chromium (`make chromium`); says so and exits 2 without it.
A first run installs the frontends' npm packages into .web-bench-latency and .web-bench-blank
(ignored by git) and takes a few minutes; later runs reuse them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _blank import write_blank_app  # noqa: E402
from _chromium import Browser, Page  # noqa: E402
from _servers import (  # noqa: E402
    ROOT,
    AppServer,
    app_environment,
    argument_parser,
    free_port,
    header,
    logs_on_failure,
    make_users,
    message_prefix,
    migrate,
    percentile,
    require,
    use_in_this_process,
)

REGION = "Zgody na otrzymywanie wiadomości"
SAVE = "Zapisz"
TARGET_P50, TARGET_P99 = 1.5, 3.0

# Reflex's instrumentation hook says when the page's websocket is connected; the page's WebSocket
# notes when it last sent a frame and last received one, which splits each round trip into the
# page's work before the event leaves, the network and the server, and the page's work after the
# answer arrives (until the DOM shows it).
INIT_SCRIPT = """
(() => {
  window.__bench_socket = 'connecting';
  window.__reflex_otel = Object.assign(window.__reflex_otel || {}, {
    onSocketConnect() { window.__bench_socket = 'connected'; },
    onSocketDisconnect() { window.__bench_socket = 'disconnected'; },
  });
  window.__bench_sent = 0;
  window.__bench_received = 0;
  const Native = window.WebSocket;
  class Timed extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__bench_received = performance.now(); });
    }
    send(data) {
      window.__bench_sent = performance.now();
      return super.send(data);
    }
  }
  window.WebSocket = Timed;
})();
"""

# What each batch notes of an operation besides its time: when its frame left and its answer came.
SPLIT = """
function split(t0, t1) {
  const sent = window.__bench_sent, received = window.__bench_received;
  return (sent >= t0 && received >= sent && received <= t1) ? [sent - t0, received - t0] : null;
}
"""

# One batch of clicks on the blank app: click -> the counter's text changes.
BLANK_BATCH = """
(async ({n, pauseMs}) => {
  const counter = document.getElementById('count');
  const button = document.getElementById('increment');
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const times = [], splits = [];
  SPLIT_FUNCTION
  for (let i = 0; i < n; i++) {
    const before = counter.textContent;
    const [elapsed, parts] = await new Promise((resolve, reject) => {
      let t0 = 0;
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('counter unchanged after 10 s')); }, 10000);
      const observer = new MutationObserver(() => {
        if (counter.textContent !== before) {
          const t1 = performance.now();
          observer.disconnect(); clearTimeout(timer); resolve([t1 - t0, split(t0, t1)]);
        }
      });
      observer.observe(counter, {childList: true, subtree: true, characterData: true});
      button.focus();  // as a real click does (untimed): a click by script moves no focus
      t0 = performance.now();
      button.click();
    });
    times.push(elapsed);
    splits.push(parts);
    await sleep(pauseMs);
  }
  return {times, texts: [], splits};
})(ARGS)
"""

# One batch of saves on /konto: click "Zapisz" -> the region's status message is renewed.
OURS_BATCH = """
(async ({n, pauseMs, toggle, heading, save}) => {
  const region = [...document.querySelectorAll('section')]
    .find(s => (s.querySelector('h2') || {}).textContent === heading);
  const button = [...region.querySelectorAll('button')].find(b => b.textContent.trim() === save);
  const box = region.querySelector('input[type=checkbox]');
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const times = [], texts = [], splits = [];
  SPLIT_FUNCTION
  for (let i = 0; i < n; i++) {
    if (toggle) {  // untimed: tick or untick, wait until the server's answer shows it
      const wanted = !box.checked;
      box.click();
      const until = performance.now() + 10000;
      while (box.checked !== wanted) {
        if (performance.now() > until) throw new Error('the checkbox did not change in 10 s');
        await sleep(2);
      }
      await sleep(pauseMs);
    }
    const before = region.querySelector('.message');
    const beforeText = before ? before.textContent : null;
    const [elapsed, text, parts] = await new Promise((resolve, reject) => {
      let t0 = 0;
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no new status message in 10 s')); }, 10000);
      const observer = new MutationObserver(() => {
        const now = region.querySelector('.message');
        if (now && now.textContent && (now !== before || now.textContent !== beforeText)) {
          const t1 = performance.now();
          observer.disconnect(); clearTimeout(timer); resolve([t1 - t0, now.textContent, split(t0, t1)]);
        }
      });
      observer.observe(region, {childList: true, subtree: true, characterData: true});
      button.focus();  // as a real click does (untimed): a click by script moves no focus
      t0 = performance.now();
      button.click();
    });
    times.push(elapsed);
    texts.push(text);
    splits.push(parts);
    await sleep(pauseMs);
  }
  return {times, texts, splits};
})(ARGS)
"""


def _batch(script: str, **args) -> str:
    return script.replace("SPLIT_FUNCTION", SPLIT).replace("ARGS", json.dumps(args))


def start_servers(tmp: Path, web_prefix: str) -> tuple[AppServer, AppServer, str, str]:
    """(blank server, our server, our user's e-mail, our user's session token)."""
    blank_dir = tmp / "blank"
    write_blank_app(blank_dir)
    blank = AppServer(
        blank_dir, {}, web_dir=str(ROOT / f"{web_prefix}-blank"), log_path=tmp / "blank-server.log"
    )

    var_dir = tmp / "var"
    var_dir.mkdir()
    db_url = f"sqlite:///{var_dir / 'fakturowo.db'}"
    port = free_port()
    env = app_environment(var_dir, db_url, f"http://localhost:{port}")
    use_in_this_process(env)
    migrate(db_url)
    (user,) = make_users(1, "latency")
    ours = AppServer(ROOT, env, port=port, web_dir=f"{web_prefix}-latency", log_path=tmp / "our-server.log")
    return blank, ours, user.email, user.token


async def open_pages(blank: AppServer, ours: AppServer, email: str, token: str) -> tuple[Browser, Page, Page]:
    browser = await Browser().start()
    blank_page = await browser.new_page(init_script=INIT_SCRIPT)
    await blank_page.goto(blank.base_url + "/")
    await blank_page.wait_for(
        "window.__bench_socket === 'connected' && !!document.getElementById('count')"
        " && document.getElementById('count').textContent !== ''",
        what="blank counter",
    )
    from fakturowo_ui.i18n import LANGUAGE_COOKIE

    cookie = {
        "name": "fakturowo_session",
        "value": token,
        "url": ours.base_url + "/",
        "path": "/",
        "httpOnly": True,
        "sameSite": "Lax",
    }
    # Polish, as a login leaves it: headless Chromium asks for English, which /konto would follow.
    language = {
        "name": LANGUAGE_COOKIE,
        "value": "pl",
        "url": ours.base_url + "/",
        "path": "/",
        "sameSite": "Lax",
    }
    our_page = await browser.new_page(cookies=[cookie, language], init_script=INIT_SCRIPT)
    await our_page.goto(ours.base_url + "/konto/")
    await our_page.wait_for(
        f"window.__bench_socket === 'connected' && document.body.innerText.includes({json.dumps(email)})"
        f" && [...document.querySelectorAll('section h2')].some(h => h.textContent === {json.dumps(REGION)})",
        what="/konto with the user's address and the consents region",
    )
    return browser, blank_page, our_page


async def run_series(
    blank_page: Page, our_page: Page, saves: int, batch: int, warmup: int, variants: list[str], pause_ms: int
) -> dict[str, dict]:
    results = {name: {"times": [], "texts": [], "splits": []} for name in ["blank", *variants]}

    async def one(name: str, n: int) -> dict:
        if name == "blank":
            await blank_page.bring_to_front()
            return await blank_page.evaluate(_batch(BLANK_BATCH, n=n, pauseMs=pause_ms))
        await our_page.bring_to_front()
        return await our_page.evaluate(
            _batch(OURS_BATCH, n=n, pauseMs=pause_ms, toggle=name == "toggled", heading=REGION, save=SAVE)
        )

    for name in results:  # untimed warm-up of both servers and both pages
        await one(name, warmup)
    done = 0
    while done < saves:
        n = min(batch, saves - done)
        for name in results:
            got = await one(name, n)
            results[name]["times"] += got["times"]
            results[name]["texts"] += got["texts"]
            results[name]["splits"] += got["splits"]
        done += n
        print(f"  ... {done}/{saves} of each", file=sys.stderr, flush=True)
    return results


def report(results: dict[str, dict], variants: list[str]) -> None:
    labels = {
        "blank": "blank click -> counter",
        "unchanged": "Zapisz (nothing changed)",
        "toggled": "Zapisz (a consent toggled)",
    }
    print(f"{'series':<28} {'n':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    # The message each save must end with: anything else (the "unexpected" one above all) is an error.
    expected = {
        "unchanged": message_prefix("account.consents.unchanged"),
        "toggled": message_prefix("account.consents.saved"),
    }
    stats = {}
    for name, got in results.items():
        times = got["times"]
        errors = sum(not text.startswith(expected[name]) for text in got["texts"]) if name in expected else 0
        stats[name] = {p: percentile(times, p) for p in (50, 90, 99)}
        print(
            f"{labels[name]:<28} {len(times):>5} {stats[name][50]:>8.2f} {stats[name][90]:>8.2f} "
            f"{stats[name][99]:>8.2f} {max(times, default=float('nan')):>8.2f} {errors:>7}"
        )
    print('errors: saves answered by another message than the variant\'s own (e.g. "Coś poszło nie tak")')
    print(
        "\nwhere the time goes, p50 ms (the page's WebSocket noting when the event's frame left and the\n"
        "answer's last frame came): the page before sending, the network and the server, the page after"
    )
    print(f"{'series':<28} {'n':>5} {'page, before':>12} {'net + server':>12} {'page, after':>12}")
    for name, got in results.items():
        splits = [(split, total) for split, total in zip(got["splits"], got["times"], strict=True) if split]
        before = [sent for (sent, _received), _total in splits]
        server = [received - sent for (sent, received), _total in splits]
        after = [total - received for (_sent, received), total in splits]
        print(
            f"{labels[name]:<28} {len(splits):>5} {percentile(before, 50):>12.2f} {percentile(server, 50):>12.2f} "
            f"{percentile(after, 50):>12.2f}"
        )
    blank = stats["blank"]
    for name in variants:
        r50, r90, r99 = (stats[name][p] / blank[p] for p in (50, 90, 99))
        print(
            f"ratio {labels[name]} / blank: p50 {r50:.2f}x (target <= {TARGET_P50}x: "
            f"{'met' if r50 <= TARGET_P50 else 'NOT met'}), p90 {r90:.2f}x, "
            f"p99 {r99:.2f}x (target <= {TARGET_P99}x: {'met' if r99 <= TARGET_P99 else 'NOT met'})"
        )


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument(
        "--saves", type=int, default=200, help="timed saves of each variant, and blank clicks"
    )
    parser.add_argument("--batch", type=int, default=20, help="operations per batch before switching series")
    parser.add_argument("--warmup", type=int, default=20, help="untimed operations of each series first")
    parser.add_argument(
        "--variants",
        default="unchanged,toggled",
        help="comma-separated: unchanged (save as is), toggled (a consent changed before each save)",
    )
    parser.add_argument("--pause-ms", type=int, default=20, help="pause after each operation")
    parser.add_argument(
        "--web-prefix",
        default=".web-bench",
        help="REFLEX_WEB_WORKDIRs are <prefix>-blank and <prefix>-latency (npm packages kept there)",
    )
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    if not variants or set(variants) - {"unchanged", "toggled"}:
        parser.error("--variants: unchanged and/or toggled")

    require("bench/latency.py", "chromium")
    import logging

    logging.disable(logging.INFO)
    print(header("bench/latency.py"), flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp_name:
        tmp = Path(tmp_name)
        blank, ours, email, token = start_servers(tmp, args.web_prefix)
        with blank, ours:
            print(
                f"servers ready: blank in {blank.started_in:.0f} s, ours in {ours.started_in:.0f} s "
                f"(production builds)",
                flush=True,
            )

            async def measure():
                browser, blank_page, our_page = await open_pages(blank, ours, email, token)
                try:
                    return await run_series(
                        blank_page, our_page, args.saves, args.batch, args.warmup, variants, args.pause_ms
                    )
                finally:
                    await browser.close()

            with logs_on_failure(blank, ours):
                results = asyncio.run(measure())
    print(
        textwrap.dedent(f"""\
        {args.saves} timed operations per series after {args.warmup} untimed, alternating in batches of
        {args.batch}, {args.pause_ms} ms pause after each; in-page performance.now() + MutationObserver.""")
    )
    report(results, variants)
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
