"""Benchmark: the page-load cost of two ways to translate a page (issue 11), timed inside Chromium.

The choice: (a) a route prefix per language, every page compiled once per language from the same
page function with t() evaluated at compile time (what the app does: PAGES and in_language in
fakturowo_ui/fakturowo_ui.py), or (b) state-held strings, the page's words as state vars the
backend fills in the tab's language. This script writes a small Reflex app of its own into a
temporary directory and serves its production build (`reflex run --env prod`, a free port, its
own REFLEX_WEB_WORKDIR, process group killed at the end). Its two pages show the same 150 text
pieces (an h1 and a lead, 7 sections of a heading, 7 paragraphs and a list of 10 items, a form of
10 labelled inputs with hints and a button), taken from the app's own Polish catalogue:
  - /static (a): the words are literals compiled into the page;
  - /state  (b): every word is an entry of one dict var, {} at first, filled by the page's on_load
                 handler from the catalogue held by the backend (both languages; ?lang=, default pl).
Debian's Chromium (headless, driven over CDP by bench/_chromium.py) loads each page in a fresh
browser context (cold cache, new tab state), the two pages interleaved, after untimed warm-ups:
  - last word in the DOM: performance.now() (from navigation start) when a MutationObserver,
    installed before the document exists, sees the last text piece's element hold its text; the
    first animation frame after it; and when Chromium painted that text (Element Timing);
  - hydrated: the websocket frame carrying is_hydrated = true (on /state, after on_load), CDP
    clock, from the document's request;
  - bytes: websocket payloads received and sent until then (CDP Network.webSocketFrame*), and
    HTTP bytes over the wire per resource type (Network.loadingFinished: HTML, JS, the rest).
Printed: p50 and p90 of each figure for both pages, the ratio (b)/(a), and what it means.

Run: .venv/bin/python bench/i18n_pageload.py [--loads 30] [--warmup 3]
Needs `make setup` and Debian's Chromium (`make chromium`); says so and exits 2 without it.
A first run installs the frontend's npm packages into .web-bench-i18n (ignored by git) and takes
a few minutes; later runs reuse them.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _chromium import Browser, CDPError, Page  # noqa: E402
from _servers import (  # noqa: E402
    ROOT,
    AppServer,
    argument_parser,
    header,
    logs_on_failure,
    percentile,
    require,
)
from _ws import ConnectionClosed  # noqa: E402

PIECES = 150
SECTIONS, PARAGRAPHS, ITEMS, FIELDS = 7, 7, 10, 10
LOAD_TIMEOUT_S = 30
SETTLE_S = 0.3  # after the hydrated frame, for the last loadingFinished events
HYDRATED = re.compile(r'"is_hydrated_rx_state_"\s*:\s*true')

RXCONFIG = """\
import reflex as rx

config = rx.Config(
    app_name="i18n_pageload",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    state_manager_mode="memory",
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""

APP = '''\
"""The same words twice: compiled into /static, state vars filled by on_load on /state.

Written by bench/i18n_pageload.py.
"""

import reflex as rx

CATALOGUE = __CATALOGUE__
LAYOUT = __LAYOUT__
LAST = __LAST__


class WordsState(rx.State):
    words: dict[str, str] = {}

    @rx.event
    def on_load(self):
        lang = self.router.url.query_parameters.get("lang", "pl")
        self.words = dict(CATALOGUE.get(lang, CATALOGUE["pl"]))


def content(word) -> rx.Component:
    blocks = []
    for section in LAYOUT:
        children, items = [], []
        for role, wid, key in section["items"]:
            text = word(key)
            # data-w, not id: an id would give each element a React ref
            marks = {"data-w": wid, **({"elementtiming": "last"} if wid == LAST else {})}
            if role == "li":
                items.append(rx.el.li(text, custom_attrs=marks))
                continue
            if items:
                children.append(rx.el.ul(*items))
                items = []
            if role == "label":
                field = "f" + wid
                children.append(
                    rx.el.div(
                        rx.el.label(text, html_for=field, custom_attrs=marks),
                        rx.el.input(id=field, name=field, type="text"),
                    )
                )
            elif role == "button":
                children.append(rx.el.button(text, type="button", custom_attrs=marks))
            else:
                children.append(getattr(rx.el, role)(text, custom_attrs=marks))
        if items:
            children.append(rx.el.ul(*items))
        blocks.append((rx.el.form if section["form"] else rx.el.section)(*children))
    return rx.el.main(*blocks)


def static_page() -> rx.Component:
    return content(lambda key: CATALOGUE["pl"][key])


def state_page() -> rx.Component:
    return content(lambda key: WordsState.words[key])


def index() -> rx.Component:
    return rx.el.main(rx.el.a("static", href="/static"), rx.el.a("state", href="/state"))


app = rx.App()
app.add_page(index, route="/")
app.add_page(static_page, route="/static", title="Fakturowo")
app.add_page(state_page, route="/state", title="Fakturowo", on_load=WordsState.on_load)
'''

# Installed before each document exists: the time the last word is there, its first frame, its
# paint (Element Timing), all from navigation start (performance.now()).
INIT_SCRIPT = """
(() => {
  const LAST = __LAST__, EXPECTED = __EXPECTED__;
  let resolve;
  const bench = window.__bench = {words: null, frame: null, paint: null};
  bench.done = new Promise(r => { resolve = r; });
  const observer = new MutationObserver(() => {
    const element = document.querySelector(`[data-w="${LAST}"]`);
    if (bench.words === null && element && element.textContent === EXPECTED) {
      bench.words = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => {
        bench.frame = performance.now();
        resolve({words: bench.words, frame: bench.frame});
      });
    }
  });
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  try {
    new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        if (entry.identifier === 'last' && bench.paint === null) bench.paint = entry.renderTime || null;
      }
    }).observe({type: 'element', buffered: true});
  } catch (error) { /* no Element Timing: paint stays null */ }
})();
"""

# After the load: the pieces whose element does not hold its word.
CHECK_SCRIPT = """
((expected) => ({
  wrong: Object.entries(expected)
    .filter(([id, text]) => (document.querySelector(`[data-w="${id}"]`) || {}).textContent !== text).length,
  paint: window.__bench.paint,
}))(__EXPECTED__)
"""


def _fill(template: str, **values: str) -> str:
    """The template with each __NAME__ replaced by the source text given for it."""
    for name, value in values.items():
        template = template.replace(f"__{name.upper()}__", value)
    return template


# -- the pages' words -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Words:
    catalogue: dict[str, dict[str, str]]  # lang -> key -> text
    layout: list[dict]  # sections: {"form": bool, "items": [(role, data-w mark, key)]}
    last: str  # the data-w mark of the last piece in document order

    def expected(self, lang: str = "pl") -> dict[str, str]:
        return {
            wid: self.catalogue[lang][key] for section in self.layout for _role, wid, key in section["items"]
        }


def choose_words() -> Words:
    """150 messages of the app's catalogue (the first keys with no placeholder in either language),
    the shortest as labels, button and headings, the longest as paragraphs."""
    from fakturowo_ui.i18n import messages

    pl, en = messages("pl"), messages("en")
    keys = [k for k in sorted(pl) if pl[k] and en.get(k) and "{" not in pl[k] + en[k]][:PIECES]
    if len(keys) < PIECES:
        raise SystemExit(f"the catalogue has only {len(keys)} messages without placeholders")
    by_length = sorted(keys, key=lambda k: (len(pl[k]), k))
    roles: dict[str, list[str]] = {}
    counts = [
        ("label", FIELDS),
        ("button", 1),
        ("heading", 2 + SECTIONS),
        ("li", SECTIONS * ITEMS),
        ("p", 1 + SECTIONS * PARAGRAPHS + FIELDS),
    ]
    start = 0
    for role, n in counts:
        roles[role] = sorted(by_length[start : start + n])
        start += n
    assert start == PIECES
    heads, paragraphs, items = iter(roles["heading"]), iter(roles["p"]), iter(roles["li"])
    layout: list[dict] = [{"form": False, "items": [("h1", "", next(heads)), ("p", "", next(paragraphs))]}]
    for _ in range(SECTIONS):
        section = [("h2", "", next(heads))]
        section += [("p", "", next(paragraphs)) for _ in range(PARAGRAPHS)]
        section += [("li", "", next(items)) for _ in range(ITEMS)]
        layout.append({"form": False, "items": section})
    form = [("h2", "", next(heads))]
    for label in roles["label"]:
        form += [("label", "", label), ("p", "", next(paragraphs))]
    form.append(("button", "", roles["button"][0]))
    layout.append({"form": True, "items": form})
    number = 0
    for section in layout:  # data-w marks in document order
        numbered = []
        for role, _wid, key in section["items"]:
            numbered.append((role, f"w{number:03d}", key))
            number += 1
        section["items"] = numbered
    return Words(
        {"pl": {k: pl[k] for k in keys}, "en": {k: en[k] for k in keys}}, layout, f"w{number - 1:03d}"
    )


def write_app(directory: Path, words: Words) -> None:
    (directory / "i18n_pageload").mkdir(parents=True, exist_ok=True)
    (directory / "rxconfig.py").write_text(RXCONFIG)
    (directory / "i18n_pageload" / "__init__.py").write_text("")
    (directory / "i18n_pageload" / "i18n_pageload.py").write_text(
        _fill(APP, catalogue=repr(words.catalogue), layout=repr(words.layout), last=repr(words.last))
    )


# -- Chromium ---------------------------------------------------------------------------------


class RecordingBrowser(Browser):
    """bench/_chromium.py's Browser, also keeping the CDP events of the pages being recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.recorded: dict[str, list[dict]] = {}  # session id -> its events
        self.hydrated: dict[str, asyncio.Event] = {}  # session id -> set by the hydrated frame

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            while True:
                message = json.loads(await self.ws.recv())
                if "method" in message:
                    session = message.get("sessionId", "")
                    events = self.recorded.get(session)
                    if events is not None:
                        events.append(message)
                        if message["method"] == "Network.webSocketFrameReceived" and HYDRATED.search(
                            message["params"]["response"].get("payloadData", "")
                        ):
                            self.hydrated[session].set()
                    continue
                future = self._pending.pop(message.get("id", -1), None)
                if future is not None and not future.done():
                    future.set_result(message)
        except ConnectionClosed as error:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(CDPError(f"Chromium went away: {error}"))


@dataclasses.dataclass
class Load:
    words_ms: float  # the last word in the DOM
    frame_ms: float  # the first animation frame after it
    paint_ms: float | None  # Element Timing's renderTime of the last word
    hydrated_ms: float  # the frame with is_hydrated = true, from the document's request
    ws_in: int  # websocket payload bytes received until then
    ws_out: int
    html: int  # HTTP bytes over the wire (headers included), by resource type
    js: int
    other: int
    wrong: int  # pieces whose element does not hold its word
    deflate: bool  # permessage-deflate on the websocket (payloads are counted inflated)


def _payload_size(frame: dict) -> int:
    data = frame.get("payloadData", "")
    return len(base64.b64decode(data)) if frame.get("opcode") == 2 else len(data.encode())


def summarize(events: list[dict], times: dict, check: dict) -> Load:
    types: dict[str, str] = {}
    sizes: dict[str, float] = {}
    document_sent = hydrated_at = None
    ws_in = ws_out = 0
    deflate = False
    for event in events:
        method, params = event["method"], event["params"]
        if method == "Network.requestWillBeSent":
            types[params["requestId"]] = params.get("type", "Other")
            if params.get("type") == "Document" and document_sent is None:
                document_sent = params["timestamp"]
        elif method == "Network.loadingFinished":
            sizes[params["requestId"]] = params["encodedDataLength"]
        elif method == "Network.webSocketHandshakeResponseReceived":
            headers = {k.lower(): v for k, v in params["response"].get("headers", {}).items()}
            deflate = deflate or "permessage-deflate" in headers.get("sec-websocket-extensions", "")
        elif method == "Network.webSocketFrameReceived" and hydrated_at is None:
            ws_in += _payload_size(params["response"])
            if HYDRATED.search(params["response"].get("payloadData", "")):
                hydrated_at = params["timestamp"]
        elif method == "Network.webSocketFrameSent" and hydrated_at is None:
            ws_out += _payload_size(params["response"])
    if document_sent is None or hydrated_at is None:
        raise RuntimeError("no document request or no hydrated frame among the page's CDP events")
    by_type = {"Document": 0, "Script": 0, "other": 0}
    for request, size in sizes.items():
        kind = types.get(request, "Other")
        by_type[kind if kind in by_type else "other"] += int(size)
    return Load(
        words_ms=times["words"],
        frame_ms=times["frame"],
        paint_ms=check["paint"],
        hydrated_ms=(hydrated_at - document_sent) * 1000,
        ws_in=ws_in,
        ws_out=ws_out,
        html=by_type["Document"],
        js=by_type["Script"],
        other=by_type["other"],
        wrong=check["wrong"],
        deflate=deflate,
    )


async def _words_time(page: Page) -> dict:
    """The in-page times, once the navigated document has them (the measuring is in the page)."""
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        try:  # about:blank has no __bench; a document replaced mid-call is retried
            got = await page.evaluate("window.__bench ? window.__bench.done : null", timeout=LOAD_TIMEOUT_S)
        except CDPError:
            got = None
        if got:
            return got
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the last word did not show within {LOAD_TIMEOUT_S} s")


async def one_load(browser: RecordingBrowser, url: str, init_script: str, check_script: str) -> Load:
    """One load of `url` in a fresh browser context, recorded from before the navigation."""
    page = await browser.new_page(init_script=init_script)
    context = (await browser.call("Target.getTargetInfo", {"targetId": page.target}))["targetInfo"][
        "browserContextId"
    ]
    events = browser.recorded[page.session] = []
    hydrated = browser.hydrated[page.session] = asyncio.Event()
    try:
        await page.call("Network.enable")
        await page.goto(url)
        times = await _words_time(page)
        await asyncio.wait_for(hydrated.wait(), LOAD_TIMEOUT_S)
        await asyncio.sleep(SETTLE_S)
        check = await page.evaluate(check_script)
        return summarize(list(events), times, check)
    finally:
        browser.recorded.pop(page.session, None)
        browser.hydrated.pop(page.session, None)
        await browser.call("Target.disposeBrowserContext", {"browserContextId": context})


async def run_loads(server: AppServer, words: Words, loads: int, warmup: int) -> dict[str, list[Load]]:
    init_script = _fill(
        INIT_SCRIPT, last=json.dumps(words.last), expected=json.dumps(words.expected()[words.last])
    )
    check_script = _fill(CHECK_SCRIPT, expected=json.dumps(words.expected()))
    results: dict[str, list[Load]] = {"static": [], "state": []}
    browser = RecordingBrowser()
    await browser.start()
    try:
        for i in range(warmup + loads):
            order = ["static", "state"] if i % 2 == 0 else ["state", "static"]
            for name in order:
                load = await one_load(browser, f"{server.base_url}/{name}", init_script, check_script)
                if i >= warmup:
                    results[name].append(load)
            if i >= warmup and (i - warmup + 1) % 10 == 0:
                print(f"  ... {i - warmup + 1}/{loads} loads of each", file=sys.stderr, flush=True)
    finally:
        await browser.close()
    return results


# -- report -----------------------------------------------------------------------------------

FIGURES = [
    ("words_ms", "last word in the DOM, ms"),
    ("frame_ms", "first frame after it, ms"),
    ("paint_ms", "last word painted, ms"),
    ("hydrated_ms", "hydrated (is_hydrated), ms"),
    ("ws_in", "websocket in, bytes"),
    ("ws_out", "websocket out, bytes"),
    ("html", "HTML, bytes"),
    ("js", "JS, bytes"),
    ("other", "other HTTP, bytes"),
]


def _stats(loads: list[Load], field: str) -> tuple[float, float]:
    values = [v for load in loads if (v := getattr(load, field)) is not None]
    return percentile(values, 50), percentile(values, 90)


def report(results: dict[str, list[Load]]) -> None:
    a, b = results["static"], results["state"]
    print(f"{'':<28} {'(a) /static':>19} {'(b) /state':>19} {'(b)/(a)':>15}")
    print(f"{'figure':<28} {'p50':>9} {'p90':>9} {'p50':>9} {'p90':>9} {'p50':>7} {'p90':>7}")
    stats = {}
    for field, label in FIGURES:
        (a50, a90), (b50, b90) = _stats(a, field), _stats(b, field)
        stats[field] = (a50, a90, b50, b90)
        digits = 1 if field.endswith("_ms") else 0

        def ratio(x: float, y: float) -> str:
            return f"{y / x:.2f}x" if x else "-"

        print(
            f"{label:<28} {a50:>9.{digits}f} {a90:>9.{digits}f} {b50:>9.{digits}f} {b90:>9.{digits}f} "
            f"{ratio(a50, b50):>7} {ratio(a90, b90):>7}"
        )
    wrong = {name: sum(load.wrong for load in loads) for name, loads in results.items()}
    deflate = any(load.deflate for loads in results.values() for load in loads)
    print(
        f"pieces not showing their word after the load: /static {wrong['static']}, /state {wrong['state']} "
        f"(of {PIECES} per load); websocket permessage-deflate: {'on' if deflate else 'off'} "
        f"(payloads counted {'inflated' if deflate else 'as sent'})"
    )
    a50, _a90, b50, _b90 = stats["words_ms"]
    http_a = stats["html"][0] + stats["js"][0] + stats["other"][0]
    http_b = stats["html"][2] + stats["js"][2] + stats["other"][2]
    paint = stats["paint_ms"]
    print(
        f"meaning: state-held strings (b) put the last word in the DOM {b50 / a50:.2f}x as late as route "
        f"prefixes (a) at p50 ({b50 - a50:+.0f} ms; painted {paint[2] / paint[0]:.2f}x): (a)'s words are "
        f"in the prerendered HTML and show before any script has run, (b)'s wait for the scripts, the "
        f"websocket, the hydrate and the on_load round trip, and bring "
        f"{stats['ws_in'][2] - stats['ws_in'][0]:+.0f} bytes over the websocket on every load; (a) "
        f"costs {http_a - http_b:+.0f} bytes of HTTP per cold load (its HTML and page chunk hold the "
        f"words; cacheable) and a compiled page per language."
    )


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--loads", type=int, default=30, help="timed loads of each page, interleaved")
    parser.add_argument("--warmup", type=int, default=3, help="untimed loads of each page first")
    parser.add_argument(
        "--web-dir",
        default=".web-bench-i18n",
        help="the app's REFLEX_WEB_WORKDIR, under the repository (npm packages kept there)",
    )
    args = parser.parse_args()
    if args.loads < 1 or args.warmup < 0:
        parser.error("--loads must be >= 1 and --warmup >= 0")

    require("bench/i18n_pageload.py", "chromium")
    print(header("bench/i18n_pageload.py"), flush=True)
    started = time.monotonic()
    words = choose_words()
    with tempfile.TemporaryDirectory(prefix="bench-i18n-") as tmp_name:
        tmp = Path(tmp_name)
        write_app(tmp / "app", words)
        server = AppServer(tmp / "app", {}, web_dir=str(ROOT / args.web_dir), log_path=tmp / "server.log")
        with server:
            print(f"server ready in {server.started_in:.0f} s (production build)", flush=True)
            with logs_on_failure(server):
                results = asyncio.run(run_loads(server, words, args.loads, args.warmup))
    text = sum(len(t) for t in words.catalogue["pl"].values())
    print(
        f"{args.loads} loads of each page after {args.warmup} untimed, interleaved, each in a fresh "
        f"browser context (cold cache); {PIECES} pieces, {text} characters of Polish; times from "
        f"navigation start (in-page performance.now(); hydrated on CDP's clock)."
    )
    report(results)
    print(f"total time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
