"""Bench: throughput and latency of the main pages and clicks under load, against a bare "hello".

Builds a fresh database sized like a busy centre (500 members, 1,000 proposals, 20,000
supports, 3,000 comments, 200 activities with their sign-ups; ``bench/_busy_centre.py``),
serves it with gunicorn (2 sync workers) together with a bare WSGI "hello" on ``/__hello``
(``bench/_wsgi.py``: same server, same workers, the baseline), and drives it with wrk from a
second process, one endpoint after another:

* ``hello``: the baseline, what the server alone manages;
* centre home, proposals list, one proposal page (the most supported one), one activity page
  (anonymous visitors: most of the traffic);
* support toggle: signed-in members (a pool logged in over HTTP first, each with its own
  session cookie and CSRF token) POST support, then withdraw it, on 50 proposals, as htmx does;
* sign-up toggle: the same members join, then cancel, a large open event (capacity 10,000).

For each it prints requests/s, p50/p95/p99 latency, errors (responses other than 2xx/3xx, and
socket errors) and the throughput as a share of the baseline's, then the goals from issue 7:
list pages at least 0.5 of the baseline; support POSTs on PostgreSQL at least 500/s with p99
under 100 ms and no errors. It prints figures; it never fails on them.

SQLite (a file in a temporary folder) unless ``DATABASE_URL`` is set: then PostgreSQL, in that
database, which must be empty (``createdb bench_load``); the schema comes from the migrations
and every table is dropped at the end (``--keep`` keeps them). wrk is installed with apt-get
when missing. Rate limits are off for the bench server; cookies go over plain HTTP.

    .venv/bin/python bench/load.py                  # 20 s per endpoint: about 3 minutes
    .venv/bin/python bench/load.py --seconds 3      # a quick look
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/bench_load \\
        .venv/bin/python bench/load.py
"""

# ruff: noqa: S310, S603, S607  (local URLs; commands are wrk, apt-get and gunicorn, no input)

from __future__ import annotations

import argparse
import http.cookiejar
import io
import json
import os
import platform
import re
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import flask_migrate  # noqa: E402
from _busy_centre import PASSWORD, load_busy_centre  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import func, inspect, select, text  # noqa: E402

from participation import create_app  # noqa: E402
from participation.config import normalise_database_url  # noqa: E402
from participation.extensions import db  # noqa: E402
from participation.models import ParticipationEvent  # noqa: E402

SECRET_KEY = "bench-load-secret-key-not-for-production"  # noqa: S105
PSEUDONYM_KEY = "bench-load-pseudonym-key"
USER_AGENT = "participation-load-bench"
LIST_GOAL = 0.5  # list pages: at least half the baseline's throughput
SUPPORT_GOAL_RPS, SUPPORT_GOAL_P99_MS = 500, 100  # on PostgreSQL, with no errors
# Every wrk script ends with this: one JSON line with what the summary table needs
# (wrk's own --latency print-out has no p95). Latencies are in microseconds.
DONE_LUA = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %.0f, "p95": %.0f, "p99": %.0f, ' ..
    '"max": %.0f, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Member:
    """A signed-in member as wrk presents them: the session cookie and its CSRF token."""

    cookie: str
    csrf: str


@dataclass
class Endpoint:
    name: str
    path: str
    script: str  # the wrk Lua script
    kind: str  # "baseline", "flask", "list", "page" or "post"
    intents: tuple[str, str] = ("", "")  # POSTs: the two states a toggle alternates


@dataclass
class Result:
    endpoint: Endpoint
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    error_detail: str
    changes: int | None = None  # state changes the database recorded (POSTs)
    statements: float | None = None  # SQL statements per request

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- wrk ------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """wrk's path; installed with apt-get first when missing (the bench's first step)."""
    found = shutil.which("wrk")
    if found:
        return found
    if not shutil.which("apt-get") or os.geteuid() != 0:
        sys.exit("wrk is missing: install it (apt-get install wrk) and run the bench again.")
    print("wrk is missing: apt-get install -y wrk")
    command = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(command, stdout=subprocess.DEVNULL, check=False).returncode != 0:
        print("apt-get update, then again")
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=False)
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed.")
    return found


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def get_script() -> str:
    """A GET as a phone's browser sends it; without request() wrk keeps its fast path."""
    return (f'wrk.headers["User-Agent"] = {lua_string(USER_AGENT)}\n'
            'wrk.headers["Accept"] = "text/html"\n'
            'wrk.headers["Accept-Encoding"] = "gzip, deflate, br"\n' + DONE_LUA)


def toggle_script(members: list[Member], paths: list[str], intents: tuple[str, str],
                  threads: int) -> str:
    """POSTs rotating through the members, each member alternating the two intents.

    wrk thread ``t`` takes every ``threads``-th member, so no member has two requests in flight
    (a member's next request comes a whole round of the thread's members later). Member ``m``'s
    round ``r`` goes to path ``(r // 2 + m) % len(paths)``: join (or support) it, then leave it.
    """
    rows = ",\n".join(f"  {{cookie = {lua_string(m.cookie)}, csrf = {lua_string(m.csrf)}}}"
                      for m in members)
    targets = ", ".join(lua_string(path) for path in paths)
    return f"""
local members = {{
{rows}
}}
local paths = {{ {targets} }}
local intents = {{ {lua_string(intents[0])}, {lua_string(intents[1])} }}
local threads = {threads}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  mine = {{}}
  for i = 1, #members do
    if (i - 1) % threads == id then table.insert(mine, members[i]) end
  end
  counter = 0
end

function request()
  local m = counter % #mine
  local round = math.floor(counter / #mine)
  counter = counter + 1
  local member = mine[m + 1]
  local path = paths[((math.floor(round / 2) + m) % #paths) + 1]
  local body = "csrf_token=" .. member.csrf .. "&intent=" .. intents[(round % 2) + 1]
  return wrk.format("POST", path, {{
    ["Cookie"] = member.cookie, ["X-CSRFToken"] = member.csrf, ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = "{USER_AGENT}",
    ["Accept-Encoding"] = "gzip, deflate, br"}}, body)
end
""" + DONE_LUA


def run_wrk(wrk: str, base: str, endpoint: Endpoint, seconds: float, threads: int,
            connections: int, folder: Path) -> dict:
    script = folder / f"{endpoint.name.replace(' ', '_')}.lua"
    script.write_text(endpoint.script)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(seconds, 1):g}s",
               "--timeout", "5s", "--latency", "-s", str(script), base + endpoint.path]
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((line for line in output.stdout.splitlines() if line.startswith("BENCH ")),
                None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary for {endpoint.name}:\n{output.stdout}"
                           f"{output.stderr}")
    return json.loads(line[len("BENCH "):])


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """gunicorn, 2 sync workers, in a session of its own (so we stop exactly it)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
           "PSEUDONYM_KEY": PSEUDONYM_KEY, "RATELIMIT_ENABLED": "false",
           "SESSION_COOKIE_SECURE": "false", "FLASK_DEBUG": "0"}
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--no-control-socket",
               "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
               "--pythonpath", str(BENCH_DIR), "--error-logfile", str(log), "_wsgi:app"]
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_until_up(base: str, server: subprocess.Popen, log: Path, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/__hello", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"gunicorn did not answer in {limit:g} s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's own process group (master and workers), SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


# --- Signing members in ---------------------------------------------------------------------

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 3xx becomes an HTTPError we can read
        return None


def sign_in(base: str, email: str, page: str) -> Member:
    """Log in over HTTP like a browser; return the session cookie and the CSRF token of a page
    read after signing in (the session starts afresh at sign-in)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(base + "/account/login") as response:
        token = TOKEN.search(response.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    with opener.open(base + "/account/login", form.encode()) as response:
        if "/account/login" in response.url:
            raise RuntimeError(f"could not sign in as {email}")
    with opener.open(base + page) as response:
        token = TOKEN.search(response.read().decode()).group(1)
    cookie = "; ".join(f"{item.name}={item.value}" for item in jar)
    return Member(cookie=cookie, csrf=token)


def post_once(base: str, path: str, member: Member, intent: str) -> tuple[int, str]:
    """One POST as wrk sends it, without following a redirect: (status, body)."""
    request = urllib.request.Request(
        base + path, data=urllib.parse.urlencode({"csrf_token": member.csrf,
                                                  "intent": intent}).encode(),
        headers={"Cookie": member.cookie, "X-CSRFToken": member.csrf, "HX-Request": "true",
                 "User-Agent": USER_AGENT})
    opener = urllib.request.build_opener(NoRedirect())
    try:
        with opener.open(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def get_status(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- The database ---------------------------------------------------------------------------


def bench_app(url: str):
    """The bench's own app object (loading, counting, dropping); refuses a database with tables."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY,
                      "PSEUDONYM_KEY": PSEUDONYM_KEY, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "PREFERRED_URL_SCHEME": "http"})  # the test client's scheme
    with app.app_context():
        if inspect(db.engine).get_table_names():
            sys.exit(f"{db.engine.url.render_as_string(hide_password=True)} already has tables. "
                     "The load bench needs an empty database of its own: createdb bench_load, "
                     "and point DATABASE_URL at it.")
    return app


def prepare_database(app, args: argparse.Namespace):
    """Schema from the migrations, the busy centre loaded in bulk, statistics up to date."""
    with app.app_context():
        started = time.perf_counter()
        with redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            flask_migrate.upgrade()
        schema = time.perf_counter() - started
        started = time.perf_counter()
        centre = load_busy_centre(members=args.members, proposals=args.proposals,
                                  supports=args.supports, activities=args.activities)
        loaded = time.perf_counter() - started
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    print(f"schema from the migrations in {schema:.1f} s; loaded in {loaded:.1f} s: "
          + ", ".join(f"{count:,} {what}" for what, count in centre.counts.items()))
    return centre


def event_count(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(ParticipationEvent))
        finally:
            db.session.remove()


def count_statements(app, endpoints: list[Endpoint], member: Member) -> dict[str, float]:
    """SQL statements one request of each endpoint runs (in the bench's own process, through
    Flask's test client; POSTs as a signed-in member, each intent once, averaged)."""
    counted: dict[str, float] = {}
    seen = 0

    def tally(*_args) -> None:
        nonlocal seen
        seen += 1

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", tally)
    try:
        client = app.test_client(use_cookies=False)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate, br"}
        for endpoint in endpoints:
            if endpoint.kind in ("baseline", "flask"):
                continue
            if endpoint.kind != "post":
                seen = 0
                if client.get(endpoint.path, headers=headers).status_code != 200:
                    sys.exit(f"{endpoint.name}: GET {endpoint.path} in the test client failed")
                counted[endpoint.name] = seen
                continue
            intents = endpoint.intents
            seen = 0
            for intent in intents:  # there and back: the state is as it was
                response = client.post(
                    endpoint.path, data={"csrf_token": member.csrf, "intent": intent},
                    headers={**headers, "Cookie": member.cookie, "HX-Request": "true",
                             "X-CSRFToken": member.csrf})
                if response.status_code >= 400:
                    sys.exit(f"{endpoint.name}: POST intent={intent} in the test client answered "
                             f"{response.status_code}")
            counted[endpoint.name] = seen / 2
    finally:
        sa_event.remove(engine, "before_cursor_execute", tally)
    return counted


def drop_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


# --- The report -----------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    baseline = next(r.rate for r in results if r.endpoint.kind == "baseline")
    flask = next(r.rate for r in results if r.endpoint.kind == "flask")
    print(f"\n| {'endpoint':<16} | {'req/s':>7} | {'p50 ms':>6} | {'p95 ms':>6} | {'p99 ms':>6} "
          f"| {'errors':>6} | {'× hello':>7} | {'× Flask hello':>13} | {'SQL':>4} |")
    print(f"|{'-' * 18}|{'-' * 8}:|{'-' * 7}:|{'-' * 7}:|{'-' * 7}:|{'-' * 7}:|{'-' * 8}:"
          f"|{'-' * 14}:|{'-' * 5}:|")
    for r in results:
        sql = "" if r.statements is None else f"{r.statements:g}"
        print(f"| {r.endpoint.name:<16} | {r.rate:>7,.0f} | {r.p50:>6.1f} | {r.p95:>6.1f} "
              f"| {r.p99:>6.1f} | {r.errors:>6,} | {r.rate / baseline:>7.2f} "
              f"| {r.rate / flask:>13.2f} | {sql:>4} |")
    print("  × hello: share of the bare WSGI hello's throughput (the baseline); × Flask hello: "
          "of an empty Flask app's;\n  SQL: statements per request (POSTs: the mean of the two "
          "intents)")
    for r in results:
        if r.error_detail:
            print(f"  {r.endpoint.name}: {r.error_detail}")
        if r.changes is not None:
            print(f"  {r.endpoint.name}: {r.requests:,} requests, {r.changes:,} changes in the "
                  "participation log (a toggle that finds its state already there, from the "
                  "loaded data or the warm-up, changes nothing)")


def print_goals(results: list[Result], postgres: bool) -> None:
    by_name = {r.endpoint.name: r for r in results}
    baseline, flask = by_name["hello"].rate, by_name["hello (Flask)"].rate
    print("\ngoals (issue 7):")
    for r in results:
        if r.endpoint.kind == "list":
            share = r.rate / baseline
            verdict = "met" if share >= LIST_GOAL else "NOT met"
            print(f"  {r.endpoint.name} ≥ {LIST_GOAL} × hello: {share:.2f} → {verdict} "
                  f"({r.rate / flask:.2f} × an empty Flask app)")
    support = by_name["support toggle"]
    figures = (f"{support.rate:,.0f}/s, p99 {support.p99:.0f} ms, {support.errors} errors")
    if postgres:
        met = (support.rate >= SUPPORT_GOAL_RPS and support.p99 < SUPPORT_GOAL_P99_MS
               and support.errors == 0)
        print(f"  support POSTs on PostgreSQL ≥ {SUPPORT_GOAL_RPS}/s, p99 < "
              f"{SUPPORT_GOAL_P99_MS} ms, 0 errors: {figures} → {'met' if met else 'NOT met'}")
    else:
        print(f"  support POSTs: the goal ({SUPPORT_GOAL_RPS}/s, p99 < {SUPPORT_GOAL_P99_MS} ms, "
              f"0 errors) is for PostgreSQL; on SQLite: {figures} (set DATABASE_URL to measure it)")


# --- Main -----------------------------------------------------------------------------------


def bench(args: argparse.Namespace, wrk: str, url: str, folder: Path) -> None:
    postgres = not url.startswith("sqlite")
    app = bench_app(url)
    server = None
    try:
        centre = prepare_database(app, args)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = folder / "gunicorn.log"
        server = start_server(url, port, log)
        wait_until_up(base, server, log)
        slug = centre.slug
        proposal_page = f"/c/{slug}/proposals/{centre.proposal_id}"
        activity_page = f"/c/{slug}/activities/{centre.activity_id}"
        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            members = list(pool.map(lambda email: sign_in(base, email, f"/c/{slug}/"),
                                    centre.member_emails[:args.pool]))
        print(f"{len(members)} members signed in over HTTP in "
              f"{time.perf_counter() - started:.1f} s")
        support_paths = [f"/c/{slug}/proposals/{pid}/support" for pid in centre.support_targets]
        signup_paths = [f"/c/{slug}/activities/{centre.signup_activity_id}/signup"]
        get = get_script()
        endpoints = [
            Endpoint("hello", "/__hello", get, "baseline"),
            Endpoint("hello (Flask)", "/__hello_flask", get, "flask"),
            Endpoint("centre home", f"/c/{slug}/", get, "list"),
            Endpoint("proposals list", f"/c/{slug}/proposals/", get, "list"),
            Endpoint("proposal page", proposal_page, get, "page"),
            Endpoint("activity page", activity_page, get, "page"),
            Endpoint("support toggle", support_paths[0],
                     toggle_script(members, support_paths, ("support", "withdraw"),
                                   args.threads), "post", ("support", "withdraw")),
            Endpoint("sign-up toggle", signup_paths[0],
                     toggle_script(members, signup_paths, ("join", "cancel"), args.threads),
                     "post", ("join", "cancel")),
        ]
        check_endpoints(base, endpoints, members[0], support_paths[0], signup_paths[0])
        statements = count_statements(app, endpoints, members[0])
        print(f"wrk: {args.threads} threads, {args.connections} connections, {args.seconds:g} s "
              f"per endpoint after a {args.warmup:g} s warm-up; gunicorn: 2 sync workers")
        results = []
        for endpoint in endpoints:
            if args.warmup > 0:
                run_wrk(wrk, base, endpoint, args.warmup, args.threads, args.connections,
                        folder)
            before = event_count(app) if endpoint.kind == "post" else None
            raw = run_wrk(wrk, base, endpoint, args.seconds, args.threads, args.connections,
                          folder)
            socket_errors = {key: raw[key] for key in ("connect", "read", "write", "timeout")
                             if raw[key]}
            detail = ", ".join([f"{raw['status']:,} responses not 2xx/3xx"] * bool(raw["status"])
                               + [f"{count:,} socket {key} errors"
                                  for key, count in socket_errors.items()])
            result = Result(endpoint, raw["requests"], raw["duration_us"] / 1e6,
                            raw["p50"] / 1000, raw["p95"] / 1000, raw["p99"] / 1000,
                            raw["status"] + sum(socket_errors.values()), detail)
            if before is not None:
                result.changes = event_count(app) - before
            result.statements = statements.get(endpoint.name)
            results.append(result)
            print(f"  {endpoint.name}: {result.rate:,.0f} req/s, p99 {result.p99:.1f} ms, "
                  f"{result.errors} errors")
        print_table(results)
        print(f"  load average now {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} "
              "(5 min): above about 2.5, something else shared the cores; compare ratios")
        print_goals(results, postgres)
    finally:
        if server is not None:
            stop_server(server)
        if postgres and not args.keep:
            drop_tables(app)
        elif not postgres:
            with app.app_context():
                db.engine.dispose()


def check_endpoints(base: str, endpoints: list[Endpoint], member: Member, support_path: str,
                    signup_path: str) -> None:
    """Before measuring: every page answers 200, and the members' POSTs really act (a 302 to
    the sign-in page would count as a success in wrk's eyes)."""
    for endpoint in endpoints:
        if endpoint.kind != "post" and (status := get_status(base, endpoint.path)) != 200:
            sys.exit(f"{endpoint.name} ({endpoint.path}) answered {status}, not 200")
    for path, intents in ((support_path, ("support", "withdraw")),
                          (signup_path, ("join", "cancel"))):
        for intent, offered_next in (intents, intents[::-1]):
            status, body = post_once(base, path, member, intent)
            if status != 200 or f'name="intent" value="{offered_next}"' not in body:
                sys.exit(f"POST {path} intent={intent} as a signed-in member answered {status}, "
                         f"not 200 with the fragment that offers {offered_next!r} next")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="PostgreSQL: set DATABASE_URL to an empty database of its own; its tables are "
               "dropped at the end unless --keep.")
    parser.add_argument("--seconds", type=float, default=20, help="per endpoint (default 20)")
    parser.add_argument("--warmup", type=float, default=2,
                        help="unmeasured seconds before each endpoint (default 2; 0: none)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=10,
                        help="wrk connections, all threads together (default 10)")
    parser.add_argument("--pool", type=int, default=100,
                        help="signed-in members the POSTs rotate through (default 100)")
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--proposals", type=int, default=1000)
    parser.add_argument("--supports", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--sqlite", action="store_true",
                        help="use SQLite even when DATABASE_URL is set")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database (the SQLite file, or the PostgreSQL tables)")
    args = parser.parse_args()
    if args.pool > args.members or args.pool < args.threads * 3:
        parser.error("--pool must be at most --members and at least 3 × --threads")
    sys.stdout.reconfigure(line_buffering=True)  # progress shows under make, too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it

    wrk = ensure_wrk()
    version = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    folder = Path(tempfile.mkdtemp(prefix="participation-load-"))
    url = os.environ.get("DATABASE_URL", "")
    url = normalise_database_url(url) if url and not args.sqlite else (
        f"sqlite:///{folder / 'load.sqlite3'}")
    name = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"== load bench on {name}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{(version.stdout or version.stderr).split(' [')[0].strip()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    try:
        bench(args, wrk, url, folder)
        options = " ".join(f"--{key} {getattr(args, key):g}" for key in ("seconds", "warmup")
                           if getattr(args, key) != parser.get_default(key))
        print(f"repeat: {'DATABASE_URL=… ' if name == 'PostgreSQL' else ''}"
              f".venv/bin/python bench/load.py {options}".rstrip())
    except KeyboardInterrupt:
        print("\ninterrupted: server stopped, temporary files removed")
    finally:
        if args.keep and name == "SQLite":
            print(f"kept: {folder / 'load.sqlite3'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
