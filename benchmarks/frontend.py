"""Browser benchmark of the lesson page's diagram: time to apply an event batch with 200 pods on 20 nodes, and
the compressed weight of the page's static assets. Last line of output: one JSON object.

Usage: .venv/bin/python benchmarks/frontend.py [--batches 120] [--screenshot test-artifacts/diagram.png]
Needs Debian's Chromium (/usr/bin/chromium) and `make frontend-deps` (the vendored libraries).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "frontend" / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# The page builds a synthetic cluster (20 nodes, 10 Deployments x 20 pods, 10 Services), applies it as a
# snapshot, then times each batch from store.applyBatch until the frame could paint: the diagram's DOM work
# (deferred to the next animation frame, flushed inside the timing) plus the style recalculation and layout it
# causes (forced inside the timing). Paint and compositing are not counted.
BENCH_PAGE = Path(__file__).with_name("frontend_page.html")


class Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/__bench__.html":
            body = BENCH_PAGE.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def guess_type(self, path: str) -> str:
        return "text/javascript" if str(path).endswith((".js", ".mjs")) else super().guess_type(path)

    def log_message(self, *args: object) -> None:
        pass


def page_assets() -> list[Path]:
    """The static files the lesson page loads: our modules and styles, and the vendored libraries."""
    import sys

    sys.path.insert(0, str(ROOT))
    from frontend.assets import INSTRUCTOR_ONLY, VENDOR_FILES

    ours = sorted((STATIC / "frontend" / "js").rglob("*.js"))
    ours += sorted((STATIC / "frontend" / "css").glob("*.css"))
    vendored = [STATIC / "vendor" / name for name in VENDOR_FILES.values() if name not in INSTRUCTOR_ONLY]
    missing = [str(p) for p in vendored if not p.is_file()]
    if missing:
        raise SystemExit(f"vendored files missing (run `make frontend-deps`): {missing}")
    return ours + vendored


def catalogue_bytes() -> bytes:
    """An estimate of the Russian JavaScript catalogue (/ru/jsi18n/) as the browser receives it."""
    import polib

    po = ROOT / "locale" / "ru" / "LC_MESSAGES" / "djangojs.po"
    entries = {e.msgid: e.msgstr or list(e.msgstr_plural.values()) for e in polib.pofile(str(po))}
    return json.dumps(entries, indent=2).encode() + b"\n" * 4096  # plus Django's fixed ~4 KB of functions


def gzip_kb(paths: list[Path]) -> float:
    total = sum(len(gzip.compress(p.read_bytes(), compresslevel=6)) for p in paths)
    total += len(gzip.compress(catalogue_bytes(), compresslevel=6)) + 4096  # the HTML page itself, generously
    return round(total / 1024, 1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=120)
    parser.add_argument("--screenshot", default="")
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"http://127.0.0.1:{server.server_port}/__bench__.html")
            page.wait_for_function("window.benchReady === true", timeout=30000)
            warm = page.evaluate("n => window.runBench(n)", 10)  # let the JIT settle
            result = page.evaluate("n => window.runBench(n)", options.batches)
            if options.screenshot:
                Path(options.screenshot).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=options.screenshot, full_page=True)
            browser.close()
        if errors:
            raise SystemExit(f"page errors: {errors}")
    finally:
        server.shutdown()

    times = result["times"]
    print(f"snapshot of {result['pods']} pods on {result['nodes']} nodes: {warm['snapshotMs']:.1f} ms")
    print(f"{len(times)} batches: mean {statistics.mean(times):.2f} ms, max {max(times):.2f} ms; "
          f"pods drawn: {result['podElements']}")
    print(json.dumps({
        "pods": result["pods"], "nodes": result["nodes"], "batches": len(times),
        "batch_ms_p50": round(statistics.median(times), 2), "batch_ms_p95": round(percentile(times, 0.95), 2),
        "snapshot_ms": round(warm["snapshotMs"], 1), "page_kb_gzip": gzip_kb(page_assets()),
    }))


if __name__ == "__main__":
    main()
