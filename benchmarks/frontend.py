"""Browser benchmark of the lesson page: the diagram's time to apply an event batch with 200 pods on 20 nodes, and
what a cold load of the playground transfers as `make run` serves it. Last line of output: one JSON object.

The cold load: a throwaway SQLite database and STATIC_ROOT, `collectstatic` and daphne with the `make run`
settings (config.settings.local: fingerprinted, gzipped static files from whitenoise), a learner signed in, the
browser's cache emptied and disabled, then the playground opened until the terminal and the editor are ready and
the network is quiet. `page_kb_transferred` is the sum of every HTTP response's bytes on the wire (Chromium's
`encodedDataLength`: headers and compressed bodies); the WebSocket's frames are not counted.

Usage: .venv/bin/python benchmarks/frontend.py [--batches 120] [--screenshot test-artifacts/diagram.png]
       [--no-cold-load]
Needs Debian's Chromium (/usr/bin/chromium), Redis, and `make frontend-deps` (the vendored libraries).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited early with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listened on port {port} within {timeout} s")


def cold_load(playwright: object) -> dict:
    """Serve the playground as `make run` does and measure one cold load of it (see the module's docstring)."""
    scratch = Path(tempfile.mkdtemp(prefix="podlab-frontend-bench-"))
    prefix = f"bench-frontend-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
           "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}", "STATIC_ROOT": str(scratch / "static"),
           "CHANNEL_PREFIX": prefix, "REDIS_KEY_PREFIX": prefix, "CELERY_QUEUE": prefix, "PYTHONUNBUFFERED": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["collectstatic", "--noinput", "-v0"], ["migrate", "--noinput", "-v0"],
                    ["shell", "-c", "from django.contrib.auth.models import User; "
                                    "User.objects.create_user('bench', password='bench-password-1')"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, server)
        base = f"http://127.0.0.1:{port}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base}/en/accounts/login/?next=/en/playground/")
        page.fill("#id_username", "bench")
        page.fill("#id_password", "bench-password-1")
        with page.expect_navigation():
            page.click("[data-testid=submit]")
        page.goto("about:blank")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        responses: dict[str, dict] = {}
        finished: dict[str, float] = {}
        cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e["response"]))
        cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
        page.goto(f"{base}/en/playground/")
        page.wait_for_selector("body.podlab-ready", timeout=60000)
        page.wait_for_load_state("networkidle")
        time.sleep(1.0)  # late requests (the favicon) land
        rows = [(responses[r]["url"], responses[r].get("status"), responses[r].get("headers", {}), size)
                for r, size in finished.items() if r in responses]
        favicon_status = page.request.get(f"{base}/favicon.ico").status  # headless Chromium asks for none
        if os.environ.get("BENCH_LIST_REQUESTS"):
            for url, status, _headers, size in rows:
                print(f"{size:>9} {status} {url}")
        browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    statics = [row for row in rows if "/static/" in row[0]]
    uncompressed = [row[0] for row in statics if not any(
        k.lower() == "content-encoding" and v in ("gzip", "br") for k, v in row[2].items())
        and not row[0].endswith((".ico", ".svg", ".png"))]
    return {"kb": round(sum(row[3] for row in rows) / 1024, 1), "requests": len(rows),
            "static_not_compressed": uncompressed, "favicon_status": favicon_status,
            "largest": sorted(((round(row[3] / 1024, 1), row[0].split("/static/")[-1]) for row in statics),
                              reverse=True)[:5]}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=120)
    parser.add_argument("--screenshot", default="")
    parser.add_argument("--no-cold-load", action="store_true", help="time the diagram only")
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
            load = None if options.no_cold_load else cold_load(playwright)
        if errors:
            raise SystemExit(f"page errors: {errors}")
    finally:
        server.shutdown()

    times = result["times"]
    print(f"snapshot of {result['pods']} pods on {result['nodes']} nodes: {warm['snapshotMs']:.1f} ms")
    print(f"{len(times)} batches: mean {statistics.mean(times):.2f} ms, max {max(times):.2f} ms; "
          f"pods drawn: {result['podElements']}")
    summary = {
        "pods": result["pods"], "nodes": result["nodes"], "batches": len(times),
        "batch_ms_p50": round(statistics.median(times), 2), "batch_ms_p95": round(percentile(times, 0.95), 2),
        "snapshot_ms": round(warm["snapshotMs"], 1), "assets_kb_gzip_estimate": gzip_kb(page_assets()),
    }
    if load is not None:
        print(f"cold load of the playground: {load['kb']} KB transferred in {load['requests']} requests; "
              f"largest static files (KB): {load['largest']}")
        if load["static_not_compressed"]:
            print(f"served without compression: {load['static_not_compressed']}")
        summary.update(page_kb_transferred=load["kb"], page_requests=load["requests"],
                       static_uncompressed=len(load["static_not_compressed"]), favicon_status=load["favicon_status"])
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
