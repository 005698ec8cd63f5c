"""Security headers on every response, safe flags on every cookie, 413 for every oversized POST.

The URLs come from the URL map (test_security_matrix.urls_by_route), so a new endpoint is
covered without anyone adding it here.
"""

from __future__ import annotations

import pytest
from flask import Flask

from .test_security_matrix import (
    _signed_in_client,
    all_rows,
    build_scene,
    urls_by_route,
)


@pytest.fixture
def ids(app, scene, world, make_user, make_member) -> dict:
    """Centre A with one of everything an URL can name (test_security_matrix.build_scene)."""
    return build_scene(app, scene, world, make_user, make_member)

# The people whose pages differ most: nobody, and the one who may see every page.
VISITORS = ("anonymous", "admin")
LIMIT = 2048  # a small MAX_CONTENT_LENGTH, so an oversized body is quick to build


def check_security_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("script-src") == ["'self'"], where  # no inline, no eval, no hosts
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") == ["'none'"], where
    assert directives.get("default-src") == ["'self'"], where
    assert not any("unsafe" in value for values in directives.values() for value in values), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    assert "HX-Request" in headers.get("Vary", ""), where


def check_cookies(response, where: str, *, secure: bool) -> int:
    cookies = [cookie for cookie in response.headers.getlist("Set-Cookie")
               if "max-age=0" not in cookie.lower()]  # clearing a cookie carries nothing
    for cookie in cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert "httponly" in attributes, (where, cookie)
        assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower(), (
            where, cookie)
        assert ("secure" in attributes) is secure, (where, cookie)
    return len(cookies)


def walk(app: Flask, world, ids: dict, role: str, *, secure: bool) -> tuple[int, int]:
    """GET every page of the URL map as this person; then the POSTs that set cookies."""
    client, _token = _signed_in_client(app, world, role)
    urls = urls_by_route(app, ids)
    responses = 0
    cookies = 0
    for (endpoint, method), url in sorted(urls.items()):
        if method != "GET":
            continue
        response = client.get(url)
        response.get_data()
        where = f"{role} GET {endpoint} {url} → {response.status_code}"
        check_security_headers(response, where)
        cookies += check_cookies(response, where, secure=secure)
        responses += 1
    # The answers that set cookies: signing in (session, "remember me"), choosing a language,
    # opening a kiosk on this browser (signed in as the admin).
    fresh = app.test_client()
    sets_cookies = [
        fresh.post("/account/login", data={"email": world["admin"].email,
                                           "password": "spokojny-grochow-2026",
                                           "remember": "y"}),
        fresh.post("/language", data={"locale": "uk", "next": "/"}),
        fresh.post("/c/centre-a/manage/kiosk/", data={"subject": f"activity-{ids['up']}"}),
        fresh.post("/account/logout"),
    ]
    for response in sets_cookies:
        where = f"{role} POST {response.request.path} → {response.status_code}"
        assert response.status_code < 500, where
        check_security_headers(response, where)
        cookies += check_cookies(response, where, secure=secure)
        responses += 1
    return responses, cookies


@pytest.mark.parametrize("role", VISITORS)
def test_every_response_carries_the_security_headers_and_safe_cookies(app, world,
                                                                     ids, role):
    responses, cookies = walk(app, world, ids, role, secure=False)
    assert responses >= 60 and cookies >= 3  # not vacuous: pages were read, cookies were set


@pytest.mark.app_config(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
def test_with_secure_cookies_on_every_cookie_is_secure(app, world, ids):
    """Also behind a proxy that ends TLS and is not declared (PROXY_FIX_X_FOR=0): the app
    sees plain http, yet no cookie of a site configured as secure may go out without Secure."""
    responses, cookies = walk(app, world, ids, "admin", secure=True)
    assert responses >= 60 and cookies >= 3


@pytest.mark.app_config(MAX_CONTENT_LENGTH=LIMIT)
@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_post_over_the_size_limit_gets_413_and_writes_nothing(app, world, ids,
                                                                    role):
    client, token = _signed_in_client(app, world, role)
    urls = urls_by_route(app, ids)
    posts = sorted((route, url) for route, url in urls.items() if route[1] != "GET")
    assert len(posts) >= 50
    before = all_rows(app)
    wrong = []
    for (endpoint, method), url in posts:
        response = client.open(url, method=method,
                               data={"csrf_token": token, "name": "ż" * LIMIT})
        if response.status_code != 413:
            wrong.append((endpoint, response.status_code))
        check_security_headers(response, f"{role} {endpoint} 413")
    assert wrong == []
    assert all_rows(app) == before
