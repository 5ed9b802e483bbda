"""A quick loop for working on the reader without the server in the way (the figures that count are bench/run omr's).

  python3 bench/omr_dev.py print DIR            the demo round's printed forms (tuning and held-out templates) into DIR
  python3 bench/omr_dev.py make DIR SET SEED N  N ballots of SET (tuning | held-out | held-out-2 | held-out-3 | held-out-4 | held-out-5 | held-out-6), both
                                                captures, as the browser sends them (inflated), with their truth
  python3 bench/omr_dev.py score DIR SET [SEED] --reader BIN   reads them with BIN (`pingyi-bench read-pages` or any
                                                reader taking its --list file) and prints bench/run omr's figures

Keep the seeds used to tune away from the ones judged on: bench/run omr judges held-out seed 5000, held-out-2 seed 7000
held-out-3 seed 9000, held-out-4 seed 12000, held-out-5 seed 14000 and held-out-6 seed 16000, the judge (see bench/omr.py)."""
import json
import multiprocessing
import os
import pickle
import random
import subprocess
import sys
import time
import zlib
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
sys.path.insert(0, HERE)


def print_templates(folder):
    import omr as B
    import omr_heldout as H
    import omr_pages as O
    from browser import Page, make_driver
    from test_day_without_traps import browser_login
    from test_vote_browser import admin_password, api, login
    os.makedirs(folder, exist_ok=True)
    server = B.start_server(os.path.join(folder, "server"))
    driver = make_driver()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        base, detail, rid = O.open_paper_round(api, server, token, lambda i: 100)
        groups, forms = detail["raterGroups"], detail["forms"]
        api(server, token, "POST", base + f"/rounds/{rid}/seal")
        browser_login(Page(driver, server.url), password)
        urls = [(g, f) for g in range(len(groups)) for f in range(len(forms))]
        templates = O.print_svg_pages(driver, server.url, [f"{base}/rounds/{rid}/forms/{g}/{f}/0" for g, f in urls], folder)
        tuning = {"templates": templates, "rows": min(len(detail["reportees"]), O.ROWS_PER_PAGE),
                  "columns": [len(forms[f]["columns"]) for _, f in urls]}
        with open(os.path.join(folder, "tuning.pickle"), "wb") as f:
            pickle.dump(tuning, f)
        H.print_round(driver, server.url, base, detail, rid, os.path.join(folder, "heldout-templates"))
    finally:
        driver.quit()
        server.stop()


def make(folder, name, seed, n):
    import omr as B
    out = os.path.join(folder, f"{name}-{seed}")
    os.makedirs(out, exist_ok=True)
    templates = os.path.join(folder, "heldout-templates")
    made = {}
    if name == "tuning":
        with open(os.path.join(folder, "tuning.pickle"), "rb") as f:
            B._TUNING.update(pickle.load(f))
        for kind in B.KINDS:
            made[kind] = B.tuning_pages(n, seed, kind, 2)
    elif name == "held-out":
        for kind in B.KINDS:
            made[kind] = B.heldout_pages(templates, n, seed, kind, 2)
    elif name == "held-out-2":
        made = B.heldout2_pages(templates, n, seed, 2)
    elif name == "held-out-3":
        made = B.heldout3_pages(templates, n, seed, 2)
    elif name == "held-out-4":
        made = B.heldout4_pages(templates, n, seed, 2)
    elif name == "held-out-5":
        made = B.heldout5_pages(templates, n, seed, 2)
    elif name == "held-out-6":
        made = B.heldout6_pages(templates, n, seed, 2)
    listing = []
    for kind, pages in made.items():
        for i, p in enumerate(pages):
            w, h, data = p["upload"]
            path = os.path.join(out, f"{kind}-{i:04d}.gray")
            with open(path, "wb") as f:
                f.write(zlib.decompress(data, -15))
            truth = p["truth"]
            listing.append({"path": path, "width": w, "height": h, "truth": truth, "markKinds": p["markKinds"],
                            "kind": kind})
    with open(os.path.join(out, "list.json"), "w") as f:
        json.dump(listing, f)
    print(f"{len(listing)} pages in {out}")


def score(folder, name, seed, reader):
    out = os.path.join(folder, f"{name}-{seed}")
    listing = json.load(open(os.path.join(out, "list.json")))
    with open(os.path.join(folder, "tuning.pickle"), "rb") as f:
        rows = pickle.load(f)["rows"]
    for p in listing:
        p["rows"] = rows
        p["columns"] = len(p["truth"]) // rows
    tmp = os.path.join(out, "reader-list.json")
    json.dump(listing, open(tmp, "w"))
    start = time.time()
    answers = json.loads(subprocess.run([reader, tmp] if not reader.endswith("pingyi-bench") else
                                        [reader, "read-pages", "--list", tmp], capture_output=True, check=True).stdout)
    seconds = time.time() - start
    by_kind = defaultdict(Counter)
    by_mark = defaultdict(Counter)
    wrong = []
    for p, a in zip(listing, answers):
        c = by_kind[p["kind"]]
        c["pages"] += 1
        c["columns"] += len(p["truth"])
        kinds = p["markKinds"] or ["-"] * len(p["truth"])
        if "symbols" not in a:
            c["refused"] += 1
            c["unsure"] += len(p["truth"])
            c["decidable"] += sum(t != "?" for t in p["truth"])
            c["unsure_decidable"] += sum(t != "?" for t in p["truth"])
            continue
        for i, (k, t, m) in enumerate(zip(kinds, p["truth"], a["symbols"])):
            outcome = "unsure" if m == "?" else "right" if m == t else "silent"
            c[outcome] += 1
            c["decidable"] += t != "?"
            c["unsure_decidable"] += t != "?" and outcome == "unsure"
            by_mark[k]["columns"] += 1
            by_mark[k][outcome] += 1
            if outcome == "silent":
                wrong.append((os.path.basename(p["path"]), i, k, t, m))
    for kind, c in by_kind.items():
        print(f"{name} {kind}: pages={c['pages']} columns={c['columns']} silent_errors={c['silent']} "
              f"unsure_pct={100 * c['unsure'] / c['columns']:.2f} "
              f"unsure_decidable_pct={100 * c['unsure_decidable'] / max(1, c['decidable']):.2f} refused={c['refused']}")
    for k, c in sorted(by_mark.items(), key=lambda kv: -kv[1]["columns"]):
        print(f"  mark {k}: columns={c['columns']} silent={c['silent']} unsure_pct={100 * c['unsure'] / c['columns']:.2f}")
    for w in wrong[:60]:
        print("  wrong:", *w)
    print(f"read {len(listing)} pages in {seconds:.1f} s")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "print":
        print_templates(sys.argv[2])
    elif cmd == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "score":
        args = sys.argv[2:]
        reader = args[args.index("--reader") + 1]
        score(args[0], args[1], int(args[2]), reader)
