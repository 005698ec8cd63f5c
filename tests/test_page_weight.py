"""Page weight as served, and the caching that makes a repeat visit download only the HTML.

Budget (issue 7): a first visit to a main page downloads at most 50 KB, compressed as served
(HTML, CSS, JS, images, fonts), of which the HTML at most 15 KB; KB = 1,000 bytes. The pages
are the demo's (``participation.demo.load_demo``), read anonymously in every language and as
a signed-in resident: the centre list, the centre's home, the proposals and activities lists,
and every proposal and activity the lists' first page links to. Bytes are deterministic, so
this is a test; ``bench/page_weight.py`` prints the same figures from a real server.

Also here: what ``participation/assets.py`` promises about compression (fragments, streamed
exports, the switch for operators whose proxy compresses) and cache headers.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import brotli
import pytest
from flask import Flask

from bench.page_weight import AssetLinks  # the bench counts the same URLs
from participation import create_app
from participation.assets import IMMUTABLE
from participation.demo import load_demo
from participation.extensions import db

from .support import Client

KB = 1000
FIRST_VISIT_BUDGET = 50 * KB
HTML_BUDGET = 15 * KB
CENTRE = "paca-40"
LIST_PAGES = ("/", f"/c/{CENTRE}/", f"/c/{CENTRE}/proposals/", f"/c/{CENTRE}/activities/")
DETAIL_LINK = re.compile(rf'href="(/c/{CENTRE}/(?:proposals|activities)/\d+/?)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
LANGUAGES = ("pl", "uk", "en")
RESIDENT = "jan@example.org"
ANIMATOR = "marta@example.org"


@dataclass
class Demo:
    app: Flask
    passwords: dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # SQLite whatever TEST_DATABASE_URL says: the bytes of a page do not depend on the database.
    folder = tmp_path_factory.mktemp("page-weight")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}",
        "SECRET_KEY": "page-weight",
        "PREFERRED_URL_SCHEME": "http",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
    })
    app.instance_path = str(folder)
    app.test_client_class = Client
    with app.app_context():
        db.create_all()
        logins = load_demo()
        db.session.commit()
    yield Demo(app, {login.email: login.password for login in logins})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def visitor(demo: Demo, email: str | None) -> Client:
    client = demo.app.test_client()
    if email:
        response = client.login(email, demo.passwords[email])
        assert response.status_code in (302, 303), "the demo login failed"
    return client


def fetch(client: Client, url: str, encoding: str = "gzip", **headers):
    response = client.get(url, headers={"Accept-Encoding": encoding, **headers})
    assert response.status_code == 200, (url, response.status_code)
    return response


def decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    assert encoding is None, encoding
    return body


def main_pages(client: Client) -> list[str]:
    """The list pages, and every proposal and activity their first page links to."""
    pages = list(LIST_PAGES)
    for url in LIST_PAGES[2:]:
        html = decoded(fetch(client, url)).decode()
        pages += sorted(set(DETAIL_LINK.findall(html)) - set(pages))
    return pages


def assets_of(client: Client, page_url: str, html: str) -> list[str]:
    """Asset URLs of a page, with those its style sheets pull in (fonts, images)."""
    parser = AssetLinks()
    parser.feed(html)
    urls = list(dict.fromkeys(urljoin(page_url, url) for url in parser.urls))
    for url in list(urls):
        if urlsplit(url).path.endswith(".css"):
            css = decoded(fetch(client, url)).decode()
            urls += [urljoin(url, found) for found in CSS_URL.findall(css)
                     if not found.startswith("data:")]
    return list(dict.fromkeys(urls))


def first_visit(client: Client, url: str, language: str | None = None) -> tuple[int, int, list]:
    """(HTML bytes, total bytes, asset URLs) a browser with an empty cache downloads."""
    headers = {"Accept-Language": language} if language else {}
    page = fetch(client, url, **headers)
    html_bytes = len(page.get_data())
    assets = assets_of(client, url, decoded(page).decode())
    total = html_bytes + sum(len(fetch(client, asset).get_data()) for asset in assets)
    return html_bytes, total, assets


@pytest.mark.parametrize("who", [None, RESIDENT], ids=["anonymous", "resident"])
def test_first_visit_within_budget(demo: Demo, who: str | None) -> None:
    client = visitor(demo, who)
    pages = main_pages(client)
    assert len(pages) > len(LIST_PAGES), "the lists link to no proposal or activity"
    over = []
    # The resident's pages come in his own language; anonymous visitors pick any of three.
    for language in LANGUAGES if who is None else (None,):
        for url in pages:
            html_bytes, total, assets = first_visit(client, url, language)
            assert assets, f"{url}: no CSS or JS found; the page or the parser changed"
            if html_bytes > HTML_BUDGET or total > FIRST_VISIT_BUDGET:
                over.append(f"{url} ({language or who}): HTML {html_bytes} B, "
                            f"first visit {total} B")
    assert not over, "over the budget (HTML 15 KB, first visit 50 KB):\n" + "\n".join(over)


def test_repeat_visit_downloads_only_the_html(demo: Demo) -> None:
    client = visitor(demo, RESIDENT)
    assets: set[str] = set()
    for url in main_pages(client):
        page = fetch(client, url)
        assert "no-cache" in page.headers["Cache-Control"], url  # the HTML is asked for again
        assert "private" in page.headers["Cache-Control"], url
        assets.update(assets_of(client, url, decoded(page).decode()))
    for url in sorted(assets):
        response = fetch(client, url)
        version = parse_qs(urlsplit(url).query).get("v")
        assert version, f"{url} is not fingerprinted"
        assert version[0] == hashlib.sha256(decoded(response)).hexdigest()[:12], url
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        assert "Set-Cookie" not in response.headers, url
        assert "cookie" not in response.headers.get("Vary", "").lower(), url


def test_text_is_compressed_as_served(demo: Demo) -> None:
    client = visitor(demo, None)
    page_url = f"/c/{CENTRE}/proposals/"
    plain = client.get(page_url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    page_urls = [page_url] + assets_of(client, page_url, plain.get_data(as_text=True))
    text_urls = [url for url in page_urls if not url.split("?")[0].endswith((".png", ".jpg"))]
    for url in text_urls:
        identity = fetch(client, url, "identity")
        for encoding in ("gzip", "br", "gzip, deflate, br, zstd"):
            response = fetch(client, url, encoding)
            if len(identity.get_data()) < 500:  # too small to be worth it
                assert "Content-Encoding" not in response.headers, url
                continue
            expected = "br" if "br" in encoding else "gzip"
            assert response.headers["Content-Encoding"] == expected, (url, encoding)
            assert response.content_length == len(response.get_data()), url
            assert "accept-encoding" in response.headers["Vary"].lower(), url
            assert len(response.get_data()) < len(identity.get_data()) / 2, url
            if "/static/" in url:  # pages carry a fresh CSRF token each time; assets do not
                assert decoded(response) == identity.get_data(), url
    # A conditional request for the compressed asset gets its 304.
    css = next(url for url in text_urls if ".css" in url)
    etag = fetch(client, css).headers["ETag"]
    again = client.get(css, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304


def test_htmx_fragment_is_compressed(demo: Demo) -> None:
    client = visitor(demo, None)
    response = fetch(client, f"/c/{CENTRE}/proposals/?sort=newest", "gzip",
                     **{"HX-Request": "true", "HX-Target": "proposal-results"})
    fragment = decoded(response).decode()
    assert response.headers["Content-Encoding"] == "gzip"
    assert "<html" not in fragment and 'id="proposal-results"' in fragment
    assert {"hx-request", "accept-encoding"} <= {
        part.strip().lower() for part in response.headers["Vary"].split(",")}


def test_streamed_export_stays_streamed_and_compressed(demo: Demo) -> None:
    client = visitor(demo, ANIMATOR)
    url = f"/c/{CENTRE}/manage/figures/export/events.csv"
    identity = client.get(url, headers={"Accept-Encoding": "identity"})
    assert identity.status_code == 200 and identity.get_data().count(b"\n") > 100
    response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.is_streamed and "Content-Length" not in response.headers
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "private, no-store"  # the view's own choice
    assert decoded(response) == identity.get_data()


def test_unfingerprinted_or_stale_asset_urls_are_cached_briefly(client: Client) -> None:
    for url in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=3600", url
        assert "Expires" not in response.headers
    assert client.get("/static/no-such-file.css").status_code == 404


@pytest.mark.app_config(COMPRESS_RESPONSES=False)
def test_compression_can_be_left_to_the_proxy(client: Client) -> None:
    page = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and len(page.get_data()) > 500
    assert "Content-Encoding" not in page.headers
    assert "accept-encoding" not in page.headers.get("Vary", "").lower()
    assert page.headers["Cache-Control"] == "private, no-cache"
    css = re.search(r'href="(/static/css/[^"]+)"', page.get_data(as_text=True))
    assert css and "?v=" in css.group(1)  # fingerprints do not depend on compression
    asset = client.get(css.group(1).replace("&amp;", "&"), headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in asset.headers
    assert asset.headers["Cache-Control"] == IMMUTABLE
