"""How fast the gallery draws its first page in real Chromium, against drawing every take at once.

    python bench/gallery_first_page.py --vault PATH [--repeat 3]

Serves the vault with `create_app` (no job workers) and opens the gallery in
Debian's Chromium (Playwright). Measures, from navigation start, the time until
the first take card is in the page and until the first page of cards is drawn
(`?page_size=300`, the default), and the same with `?page_size=1000&row_cap=1000`
(up to 1000 takes, every card, at once: as the gallery drew before it paged): the
reference of the same run. Prints the best of `--repeat` runs of each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.web.conftest import ServerThread, free_port  # noqa: E402

from takevault.vault import Vault  # noqa: E402
from takevault.web import create_app  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def measure(page, url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    page.goto(url)
    page.locator("[data-testid=take-card]").first.wait_for(timeout=120000)
    # Drawn: the cards of this page are in the DOM and the browser has painted a frame after them.
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return time.perf_counter() - t0, page.locator("[data-testid=take-card]").count()


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vault", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with Vault.open(args.vault) as vault:
        total = len(vault.takes())
    app = create_app(args.vault, job_workers=0)
    chromium = os.environ.get("TAKEVAULT_CHROMIUM", "/usr/bin/chromium")
    results: dict[str, tuple[float, int]] = {}
    with ServerThread(app, free_port()) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for name, query in (
            ("first page (page_size=300)", ""),
            ("every take at once (reference)", "?page_size=1000&row_cap=1000"),
        ):
            best = None
            for _ in range(args.repeat):
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                got = measure(context.new_page(), f"{server.url}/{query}")
                context.close()
                best = got if best is None or got[0] < best[0] else best
            results[name] = best  # type: ignore[assignment]
        browser.close()
    print(f"{total} takes, best of {args.repeat}")
    print("| gallery | drawn in s | cards in the page |")
    print("| --- | ---: | ---: |")
    for name, (seconds, cards) in results.items():
        print(f"| {name} | {seconds:.2f} | {cards} |")
    first, ref = results["first page (page_size=300)"][0], results["every take at once (reference)"][0]
    print(f"first page vs everything: {first / ref:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
