"""bench/run omr [--quick]: the demo campaign's real forms, printed by headless Chromium, filled with seeded synthetic
pen marks, degraded as a scanner and as a phone would, normalized as the browser does and sent through the same
upload route; every column the machine read is compared with the marks drawn.

Prints one line per kind of picture and, last, the whole run:
  omr: pages=N boxes=B silent_errors=E unsure=U unsure_pct=P pages_per_s=X
silent_errors: a column read wrongly and not flagged (must be 0). unsure: columns left to people (stricter than
boxes: one unsure box makes its whole column unsure); unsure_pct over columns. pages_per_s: uploads answered per
second, reading and storing included, two at a time as two tellers would (pages are made beforehand, not timed)."""
import argparse
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import omr_pages as O  # noqa: E402
from browser import Page, make_driver  # noqa: E402
from conftest import Server  # noqa: E402
from test_day_without_traps import browser_login  # noqa: E402
from test_vote_browser import admin_password, api, login  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300, help="pages of each kind (scanner, phone)")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pingyi-omr-")
    server = Server(folder)
    driver = make_driver()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        # Enough sets that no form is over-returned.
        base, detail, rid = O.open_paper_round(api, server, token, lambda i: args.pages)
        groups = detail["raterGroups"]
        api(server, token, "POST", base + f"/rounds/{rid}/seal")
        # The printed pages of every group and form, as Chromium prints them.
        page = Page(driver, server.url)
        browser_login(page, password)
        forms = detail["forms"]
        urls = [(g, f) for g in range(len(groups)) for f in range(len(forms))]
        templates = O.print_svg_pages(driver, server.url, [f"{base}/rounds/{rid}/forms/{g}/{f}/0" for g, f in urls], folder)
        rows = len(detail["reportees"])
        rng = random.Random(args.seed)
        totals = {"pages": 0, "boxes": 0, "silent": 0, "unsure": 0, "columns": 0, "seconds": 0.0}
        for kind, degrade in [("scanner", O.as_scanner), ("phone", O.as_phone)]:
            made = []
            for i in range(args.pages):
                g, f = urls[i % len(urls)]
                image, truth = O.fill_page(templates[i % len(urls)], rows, len(forms[f]["columns"]), rng)
                made.append((truth, O.normalize(degrade(image, rng))))
            session = requests.Session()

            def send(item):
                truth, (w, h, data) = item
                r = O.upload(server.url, token, base + f"/rounds/{rid}/scans", w, h, data, session=session)
                return truth, r

            start = time.time()
            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(send, made))
            seconds = time.time() - start
            silent = unsure = columns = refused = 0
            for truth, r in answers:
                if r.status_code not in (200, 201):
                    refused += 1  # a page not read at all goes to hand keying: never a silent error
                    unsure += len(truth)
                    columns += len(truth)
                    continue
                s, u = O.compare(truth, r.json()["reading"])
                silent += s
                unsure += u
                columns += len(truth)
            line(f"omr {kind}", len(made), columns * 4, silent, unsure, columns, len(made) / seconds, refused)
            totals["pages"] += len(made)
            totals["boxes"] += columns * 4
            totals["silent"] += silent
            totals["unsure"] += unsure
            totals["columns"] += columns
            totals["seconds"] += seconds
        line("omr", totals["pages"], totals["boxes"], totals["silent"], totals["unsure"], totals["columns"],
             totals["pages"] / totals["seconds"], None)
    finally:
        driver.quit()
        server.stop()


def line(label, pages, boxes, silent, unsure, columns, rate, refused):
    extra = f" refused={refused}" if refused is not None else ""
    print(f"{label}: pages={pages} boxes={boxes} silent_errors={silent} unsure={unsure} "
          f"unsure_pct={100 * unsure / max(columns, 1):.2f} pages_per_s={rate:.1f}{extra}", flush=True)


if __name__ == "__main__":
    main()
