"""bench/run omr [--quick]: the demo campaign's real forms, printed by headless Chromium, filled with seeded synthetic
pen marks, degraded as a scanner and as a phone would, normalized as the browser does and sent through the same
upload route; every column the server read is compared with the marks drawn. The server is the only reader here.

Seven sets of pages, all uploaded to one sealed paper round of this bench's own server:
  tuning      e2e/omr_pages.py (fill_page, as_scanner, as_phone): the generator the reader's thresholds were tuned on.
  held-out    bench/omr_heldout.py: an independent generator (its own box finding, pens, marks, stains and captures),
              never used for tuning; its seeds (default 5000) are disjoint from the one sample looked at (1001).
  held-out-2  bench/omr_heldout2.py: a second independent generator, written without reading the reader, the tuning
              generator or the first held-out generator's marks and captures (it shares only their plumbing: printed
              templates, box finding, upload format); never used for tuning; seeds default 7000.
  held-out-3  bench/omr_heldout3.py: a third independent generator, written the same way (without reading the reader,
              the tuning generator or the other held-out generators' marks and captures); the judge of thresholds
              tuned on the others; seeds default 9000. Since issue 21's third round the reader has been tuned on its
              other seeds (9001), so it is a development set now.
  held-out-4  bench/omr_heldout4.py: a fourth, written by a helper from the printed forms and the outside test's
              samples only, the same way; seeds default 12000 (the reader's page-code search was tuned on its seed
              12001's phone photos, so it is a development set for that).
  held-out-5  bench/omr_heldout5.py: a fifth, written by another helper the same way, favouring what makes a reader
              wrong with certainty (choices struck out or scribbled over, alone or beside another; hesitant dashes;
              very light pencil); the judge from issue 21's fourth round to its sixth; seeds default 14000 (its figures per
              kind of mark were looked at four times, so it is a development set now).
  held-out-6  bench/omr_heldout6.py: a sixth, written by a helper from the printed forms and the outside test's samples
              only (it read none of the reader and none of the other generators' marks): voters with habits (a pen and
              a habitual mark each, some mixing two), the hard cases, paper accidents, scanner and phone captures; the
              judge since issue 21's seventh round; seeds default 16000 (its author looked at 15000 only).

Prints, per set and capture kind:
  omr <set> <kind>: pages=N columns=C silent_errors=E unsure_pct=P unsure_decidable_pct=D refused_pct=R pages_per_s=X
then, for each held-out set, one line per kind of mark (its markKinds, scanner and phone pages together):
  omr <set> mark <kind>: columns=C silent_errors=E unsure_pct=P truth=<symbol:count,…>
and a summary line:
  omr <set>: silent_errors=E unsure_pct(scanner)=P unsure_pct(phone)=P refused_pct=R pages_per_s=X
and the size of what the server keeps of each page:
  omr stored images: pages=N image_kb_per_page=K image_kb_max=M

A column is a silent error when the machine's symbol is not '?' and differs from the truth (so a '?' truth the
machine decided is a silent error, and an 'X' truth read as a grade is one). unsure: the machine's '?' (columns left
to people); unsure_pct over columns; unsure_decidable_pct over the columns a person reads without hesitating (truth
not '?': a '?' truth can only be left to people, so those columns are a floor under unsure_pct, 4-8 % of a set). A refused page (an answer other than 2xx) counts all its columns as unsure and
the page as refused; refused_pct over pages. pages_per_s: uploads answered per second, reading and storing included,
two at a time as two tellers would (pages are made beforehand, not timed)."""
import argparse
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
sys.path.insert(0, HERE)

import omr_heldout as H  # noqa: E402
import omr_heldout2 as H2  # noqa: E402
import omr_heldout3 as H3  # noqa: E402
import omr_heldout4 as H4  # noqa: E402
import omr_heldout5 as H5  # noqa: E402
import omr_heldout6 as H6  # noqa: E402
import omr_pages as O  # noqa: E402
from browser import Page, make_driver  # noqa: E402
from conftest import Server  # noqa: E402
from test_day_without_traps import browser_login  # noqa: E402
from test_vote_browser import admin_password, api, login  # noqa: E402

KINDS = ("scanner", "phone")
HELD_OUT = ("held-out", "held-out-2", "held-out-3", "held-out-4", "held-out-5", "held-out-6")

# The tuning generator's printed pages, set before the worker processes fork.
_TUNING = {}


def tuning_page(job):
    """One page of the tuning set: its own seeded generator, so the set is the same with any number of workers."""
    seed, kind, i = job
    t = _TUNING
    k = i % len(t["templates"])
    rng = random.Random(f"omr-tuning-{seed}-{kind}-{i}")
    image, truth = O.fill_page(t["templates"][k], t["rows"], t["columns"][k], rng)
    degrade = O.as_scanner if kind == "scanner" else O.as_phone
    return {"truth": truth, "markKinds": None, "upload": O.normalize(degrade(image, rng))}


def tuning_pages(n, seed, kind, workers):
    jobs = [(seed, kind, i) for i in range(n)]
    if workers <= 1:
        return [tuning_page(j) for j in jobs]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(tuning_page, jobs, chunksize=2)


def heldout_pages(folder, n, seed, kind, workers):
    pages = H.make_pages(folder, n, seed, kind, workers=workers)
    return [{"truth": p["truth"], "markKinds": p["markKinds"], "upload": H.as_upload(p.pop("jpeg"))} for p in pages]


def both_kinds_pages(generator, folder, n, seed, workers):
    """Both capture kinds of a held-out set whose generator draws each ballot once (make_pages(..., "both")):
    {kind: pages}."""
    pages = generator.make_pages(folder, n, seed, "both", workers=workers)
    pages = [{"truth": p["truth"], "markKinds": p["markKinds"], "kind": p["kind"],
              "upload": generator.as_upload(p.pop("jpeg"))} for p in pages]
    return {kind: [p for p in pages if p["kind"] == kind] for kind in KINDS}


def heldout2_pages(folder, n, seed, workers):
    """Both capture kinds of the second held-out set, each ballot drawn once: {kind: pages}."""
    return both_kinds_pages(H2, folder, n, seed, workers)


def heldout3_pages(folder, n, seed, workers):
    """Both capture kinds of the third held-out set, each ballot drawn once: {kind: pages}."""
    return both_kinds_pages(H3, folder, n, seed, workers)


def heldout4_pages(folder, n, seed, workers):
    """Both capture kinds of the fourth held-out set, each ballot drawn once: {kind: pages}."""
    return both_kinds_pages(H4, folder, n, seed, workers)


def heldout5_pages(folder, n, seed, workers):
    """Both capture kinds of the fifth held-out set, each ballot drawn once: {kind: pages}."""
    return both_kinds_pages(H5, folder, n, seed, workers)


def heldout6_pages(folder, n, seed, workers):
    """Both capture kinds of the sixth held-out set (the judge), each ballot drawn once: {kind: pages}."""
    return both_kinds_pages(H6, folder, n, seed, workers)


def send_all(server, token, path, pages):
    """Uploads every page, two at a time; returns (answers in page order, seconds)."""
    session = requests.Session()

    def send(page):
        w, h, data = page["upload"]
        return O.upload(server.url, token, path, w, h, data, session=session)

    start = time.time()
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(send, pages))
    return answers, time.time() - start


def score(pages, answers):
    """Per-page and per-column outcome: a dict of totals plus (markKind, truth, outcome) per column."""
    totals = {"pages": len(pages), "columns": 0, "silent": 0, "unsure": 0, "refused": 0, "decidable": 0,
              "unsure_decidable": 0}
    per_column = []
    for page, r in zip(pages, answers):
        truth = page["truth"]
        kinds = page["markKinds"] or ["-"] * len(truth)
        totals["columns"] += len(truth)
        decidable = sum(t != "?" for t in truth)
        totals["decidable"] += decidable
        if not 200 <= r.status_code < 300:
            totals["refused"] += 1
            totals["unsure"] += len(truth)
            totals["unsure_decidable"] += decidable
            per_column += [(k, t, "unsure") for k, t in zip(kinds, truth)]
            print(f"  refused: {r.status_code} {r.text[:200]}", file=sys.stderr)
            continue
        reading = r.json()["reading"]
        if len(reading) != len(truth):
            print(f"  reading has {len(reading)} columns, truth {len(truth)}", file=sys.stderr)
        reading = reading.ljust(len(truth), "?")  # a column the server did not give counts as left to people
        for k, t, m in zip(kinds, truth, reading):
            outcome = "unsure" if m == "?" else "right" if m == t else "silent"
            if outcome == "unsure":
                totals["unsure"] += 1
                totals["unsure_decidable"] += t != "?"
            elif outcome == "silent":
                totals["silent"] += 1
            per_column.append((k, t, outcome))
    return totals, per_column


def start_server(folder, tries=3):
    """conftest's Server, tried again when its readiness probe times out on a busy machine."""
    for attempt in range(tries):
        server = Server.__new__(Server)
        try:
            where = os.path.join(folder, f"server-{attempt}")  # a fresh folder: the first admin is made once
            os.makedirs(where)
            Server.__init__(server, where)
            return server
        except requests.RequestException:
            if getattr(server, "proc", None) is not None:
                server.stop()
            if attempt == tries - 1:
                raise
            print("server slow to answer; starting it again", file=sys.stderr)


def pct(a, b):
    return 100 * a / max(b, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=150, help="pages of each capture kind in each set")
    parser.add_argument("--seed", type=int, default=16, help="tuning set seed")
    parser.add_argument("--heldout-seed", type=int, default=5000, help="held-out set seed (keep away from 1001)")
    parser.add_argument("--heldout2-seed", type=int, default=H2.DEFAULT_SEED, help="second held-out set seed")
    parser.add_argument("--heldout3-seed", type=int, default=H3.DEFAULT_SEED, help="third held-out set seed")
    parser.add_argument("--heldout4-seed", type=int, default=H4.DEFAULT_SEED, help="fourth held-out set seed")
    parser.add_argument("--heldout5-seed", type=int, default=H5.DEFAULT_SEED, help="fifth held-out set seed")
    parser.add_argument("--heldout6-seed", type=int, default=H6.DEFAULT_SEED, help="sixth held-out set seed (the judge)")
    parser.add_argument("--workers", type=int, default=2, help="processes making pages")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pingyi-omr-")
    server = start_server(folder)
    driver = make_driver()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        # Enough sets per group that no form is over-returned even if every page of all three sets were one group's.
        base, detail, rid = O.open_paper_round(api, server, token, lambda i: 2 * 3 * args.pages)
        groups, forms = detail["raterGroups"], detail["forms"]
        api(server, token, "POST", base + f"/rounds/{rid}/seal")
        browser_login(Page(driver, server.url), password)
        # The printed pages of every group and form, as Chromium prints them, in this round (its page code).
        urls = [(g, f) for g in range(len(groups)) for f in range(len(forms))]
        _TUNING["templates"] = O.print_svg_pages(
            driver, server.url, [f"{base}/rounds/{rid}/forms/{g}/{f}/0" for g, f in urls], folder)
        _TUNING["rows"] = min(len(detail["reportees"]), O.ROWS_PER_PAGE)
        _TUNING["columns"] = [len(forms[f]["columns"]) for _, f in urls]
        heldout_dir = H.print_round(driver, server.url, base, detail, rid, os.path.join(folder, "heldout-templates"))
        driver.quit()
        driver = None

        start = time.time()
        made = {}
        for kind in KINDS:
            made[("tuning", kind)] = tuning_pages(args.pages, args.seed, kind, args.workers)
            made[("held-out", kind)] = heldout_pages(heldout_dir, args.pages, args.heldout_seed, kind, args.workers)
        # the second held-out generator reads the same printed templates (same round, same page code)
        for kind, pages in heldout2_pages(heldout_dir, args.pages, args.heldout2_seed, args.workers).items():
            made[("held-out-2", kind)] = pages
        for kind, pages in heldout3_pages(heldout_dir, args.pages, args.heldout3_seed, args.workers).items():
            made[("held-out-3", kind)] = pages
        for kind, pages in heldout4_pages(heldout_dir, args.pages, args.heldout4_seed, args.workers).items():
            made[("held-out-4", kind)] = pages
        for kind, pages in heldout5_pages(heldout_dir, args.pages, args.heldout5_seed, args.workers).items():
            made[("held-out-5", kind)] = pages
        for kind, pages in heldout6_pages(heldout_dir, args.pages, args.heldout6_seed, args.workers).items():
            made[("held-out-6", kind)] = pages
        print(f"made {sum(len(p) for p in made.values())} pages in {time.time() - start:.0f} s", file=sys.stderr)

        results = {}
        for (name, kind), pages in made.items():
            answers, seconds = send_all(server, token, base + f"/rounds/{rid}/scans", pages)
            totals, per_column = score(pages, answers)
            results[(name, kind)] = (totals, per_column, seconds)
        for name in ("tuning",) + HELD_OUT:
            for kind in KINDS:
                t, _, seconds = results[(name, kind)]
                print(f"omr {name} {kind}: pages={t['pages']} columns={t['columns']} silent_errors={t['silent']} "
                      f"unsure_pct={pct(t['unsure'], t['columns']):.2f} "
                      f"unsure_decidable_pct={pct(t['unsure_decidable'], t['decidable']):.2f} refused_pct={pct(t['refused'], t['pages']):.2f} "
                      f"pages_per_s={t['pages'] / seconds:.1f}", flush=True)

        for name in HELD_OUT:
            by_mark = defaultdict(Counter)
            for kind in KINDS:
                for mark, truth, outcome in results[(name, kind)][1]:
                    by_mark[mark]["columns"] += 1
                    by_mark[mark][outcome] += 1
                    by_mark[mark]["truth " + truth] += 1
            for mark, c in sorted(by_mark.items(), key=lambda kv: -kv[1]["columns"]):
                truths = ",".join(f"{k[6:]}:{v}" for k, v in sorted(c.items()) if k.startswith("truth "))
                print(f"omr {name} mark {mark}: columns={c['columns']} silent_errors={c['silent']} "
                      f"unsure_pct={pct(c['unsure'], c['columns']):.2f} truth={truths}", flush=True)

            held = [results[(name, kind)] for kind in KINDS]
            silent = sum(t["silent"] for t, _, _ in held)
            pages = sum(t["pages"] for t, _, _ in held)
            refused = sum(t["refused"] for t, _, _ in held)
            seconds = sum(s for _, _, s in held)
            unsure = " ".join(f"unsure_pct({kind})={pct(t['unsure'], t['columns']):.2f}"
                              for kind, (t, _, _) in zip(KINDS, held))
            print(f"omr {name}: silent_errors={silent} {unsure} refused_pct={pct(refused, pages):.2f} "
                  f"pages_per_s={pages / seconds:.1f}", flush=True)
        # What is kept of each page for people's checks (StoredPageImage): read from the server's own database file.
        import sqlite3
        with sqlite3.connect(os.path.join(server.folder, "pingyi.sqlite")) as db:
            mean_kb, max_kb, kept = db.execute("SELECT avg(length(image)) / 1024.0, max(length(image)) / 1024.0, count(*) "
                                               "FROM paper_scans WHERE image IS NOT NULL").fetchone()
        print(f"omr stored images: pages={kept} image_kb_per_page={mean_kb:.1f} image_kb_max={max_kb:.1f}", flush=True)
    except BaseException:
        print("server log (tail):\n" + server.output()[-3000:], file=sys.stderr)
        raise
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
