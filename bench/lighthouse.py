"""Bench: Lighthouse scores of the centre's home, a proposal and an activity, on a real server.

Serves the demo data with gunicorn (``DemoServer`` from ``bench/page_weight.py``), then runs
Lighthouse (npm package, installed into ``bench/node_modules`` when missing) against Debian's
Chromium with Lighthouse's default mobile settings (a mid-range phone, simulated slow 4G and
4x CPU slowdown). Nothing leaves the machine: the pages and their assets come from 127.0.0.1.

Prints the four category scores per page and the goals: performance >= 98, accessibility
100, best practices 100 (SEO is shown, without a goal). Where a page falls short, it lists
the audits that cost points, and for performance the metrics.

    .venv/bin/python bench/lighthouse.py                 # about 1 min
    .venv/bin/python bench/lighthouse.py --keep          # keep the JSON reports and the server log
"""

# ruff: noqa: S603, S607  (the commands are npm and Lighthouse from bench/node_modules)
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from page_weight import CENTRE, DemoServer

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = " ".join([
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
])
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOALS = {"performance": 98, "accessibility": 100, "best-practices": 100}
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index")


def ensure_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    print("Lighthouse is not installed: npm install (bench/package.json) into bench/node_modules")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=HERE, check=True)


def first_link(base: str, listing: str, kind: str) -> str:
    with urllib.request.urlopen(base + listing, timeout=30) as response:  # noqa: S310 (local)
        html = response.read().decode()
    found = re.search(rf'href="(/c/{CENTRE}/{kind}/\d+/?)"', html)
    if not found:
        sys.exit(f"no link to a {kind[:-1]} on {listing}")
    return found.group(1)


def run_lighthouse(url: str, output: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", f"--output-path={output}", "--quiet",
         f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0 or not output.exists():
        sys.exit(f"Lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    return json.loads(output.read_text())


def score(report: dict, category: str) -> int | None:
    value = report["categories"][category]["score"]
    return None if value is None else round(value * 100)


def shortfalls(report: dict, category: str) -> list[str]:
    """The audits that cost the category points, heaviest first."""
    audits = report["audits"]
    lines = []
    refs = sorted(report["categories"][category]["auditRefs"], key=lambda r: -r["weight"])
    for ref in refs:
        audit = audits[ref["id"]]
        if ref["weight"] == 0 or audit["score"] is None or audit["score"] >= 1:
            continue
        shown = audit.get("displayValue") or ""
        lines.append(f"      {ref['id']} (score {audit['score']:.2f}, weight {ref['weight']})"
                     + (f": {shown}" if shown else "") + f" — {audit['title']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the reports and the server log")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"No Chromium at {CHROMIUM}: apt-get install -y chromium (or set CHROME_PATH)")
    ensure_lighthouse()
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True)
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="bench-lighthouse-"))
    print(f"Lighthouse {version.stdout.strip()}, mobile (default settings), "
          f"{chromium.stdout.strip()}; demo data, gunicorn (2 workers) on SQLite")
    all_met = True
    with DemoServer(folder, keep=args.keep) as server:
        pages = {
            "centre home": f"/c/{CENTRE}/",
            "proposal page": first_link(server.base, f"/c/{CENTRE}/proposals/", "proposals"),
            "activity page": first_link(server.base, f"/c/{CENTRE}/activities/", "activities"),
        }
        print(f"\n  {'page':<42}" + "".join(f"{c:>16}" for c in CATEGORIES) + "  goals")
        for name, path in pages.items():
            report = run_lighthouse(server.base + path, folder / f"{name.replace(' ', '-')}.json")
            scores = {category: score(report, category) for category in CATEGORIES}
            missed = [c for c, goal in GOALS.items() if (scores[c] or 0) < goal]
            all_met = all_met and not missed
            print(f"  {name + ' ' + path:<42}" + "".join(
                f"{'—' if s is None else s:>16}" for s in scores.values())
                + ("  met" if not missed else "  NOT met: " + ", ".join(missed)))
            for category in missed:
                print(f"    {category}: audits that cost points")
                print("\n".join(shortfalls(report, category)) or "      (none listed)")
            print("    " + ", ".join(
                f"{m} {report['audits'][m]['displayValue']}" for m in METRICS).replace("\xa0", " "))
    print(f"\nGoals (performance >= 98, accessibility 100, best practices 100): "
          f"{'met' if all_met else 'NOT met'}. ({time.perf_counter() - started:.0f} s"
          + (f"; reports in {folder})" if args.keep else ")"))


if __name__ == "__main__":
    main()
