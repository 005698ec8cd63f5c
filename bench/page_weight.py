"""Bench: what a phone downloads for each main page, compressed as served, on a real server.

Loads the demo data (``participation.demo.load_demo``, the same as ``flask demo``) into a
temporary SQLite file whose schema comes from the migrations, serves it with gunicorn (2 sync
workers) on 127.0.0.1, and fetches each main page as a browser with an empty cache would:
the HTML, then every style sheet, script, icon, image and font it references (and what the
style sheets reference), each with ``Accept-Encoding: gzip, deflate, br, zstd`` as Chromium
sends it. Prints the bytes on the wire per kind, the first-visit total, what a gzip-only
client gets, and what a repeat visit downloads (the HTML, plus any asset that is not served
``immutable``), against the budget: first visit <= 50 KB, HTML <= 15 KB (KB = 1,000 bytes).

Pages: the centre list, Paca 40's home, its proposals and activities lists, and of the
proposals and activities those lists link to, the heaviest (all are checked against the
budget; ``tests/test_page_weight.py`` asserts the same budget in ``make test``). Anonymous,
and signed in as the demo resident Jan.

    .venv/bin/python bench/page_weight.py            # about 15 s
    .venv/bin/python bench/page_weight.py --keep     # keep the temporary folder (db, log)

``bench/lighthouse.py`` uses the same demo server (``DemoServer`` below).
"""

# ruff: noqa: S310, S603  (local URLs only; the command is gunicorn from this venv)
from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KB = 1000
FIRST_VISIT_BUDGET = 50 * KB
HTML_BUDGET = 15 * KB
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
CENTRE = "paca-40"
RESIDENT = "jan@example.org"
DETAIL_LINK = re.compile(rf'href="(/c/{CENTRE}/(?:proposals|activities)/\d+/?)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KINDS = ("html", "css", "js", "img", "font")


# --- The demo server (also used by bench/lighthouse.py) ---------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class DemoServer:
    """The demo data in a temporary SQLite file, served by gunicorn with 2 sync workers."""

    folder: Path
    keep: bool = False
    passwords: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    base: str = ""

    def __enter__(self) -> DemoServer:
        database = f"sqlite:///{self.folder / 'demo.sqlite3'}"
        keys = {"SECRET_KEY": secrets.token_hex(32), "PSEUDONYM_KEY": secrets.token_hex(32)}
        self._load_demo(database, keys)
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {**os.environ, **keys, "DATABASE_URL": database,
               "SESSION_COOKIE_SECURE": "false", "RATELIMIT_ENABLED": "false"}
        log = open(self.folder / "gunicorn.log", "w")  # noqa: SIM115  (lives as long as gunicorn)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--no-control-socket",
             "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "participation:create_app()"],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we stop exactly it
        )
        self._wait_until_up()
        return self

    def _load_demo(self, database: str, keys: dict[str, str]) -> None:
        from flask_migrate import upgrade

        from participation import create_app
        from participation.demo import load_demo
        from participation.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": database, **keys})
        app.instance_path = str(self.folder)  # demo-logins.txt goes here, not into instance/
        with app.app_context(), redirect_stderr(io.StringIO()):  # alembic's INFO lines
            upgrade(directory=str(ROOT / "migrations"))
            logins = load_demo()
            db.session.commit()
            db.engine.dispose()
        self.passwords = {login.email: login.password for login in logins}

    def _wait_until_up(self, limit: float = 30) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("gunicorn stopped:\n" + self.log_tail())
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        sys.exit(f"gunicorn did not answer in {limit:g} s:\n" + self.log_tail())

    def log_tail(self) -> str:
        return (self.folder / "gunicorn.log").read_text()[-3000:]

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


# --- A browser with an empty cache ------------------------------------------------------


class AssetLinks(HTMLParser):
    """The URLs a browser fetches to show the page: styles, scripts, icons, images, fonts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link":
            rel = set((found.get("rel") or "").lower().split())
            if rel & {"stylesheet", "icon", "preload", "modulepreload", "manifest",
                      "apple-touch-icon"} and found.get("href"):
                self.urls.append(found["href"])
        elif tag in ("script", "img", "source", "video", "audio", "input") and found.get("src"):
            self.urls.append(found["src"])
        if found.get("srcset"):
            self.urls.extend(part.split()[0] for part in found["srcset"].split(",") if part.strip())


@dataclass
class Fetched:
    url: str
    wire_bytes: int
    body: bytes
    content_type: str
    cache_control: str


def decode(body: bytes, encoding: str | None) -> bytes:
    if not encoding:
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(body)
    raise ValueError(f"unknown Content-Encoding {encoding}")


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, url: str, encodings: str = BROWSER_ENCODINGS) -> Fetched:
        request = urllib.request.Request(urllib.parse.urljoin(self.base, url),
                                         headers={"Accept-Encoding": encodings})
        with self.opener.open(request, timeout=30) as response:
            wire = response.read()
            return Fetched(url, len(wire), decode(wire, response.headers["Content-Encoding"]),
                           response.headers.get("Content-Type", ""),
                           response.headers.get("Cache-Control", ""))

    def sign_in(self, email: str, password: str) -> None:
        page = self.get("/account/login").body.decode()
        token = CSRF_FIELD.search(page)
        assert token, "no CSRF token on the sign-in page"
        data = urllib.parse.urlencode(
            {"csrf_token": token.group(1), "email": email, "password": password}).encode()
        with self.opener.open(self.base + "/account/login", data=data, timeout=30) as response:
            if "/account/login" in response.url:
                sys.exit(f"signing in as {email} failed")

    def assets(self, page_url: str, html: str) -> list[str]:
        parser = AssetLinks()
        parser.feed(html)
        urls = list(dict.fromkeys(urllib.parse.urljoin(page_url, u) for u in parser.urls))
        for url in list(urls):
            if urllib.parse.urlsplit(url).path.endswith(".css"):
                css = self.get(url).body.decode()
                urls += [urllib.parse.urljoin(url, u) for u in CSS_URL.findall(css)
                         if not u.startswith("data:")]
        return list(dict.fromkeys(urls))


def kind_of(fetched: Fetched) -> str:
    kind = fetched.content_type.split(";")[0].strip()
    if kind == "text/html":
        return "html"
    if kind == "text/css":
        return "css"
    if "javascript" in kind:
        return "js"
    if kind.startswith("font/") or "font" in kind:
        return "font"
    return "img"


@dataclass
class Weight:
    url: str
    by_kind: dict[str, int]
    gzip_total: int
    repeat: int

    @property
    def first(self) -> int:
        return sum(self.by_kind.values())

    @property
    def within_budget(self) -> bool:
        return self.by_kind["html"] <= HTML_BUDGET and self.first <= FIRST_VISIT_BUDGET


def weigh(browser: Browser, url: str) -> Weight:
    by_kind = dict.fromkeys(KINDS, 0)
    page = browser.get(url)
    by_kind["html"] = page.wire_bytes
    gzip_total = browser.get(url, "gzip").wire_bytes
    repeat = page.wire_bytes  # the HTML is always asked for again (no-cache)
    for asset_url in browser.assets(url, page.body.decode()):
        asset = browser.get(asset_url)
        by_kind[kind_of(asset)] += asset.wire_bytes
        gzip_total += browser.get(asset_url, "gzip").wire_bytes
        if "immutable" not in asset.cache_control or "?v=" not in asset_url:
            repeat += asset.wire_bytes  # a repeat visit may download it again
    return Weight(url, by_kind, gzip_total, repeat)


def main_pages(browser: Browser) -> tuple[list[str], list[str]]:
    """The list pages, and the proposal and activity pages their first page links to."""
    lists = ["/", f"/c/{CENTRE}/", f"/c/{CENTRE}/proposals/", f"/c/{CENTRE}/activities/"]
    details: list[str] = []
    for url in lists[2:]:
        html = browser.get(url).body.decode()
        details += [link for link in dict.fromkeys(DETAIL_LINK.findall(html))
                    if link not in details]
    return lists, details


def report(title: str, browser: Browser) -> bool:
    lists, details = main_pages(browser)
    weights = [weigh(browser, url) for url in lists + details]
    shown = weights[: len(lists)]
    for kind in ("proposals", "activities"):
        of_kind = [w for w in weights[len(lists):] if f"/{kind}/" in w.url]
        if of_kind:
            shown.append(max(of_kind, key=lambda w: w.first))
    print(f"\n{title}: bytes on the wire (Accept-Encoding: {BROWSER_ENCODINGS})")
    header = (f"  {'page':<38}" + "".join(f"{k.upper():>8}" for k in KINDS)
              + f"{'FIRST':>8}{'gzip':>8}{'REPEAT':>8}  budget")
    print(header)
    for w in shown:
        label = w.url if w in weights[: len(lists)] else f"{w.url} (heaviest)"
        print(f"  {label:<38}" + "".join(f"{w.by_kind[k]:>8,}" for k in KINDS)
              + f"{w.first:>8,}{w.gzip_total:>8,}{w.repeat:>8,}  "
              + ("ok" if w.within_budget else "OVER"))
    ok = all(w.within_budget for w in weights)
    heaviest = max(weights, key=lambda w: w.first)
    html_max = max(weights, key=lambda w: w.by_kind["html"])
    print(f"  {len(weights)} pages ({len(details)} proposal and activity pages): heaviest first "
          f"visit {heaviest.first:,} B ({heaviest.url}), largest HTML "
          f"{html_max.by_kind['html']:,} B ({html_max.url}); "
          + ("all within budget" if ok else "SOME OVER BUDGET"))
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-page-weight-"))
    started = time.perf_counter()
    print("Page weight: demo data, gunicorn (2 workers) on SQLite; budget: first visit "
          f"<= {FIRST_VISIT_BUDGET // KB} KB, HTML <= {HTML_BUDGET // KB} KB (KB = 1,000 B)")
    with DemoServer(folder, keep=args.keep) as server:
        anonymous_ok = report("Anonymous visitor", Browser(server.base))
        resident = Browser(server.base)
        resident.sign_in(RESIDENT, server.passwords[RESIDENT])
        resident_ok = report(f"Signed in as the resident {RESIDENT}", resident)
    print("\nFIRST: HTML+CSS+JS+images+fonts, as Chromium gets them; gzip: the same for a "
          "gzip-only client; REPEAT: a second visit (assets are fingerprinted and immutable).")
    verdict = "met" if anonymous_ok and resident_ok else "NOT met"
    print(f"Budget {verdict}. ({time.perf_counter() - started:.0f} s"
          + (f"; kept {folder})" if args.keep else ")"))


if __name__ == "__main__":
    main()
