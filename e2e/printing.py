"""Printing a page with headless Chromium as a user would (the page's own @page size), then checking the PDF: A4,
orientation, page count, and nothing clipped — every page rasterized with pdftoppm and its margins found blank."""
import base64
import os
import re
import subprocess

from PIL import Image

from browser import ARTIFACTS

A4 = (595.28, 841.89)


def print_to_pdf(driver, name):
    data = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"]
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".pdf")
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))
    return path


def pdf_facts(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    return pages, w, h


def blank_margins(path, margin_mm=5, dpi=40):
    """Pages whose outer band (margin_mm wide) has ink: something ran into the margin or past the page edge."""
    out = os.path.splitext(path)[0] + "-page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", path, out], check=True)
    inked = []
    folder = os.path.dirname(out)
    for file in sorted(f for f in os.listdir(folder) if f.startswith(os.path.basename(out)) and f.endswith(".pgm")):
        image = Image.open(os.path.join(folder, file))
        w, h = image.size
        band = max(1, int(margin_mm / 25.4 * dpi))
        pixels = image.load()
        dark = sum(1 for x in range(w) for y in list(range(band)) + list(range(h - band, h)) if pixels[x, y] < 200)
        dark += sum(1 for y in range(h) for x in list(range(band)) + list(range(w - band, w)) if pixels[x, y] < 200)
        if dark:
            inked.append((file, dark))
        os.remove(os.path.join(folder, file))
    return inked


def check_print(driver, name, landscape=False, pages=None, max_pages=None):
    """Prints, then asserts A4 in the given orientation, the page count, and blank margins. Returns the page count."""
    path = print_to_pdf(driver, name)
    count, w, h = pdf_facts(path)
    expected = (A4[1], A4[0]) if landscape else A4
    assert abs(w - expected[0]) < 2 and abs(h - expected[1]) < 2, f"{name}: page {w}×{h} pt, expected A4 {'landscape' if landscape else 'portrait'}"
    if pages is not None:
        assert count == pages, f"{name}: {count} pages, expected {pages}"
    if max_pages is not None:
        assert count <= max_pages, f"{name}: {count} pages, expected at most {max_pages}"
    inked = blank_margins(path)
    assert not inked, f"{name}: ink in the margins (clipped or past the edge): {inked}"
    return count
