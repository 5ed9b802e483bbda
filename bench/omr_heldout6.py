"""Sixth held-out set of paper-ballot pages: an independent judge for Pingyi's paper reader.

Written without looking at the reader, the e2e page generator or the other held-out generators' marks and captures.
Only the plumbing of bench/omr_heldout.py is borrowed: templates_from(folder) (the printed forms and their box
rectangles) and as_upload (the upload format). Everything else here -- voters, pens, marks, paper accidents, the office
scanner and the phone camera -- is drawn in its own way.

A ballot is one voter with habits: a pen (ballpoint, gel, felt marker, pencils from 2B to a very light hand, a nearly
dry pen), a habitual mark (circles of many shapes, ticks incl. mirrored left-handed ones, crosses, slashes, filled
boxes, dashes) with natural variation of size, place, rotation, pressure and tremor; some voters mix two kinds of mark.
Most columns hold one clear mark; the rest are blanks and the hard cases (two marks, struck out, scribbled over,
hesitant dots and dashes, marks between two boxes, erased pencil, marks too faint to be sure of). The paper gets stray
lines and dots, stains, folds, a signature, pencil smudges. Each ballot is captured by an office scanner and/or
photographed by a phone.

Truth, one symbol per column (rows top to bottom, columns left to right; a column = the four grade boxes of a cell):
'0' no mark, '1'..'4' one clear mark in that box, 'X' two or more clear marks, '?' a person would hesitate. It is
decided by an audit of the ink actually laid (every mark keeps its own ink layer), not by what the voter meant:
  - ink darkness (grey on white, 70th percentile over the stroke's core) below 0.035: nothing there (an erasure that
    left nothing, a stray too light to see); between that and 0.11, or a stroke mostly broken: faint -> '?';
  - a mark smaller than 0.34 box (a dot, a short dash) inside a box -> '?' (outside the boxes: ignored);
  - the box a mark belongs to is the one holding its anchor (circle centre, tick vertex, cross centre, dash middle);
    an anchor within 8 % of a side facing a neighbour or in the gap, more than 15 % of the ink inside a neighbour's
    interior, or less than 40 % of the ink within 0.3 box of its own box -> between boxes / off the box -> '?';
  - a mark struck through or scribbled over (if the strike is visible) -> '?', with or without a new choice; an
    erased pencil mark still visible -> '?';
  - a short stray (line, dot) with ink inside a box interior -> '?'; long slips (3+ boxes), stains, folds, smudges and
    signatures are read through;
  - then: two or more boxes with clear marks -> 'X'; else any doubt -> '?'; else the one clear box; else '0'.
markKinds names each column's kind (pen family + habitual mark for clear columns, or the hard case); a column whose
audit differs from the voter's intention gets "~reason" appended (e.g. "between-boxes~none", "erased~gone").

  python3 bench/omr_heldout6.py --pages 6 --seed 15000 --debug /tmp/h6dbg
  python3 bench/omr_heldout6.py --pages 40 --seed 15000 --stats

Python API (as the benches use it): make_pages(folder, n, seed, kind, workers=1, debug=None) -> list of dicts with
file, kind, truth, markKinds, capture, jpeg, template; as_upload(jpeg)."""
import argparse
import collections
import io
import json
import math
import os
import random
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import omr_heldout  # noqa: E402  (plumbing only: templates_from, as_upload)

DEFAULT_SEED = 16000
as_upload = omr_heldout.as_upload
templates_from = omr_heldout.templates_from

DPI = 300
MM = DPI / 25.4  # page pixels per millimetre

# Visibility of ink, as grey darkness on white paper (0 = nothing, 1 = black), measured on the core of the stroke.
V_INVISIBLE = 0.035  # below this a person sees nothing
V_CLEAR = 0.11  # at or above this (and mostly continuous) a mark is plain to see; between the two: unsure
SMALL_EXTENT = 0.34  # a mark smaller than this (in box sizes) is a hesitant dot or dash


# =====================================================================================================================
# Randomness

def rng_for(seed, i, what):
    return np.random.default_rng(random.Random(f"heldout6-{seed}-{i}-{what}").getrandbits(64))


def pick(rng, table):
    """table: [(value, weight)]"""
    w = np.array([t[1] for t in table], float)
    return table[int(rng.choice(len(table), p=w / w.sum()))][0]


def smooth1d(rng, s, amp, lam=(8.0, 50.0), terms=3):
    """A smooth random function of arc length s (px), amplitude about amp."""
    out = np.zeros_like(s, dtype=float)
    for _ in range(terms):
        out += rng.normal() * np.sin(2 * np.pi * s / rng.uniform(*lam) + rng.uniform(0, 2 * np.pi))
    return out * amp / math.sqrt(terms)


def smooth_field(rng, w, h, cells, lo=-1.0, hi=1.0):
    """A smooth random 2-D field of size (h, w) from a coarse grid of cells (cx, cy)."""
    cx, cy = cells
    coarse = rng.uniform(lo, hi, (cy, cx)).astype(np.float32)
    return np.asarray(Image.fromarray(coarse, "F").resize((w, h), Image.BICUBIC))


# =====================================================================================================================
# Pens

# name, family, colour (reflectance RGB at full density), strength, width in mm, weight
PEN_TABLE = [
    ("ballpoint-blue", "ballpoint", (0.13, 0.19, 0.56), (0.72, 0.93), (0.32, 0.50), 24),
    ("ballpoint-black", "ballpoint", (0.11, 0.11, 0.14), (0.72, 0.93), (0.32, 0.50), 19),
    ("ballpoint-red", "ballpoint", (0.80, 0.12, 0.13), (0.75, 0.93), (0.32, 0.50), 3),
    ("gel-black", "gel", (0.05, 0.05, 0.07), (0.90, 0.99), (0.26, 0.42), 8),
    ("gel-blue", "gel", (0.09, 0.14, 0.60), (0.88, 0.98), (0.26, 0.42), 4),
    ("felt-black", "felt", (0.08, 0.08, 0.10), (0.85, 0.96), (0.60, 1.15), 4),
    ("felt-blue", "felt", (0.10, 0.18, 0.62), (0.85, 0.96), (0.60, 1.15), 1),
    ("pencil-2B", "pencil", (0.30, 0.30, 0.32), (0.58, 0.75), (0.50, 0.80), 8),
    ("pencil-HB", "pencil", (0.31, 0.31, 0.33), (0.42, 0.58), (0.42, 0.70), 9),
    ("pencil-2H", "pencil", (0.33, 0.33, 0.35), (0.27, 0.40), (0.34, 0.55), 5),
    ("pencil-light", "light-pencil", (0.34, 0.34, 0.36), (0.20, 0.28), (0.32, 0.55), 4),
    ("dry-ballpoint", "dry-pen", (0.16, 0.21, 0.52), (0.50, 0.75), (0.30, 0.45), 4),
]


class Pen:
    def __init__(self, rng, name=None):
        row = next(r for r in PEN_TABLE if r[0] == name) if name else pick(rng, [(r, r[5]) for r in PEN_TABLE])
        self.name, self.family, color, strength, width = row[:5]
        self.color = np.array(color, np.float32)
        self.strength = float(rng.uniform(*strength))
        self.width = float(rng.uniform(*width)) * MM
        self.lumdark = float(1 - (0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]))
        self.pencil = self.family in ("pencil", "light-pencil")

    @property
    def short(self):
        return self.family


# =====================================================================================================================
# Hands: a voter's habits

CIRCLE_STYLES = [("circle", 44), ("open-circle", 12), ("small-circle", 8), ("big-circle", 7), ("oval", 11),
                 ("overshoot-circle", 11), ("double-circle", 7)]
SHAPES = [("circle", 54), ("tick", 24), ("cross", 6), ("slash", 5), ("fill", 6), ("dash", 3), ("circle-dot", 2)]


class Hand:
    def __init__(self, rng):
        self.left = rng.random() < 0.11
        self.scale = float(np.clip(rng.normal(1.0, 0.13), 0.75, 1.35))
        self.bias = rng.normal(0, 0.06, 2)  # habitual offset in box sizes
        self.pos_sd = float(rng.uniform(0.03, 0.10))
        self.size_sd = float(rng.uniform(0.04, 0.11))
        self.rot = float(rng.normal(0, 8))  # degrees
        self.rot_sd = float(rng.uniform(3, 11))
        self.tremor = float(rng.choice([rng.uniform(0.15, 0.6), rng.uniform(0.6, 1.8)], p=[0.8, 0.2]))
        self.pressure = float(rng.uniform(0.78, 1.05))
        self.speed = float(rng.uniform(0, 1))
        self.shape = pick(rng, SHAPES)
        self.style = pick(rng, CIRCLE_STYLES) if self.shape == "circle" else self.shape
        if self.shape == "tick" and self.left and rng.random() < 0.65:
            self.style = "mirrored-tick"
        self.second = None
        self.mix = 0.0
        if rng.random() < 0.15:  # mixes two kinds of mark on one page
            while True:
                sh = pick(rng, SHAPES)
                st = pick(rng, CIRCLE_STYLES) if sh == "circle" else sh
                if st != self.style:
                    break
            self.second = st
            self.mix = float(rng.uniform(0.2, 0.5))
        # circle habits
        self.ccw = rng.random() < (0.35 if self.left else 0.7)
        self.start = float(rng.normal(100 if self.ccw else 80, 35))  # degrees, math convention (y up)
        self.aspect = float(np.clip(rng.normal(0.93, 0.07), 0.75, 1.12))
        self.overlap = float(rng.uniform(0.05, 0.6))
        # tick habits
        self.t_short = float(rng.uniform(0.18, 0.38))
        self.t_long = float(rng.uniform(0.6, 1.15))
        self.t_a1 = float(rng.normal(138, 10))
        self.t_a2 = float(rng.normal(62, 8))
        # cross / slash habits
        self.x_len = float(rng.uniform(0.55, 0.95))
        self.slash_dir = 1 if (rng.random() < 0.8) != self.left else -1

    def kind_for(self, rng):
        return self.second if (self.second and rng.random() < self.mix) else self.style


# =====================================================================================================================
# Strokes: (points Nx2 in page px, widths N px, pressure N 0..1)

def resample(path, step=1.3):
    path = np.asarray(path, float)
    d = np.hypot(*np.diff(path, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(d)])
    n = max(2, int(s[-1] / step) + 1)
    t = np.linspace(0, s[-1], n)
    return np.stack([np.interp(t, s, path[:, 0]), np.interp(t, s, path[:, 1])], 1), t


def catmull(ctrl, per=12):
    """A smooth path through control points."""
    c = np.asarray(ctrl, float)
    c = np.vstack([c[0] * 2 - c[1], c, c[-1] * 2 - c[-2]])
    out = []
    for i in range(1, len(c) - 2):
        p0, p1, p2, p3 = c[i - 1], c[i], c[i + 1], c[i + 2]
        t = np.linspace(0, 1, per, endpoint=False)[:, None]
        out.append(0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    out.append(c[-2][None])
    return np.vstack(out)


def dirv(deg):
    """Unit vector of a math-convention angle (y up) in page coordinates (y down)."""
    a = math.radians(deg)
    return np.array([math.cos(a), -math.sin(a)])


def rot(pts, deg, center):
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    p = np.asarray(pts, float) - center
    return np.stack([p[:, 0] * c + p[:, 1] * s, -p[:, 0] * s + p[:, 1] * c], 1) + center


def make_stroke(rng, hand, pen, path, p0=1.0, land=6.0, lift=10.0, tremor=1.0, fast=False):
    pts, s = resample(path)
    L = max(s[-1], 1.0)
    tang = np.gradient(pts, axis=0)
    tang /= np.maximum(np.hypot(tang[:, 0], tang[:, 1]), 1e-6)[:, None]
    normal = np.stack([-tang[:, 1], tang[:, 0]], 1)
    hf = hand.tremor * tremor * (0.4 if pen.family == "felt" else 1.0)
    off = smooth1d(rng, s, hf, (7, 30)) + smooth1d(rng, s, 0.6 * tremor, (40, 160), 2)
    pts = pts + normal * off[:, None]
    pr = p0 * hand.pressure * (1 + smooth1d(rng, s, 0.10, (20, 90), 2))
    pr *= np.minimum(1, 0.45 + 0.55 * s / max(land, 1e-3))
    pr *= np.minimum(1, 0.30 + 0.70 * (L - s) / max(lift, 1e-3))
    if pen.family == "dry-pen":
        flow = 0.55 + smooth1d(rng, s, 1.1, (6, 40), 4)
        pr *= np.clip(flow, 0, 1)
    elif pen.family == "ballpoint" and (fast or rng.random() < 0.2):
        flow = 1.0 + smooth1d(rng, s, 0.8, (5, 25), 3)
        pr *= np.clip(flow, 0.35, 1)
    pr = np.clip(pr, 0, 1)
    if pen.pencil:
        w = pen.width * (0.6 + 0.5 * pr)
    elif pen.family == "felt":
        w = pen.width * (0.95 + 0.05 * pr)
    else:
        w = pen.width * (0.8 + 0.25 * pr)
    return {"pts": pts, "w": w, "p": pr}


def rasterize(rng, strokes, pen, ss=3):
    """-> (x0, y0, coverage, amount): coverage = geometric ink coverage, amount = ink density 0..1 laid."""
    allp = np.concatenate([st["pts"] for st in strokes])
    pad = max(float(st["w"].max()) for st in strokes) / 2 + 4
    x0, y0 = int(math.floor(allp[:, 0].min() - pad)), int(math.floor(allp[:, 1].min() - pad))
    x1, y1 = int(math.ceil(allp[:, 0].max() + pad)), int(math.ceil(allp[:, 1].max() + pad))
    bw, bh = x1 - x0, y1 - y0
    amount = np.zeros((bh, bw), np.float32)
    cover = np.zeros((bh, bw), np.float32)
    for st in strokes:
        img = Image.new("RGB", (bw * ss, bh * ss))
        d = ImageDraw.Draw(img)
        P = (st["pts"] - (x0, y0)) * ss
        W = st["w"] * ss
        pr = st["p"]
        n = len(P)
        # draw in order of increasing pressure, so that where strokes overlap the heavier one shows (max, not
        # last-drawn): no pale blotches where the pen lifts over ink already laid
        step = 1 if W.max() > 9 else 3
        ops = [(pr[i], 0, i) for i in range(n - 1)] + [(pr[i], 1, i) for i in list(range(0, n, step)) + [n - 1]]
        ops.sort(key=lambda o: o[0])
        for p_, kind, i in ops:
            fill = (255, int(255 * p_), 0)
            if kind == 0:
                d.line([(P[i, 0], P[i, 1]), (P[i + 1, 0], P[i + 1, 1])], fill=fill, width=max(1, int(round(W[i]))))
            else:
                r = W[i] / 2
                if r >= 1:
                    d.ellipse([P[i, 0] - r, P[i, 1] - r, P[i, 0] + r, P[i, 1] + r], fill=fill)
        arr = np.asarray(img.reduce(ss), np.float32) / 255.0
        cov, amt = arr[..., 0], arr[..., 1]
        if pen.pencil:
            g = ndimage.gaussian_filter(rng.standard_normal((bh, bw)).astype(np.float32), 0.9)
            g /= g.std() + 1e-6
            amt = cov * np.clip(amt / np.maximum(cov, 1e-3) * 1.05 + 0.2 * g - 0.06, 0, 1)
            amt = ndimage.gaussian_filter(amt, 0.5)
        elif pen.family == "dry-pen":
            g = ndimage.gaussian_filter(rng.standard_normal((bh, bw)).astype(np.float32), 0.6)
            g /= g.std() + 1e-6
            amt = amt * np.clip(0.7 + 0.35 * g, 0, 1)
        elif pen.family == "ballpoint":
            g = ndimage.gaussian_filter(rng.standard_normal((bh, bw)).astype(np.float32), 0.6)
            amt = amt * np.clip(0.93 + 0.12 * g / (g.std() + 1e-6), 0, 1)
        elif pen.family == "felt":
            amt = ndimage.gaussian_filter(amt, 0.6)
            cov = np.maximum(cov, ndimage.gaussian_filter(cov, 0.6))
        amount = 1 - (1 - amount) * (1 - amt)
        cover = np.maximum(cover, cov)
    return x0, y0, cover, amount * pen.strength


# =====================================================================================================================
# Marks: each returns (list of paths with stroke options, anchor point). Geometry in page px; s = box size.

def box_center(rect):
    x0, y0, x1, y1 = rect
    return np.array([(x0 + x1) / 2, (y0 + y1) / 2]), (x1 - x0 + y1 - y0) / 2


def jitter_center(rng, hand, rect, scale=1.0):
    c, s = box_center(rect)
    return c + (hand.bias + rng.normal(0, hand.pos_sd * scale, 2)) * s, s


def circle_paths(rng, hand, c, s, style):
    size = hand.scale * math.exp(rng.normal(0, hand.size_sd))
    r = {"circle": 0.36, "open-circle": 0.36, "small-circle": 0.25, "big-circle": 0.56, "oval": 0.38,
         "overshoot-circle": 0.44, "double-circle": 0.35, "circle-dot": 0.34}[style] * s * size
    r = max(r, 0.22 * s)
    if style == "big-circle":
        r = float(np.clip(r, 0.5 * s, 0.68 * s))
    if style == "overshoot-circle":
        c = c + rng.normal(0, 0.12, 2) * s
    aspect = hand.aspect * math.exp(rng.normal(0, 0.05))
    if style == "oval":
        aspect *= rng.uniform(0.58, 0.78)
    tilt = hand.rot + rng.normal(0, hand.rot_sd)
    start = math.radians(hand.start + rng.normal(0, 25))
    sweep = 2 * math.pi + hand.overlap + rng.normal(0, 0.15)
    if style == "open-circle":
        sweep = 2 * math.pi - rng.uniform(0.45, 1.3)
    elif style == "double-circle":
        sweep = 2 * math.pi * rng.uniform(1.6, 2.2)
    sweep = max(sweep, 4.2)
    n = max(40, int(sweep * r / 1.2))
    t = np.linspace(0, sweep, n)
    drift = rng.normal(0, 0.07)
    a2, a3 = rng.uniform(0, 0.07), rng.uniform(0, 0.05)
    f2, f3 = rng.uniform(0, 6.3), rng.uniform(0, 6.3)
    rr = r * (1 + drift * t / sweep + a2 * np.cos(2 * t + f2) + a3 * np.cos(3 * t + f3))
    ang = start + (t if hand.ccw else -t)
    pts = np.stack([rr * np.cos(ang), -rr * aspect * np.sin(ang)], 1)
    pts = rot(pts, tilt, np.zeros(2)) + c
    paths = [(pts, {"land": 4, "lift": rng.uniform(6, 25)})]
    if style == "circle-dot":  # a circle with a dot in it
        paths.append((dot_path(rng, c + rng.normal(0, 0.05, 2) * s, rng.uniform(1.5, 3.5)), {"land": 1, "lift": 1}))
    return paths, c


def tick_paths(rng, hand, rect, mirrored=False, big=1.0):
    _, s = box_center(rect)
    x0, y0 = rect[0], rect[1]
    size = hand.scale * math.exp(rng.normal(0, hand.size_sd)) * big
    u = 0.42 + hand.bias[0] * 0.7 + rng.normal(0, hand.pos_sd)
    v = 0.66 + hand.bias[1] * 0.7 + rng.normal(0, hand.pos_sd)
    if mirrored:
        u = 1 - u
    V = np.array([x0 + u * s, y0 + v * s])
    L1 = max(0.12, hand.t_short * size * math.exp(rng.normal(0, 0.12))) * s
    L2 = max(0.45, hand.t_long * size * math.exp(rng.normal(0, 0.1))) * s
    a1 = hand.t_a1 + rng.normal(0, 7) - hand.rot * 0.3
    a2 = hand.t_a2 + rng.normal(0, 6) - hand.rot * 0.3
    S = V + L1 * dirv(a1)
    E = V + L2 * dirv(a2)
    bend = rng.normal(0, 0.06) * L2
    mid = (V + E) / 2 + np.array([-(E - V)[1], (E - V)[0]]) / (np.linalg.norm(E - V) + 1e-6) * bend
    hook = S + rng.normal(0, 0.05, 2) * s + np.array([0.0, -0.04 * s])
    ctrl = [hook, S, S + (V - S) * 0.6, V + np.array([0.0, 0.02 * s]), V + (mid - V) * 0.5, mid, E]
    if rng.random() < 0.5:
        ctrl = ctrl[1:]
    pts = catmull(ctrl, 10)
    if mirrored:
        pts[:, 0] = 2 * V[0] - pts[:, 0]
    return [(pts, {"land": 3, "lift": rng.uniform(0.2, 0.5) * L2})], V


def cross_paths(rng, hand, rect):
    c, s = jitter_center(rng, hand, rect)
    L = max(0.45, hand.x_len * hand.scale * math.exp(rng.normal(0, hand.size_sd))) * s
    paths = []
    for k, base in enumerate((135, 45)):
        a = base + hand.rot * 0.5 + rng.normal(0, 7)
        off = rng.normal(0, 0.05, 2) * s
        L_k = L * math.exp(rng.normal(0, 0.1))
        A = c + off + L_k / 2 * dirv(a)
        B = c + off - L_k / 2 * dirv(a)
        if k == 1 and hand.left:
            A, B = B, A
        mid = (A + B) / 2 + rng.normal(0, 0.02, 2) * s
        paths.append((catmull([A, mid, B], 16), {"land": 3, "lift": rng.uniform(5, 15)}))
    return paths, c


def slash_paths(rng, hand, rect):
    c, s = jitter_center(rng, hand, rect)
    L = max(0.5, hand.x_len * 1.05 * hand.scale * math.exp(rng.normal(0, hand.size_sd))) * s
    a = (60 if hand.slash_dir > 0 else 120) + rng.normal(0, 8) + hand.rot * 0.4
    A, B = c - L / 2 * dirv(a), c + L / 2 * dirv(a)
    mid = (A + B) / 2 + rng.normal(0, 0.03, 2) * s
    return [(catmull([A, mid, B], 16), {"land": 3, "lift": rng.uniform(0.2, 0.4) * L})], c


def fill_paths(rng, hand, rect, pen):
    c, s = jitter_center(rng, hand, rect, 0.5)
    cover = rng.uniform(0.6, 0.92) * s * hand.scale ** 0.3
    cover = min(cover, 0.95 * s)
    hgt = cover * rng.uniform(0.8, 1.0)
    spacing = max(pen.width * (rng.uniform(0.55, 0.9) if pen.family == "felt" else rng.uniform(0.9, 1.7)), 3.0)
    n = max(4, int(hgt / spacing))
    ctrl = []
    for k in range(n + 1):
        y = -hgt / 2 + k * hgt / n
        xl = -cover / 2 + rng.normal(0, 0.04) * s
        xr = cover / 2 + rng.normal(0, 0.04) * s
        ctrl.append((xl, y) if k % 2 == 0 else (xr, y))
        ctrl.append(((xl + xr) / 2 + rng.normal(0, 0.02) * s, y + hgt / n / 2))
    pts = catmull(np.array(ctrl), 6)
    pts = rot(pts, rng.uniform(-30, 30) + hand.rot, np.zeros(2)) + c
    return [(pts, {"land": 3, "lift": 6, "tremor": 0.7})], c


def dash_paths(rng, hand, rect, length=None):
    c, s = box_center(rect)
    L = (length if length is not None else
         float(np.clip(rng.uniform(0.5, 0.82) * hand.scale, 0.45, 0.9))) * s
    p = c + np.array([hand.bias[0] * 0.5 + rng.normal(0, 0.06), rng.uniform(0.05, 0.25)]) * s
    if length is not None:
        p = c + rng.normal(0, 0.12, 2) * s
    a = rng.normal(3, 5) + hand.rot * 0.3
    A, B = p - L / 2 * dirv(a), p + L / 2 * dirv(a)
    return [(catmull([A, (A + B) / 2 + rng.normal(0, 0.01, 2) * s, B], 10), {"land": 2, "lift": 4})], p


def dot_path(rng, p, radius):
    t = np.linspace(0, 2 * math.pi * rng.uniform(1.2, 2.2), 24)
    rr = radius * np.linspace(0.3, 1.0, len(t))
    return np.stack([p[0] + rr * np.cos(t), p[1] + rr * np.sin(t)], 1)


def shape_paths(rng, hand, pen, rect, style):
    c, s = jitter_center(rng, hand, rect)
    if style in dict(CIRCLE_STYLES) or style == "circle-dot":
        return circle_paths(rng, hand, c, s, style)
    if style in ("tick", "mirrored-tick"):
        return tick_paths(rng, hand, rect, mirrored=(style == "mirrored-tick"))
    if style == "cross":
        return cross_paths(rng, hand, rect)
    if style == "slash":
        return slash_paths(rng, hand, rect)
    if style == "fill":
        return fill_paths(rng, hand, rect, pen)
    if style == "dash":
        return dash_paths(rng, hand, rect)
    raise ValueError(style)


def strike_paths(rng, target_bbox, s):
    """Lines struck through a mark (one, two parallel, or an X), reaching beyond it."""
    x0, y0, x1, y1 = target_bbox
    c = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    span = max(x1 - x0, y1 - y0)
    style = pick(rng, [("line", 45), ("double", 20), ("x", 35)])
    out = []
    if style == "x":
        for base in (135, 45):
            L = span * rng.uniform(1.05, 1.45)
            a = base + rng.normal(0, 8)
            A, B = c + L / 2 * dirv(a) + rng.normal(0, 0.04, 2) * s, c - L / 2 * dirv(a)
            out.append(catmull([A, (A + B) / 2 + rng.normal(0, 0.03, 2) * s, B], 14))
    else:
        a = rng.choice([rng.normal(10, 10), rng.normal(35, 10), rng.normal(-30, 10)])
        for k in range(2 if style == "double" else 1):
            L = span * rng.uniform(1.1, 1.6)
            p = c + np.array([0, (k - 0.5) * 0.18 * s if style == "double" else rng.normal(0, 0.06) * s])
            A, B = p - L / 2 * dirv(a), p + L / 2 * dirv(a)
            out.append(catmull([A, (A + B) / 2 + rng.normal(0, 0.03, 2) * s, B], 14))
    return [(p, {"land": 2, "lift": 12, "tremor": 0.5, "fast": True}) for p in out], style


def scribble_paths(rng, target_bbox, s, pen):
    """A scratch-out over a mark: a quick, uneven zigzag with loops that overshoots it, sometimes two passes."""
    x0, y0, x1, y1 = target_bbox
    c = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    w = (x1 - x0) * rng.uniform(1.0, 1.35)
    h = (y1 - y0) * rng.uniform(0.9, 1.3)
    out = []
    for k in range(1 if rng.random() < 0.65 else 2):
        n = int(rng.integers(7, 16))
        ang = rng.uniform(-45, 45) + 70 * k
        ys = np.sort(rng.uniform(-h / 2, h / 2, n))
        if rng.random() < 0.4:
            ys = ys[::-1]
        ctrl = []
        for j, y in enumerate(ys):
            x = (w / 2 if j % 2 else -w / 2) * rng.uniform(0.55, 1.1) + rng.normal(0, 0.05) * s
            ctrl.append((x, y + rng.normal(0, 0.04) * s))
            if rng.random() < 0.25:  # a loop at the turn
                r_ = rng.uniform(0.04, 0.1) * s
                ctrl += [(x + r_ * math.copysign(1, x), y - r_), (x, y - 2 * r_)]
        pts = catmull(np.array(ctrl), 6)
        out.append((rot(pts, ang, np.zeros(2)) + c, {"land": 2, "lift": 8, "tremor": 0.6, "fast": True}))
    return out


# =====================================================================================================================
# The ballot

PLAN = [("clear", 845), ("blank", 50), ("two-marks", 30), ("crossed-out", 18), ("scribbled-over", 11),
        ("hesitant", 13), ("between-boxes", 10), ("erased", 9), ("faint", 8)]


class Ballot:
    def __init__(self, template, seed, i):
        self.t = template
        self.seed, self.i = seed, i
        rng = rng_for(seed, i, "ballot")
        self.rng = rng
        self.rows, self.cols = template["rows"], template["columns"]
        self.boxes = template["boxes"]  # [row][col][grade] -> [x0, y0, x1, y1]
        self.s = float(template["boxSize"])
        gray = template["gray"]
        self.H, self.W = gray.shape
        # paper: a slightly tinted sheet
        tint = np.array([1.0, rng.uniform(0.98, 1.0), rng.uniform(0.95, 1.0)], np.float32)
        tint *= rng.uniform(0.95, 1.0)
        self.paper = tint
        levels = np.arange(256, dtype=np.float32)
        self.page = np.stack([np.round(levels * tint[ch]).astype(np.uint8)[gray] for ch in range(3)], -1)
        self.pen = Pen(rng)
        self.hand = Hand(rng)
        self.marks = []  # every piece of ink laid, with its role
        self.notes = []
        self.fold = None
        self.column_plan = {}
        self.draw_voter()
        self.draw_accidents()

    # ---------------------------------------------------------------- ink
    def lay(self, paths, pen, role, col, anchor, label, extra=None, scale_to=None, erase=None):
        strokes = []
        for path, opt in paths:
            strokes.append(make_stroke(self.rng, self.hand, pen, path, p0=opt.get("p0", 1.0),
                                       land=opt.get("land", 4), lift=opt.get("lift", 10),
                                       tremor=opt.get("tremor", 1.0), fast=opt.get("fast", False)))
        x0, y0, cov, amt = rasterize(self.rng, strokes, pen)
        if scale_to is not None:  # bring the mark to a chosen visibility (faint marks)
            v = visibility(cov, amt * pen.lumdark)[0]
            if v > 0:
                amt = amt * min(1.0, scale_to / v)
        if erase is not None:  # rubbed out: a ghost of graphite, smeared, and a haze where the eraser went
            amt = ndimage.gaussian_filter(amt, self.rng.uniform(0.8, 1.6)) * erase
            haze = ndimage.gaussian_filter(
                (self.rng.random(amt.shape) < 0.5).astype(np.float32), 2.0) * self.rng.uniform(0.01, 0.03)
            yy, xx = np.mgrid[0:amt.shape[0], 0:amt.shape[1]]
            cy, cx = amt.shape[0] / 2, amt.shape[1] / 2
            ell = np.clip(1.3 - ((xx - cx) / (cx + 2)) ** 2 - ((yy - cy) / (cy + 2)) ** 2, 0, 1)
            amt = 1 - (1 - amt) * (1 - haze * ell)
        m = {"role": role, "col": col, "anchor": np.asarray(anchor, float), "label": label, "pen": pen,
             "x0": x0, "y0": y0, "cov": cov, "amt": amt, "dark": amt * pen.lumdark}
        if extra:
            m.update(extra)
        self.composite(x0, y0, amt, pen.color)
        self.marks.append(m)
        return m

    def composite(self, x0, y0, amt, color):
        h, w = amt.shape
        X0, Y0, X1, Y1 = max(x0, 0), max(y0, 0), min(x0 + w, self.W), min(y0 + h, self.H)
        if X1 <= X0 or Y1 <= Y0:
            return
        a = amt[Y0 - y0:Y1 - y0, X0 - x0:X1 - x0]
        sub = self.page[Y0:Y1, X0:X1].astype(np.float32)
        sub *= 1 - a[..., None] * (1 - np.asarray(color, np.float32))
        self.page[Y0:Y1, X0:X1] = np.clip(sub + 0.5, 0, 255).astype(np.uint8)

    def label(self, style, pen=None):
        pen = pen or self.pen
        return f"{pen.short}-{style}"

    # ---------------------------------------------------------------- voter
    def draw_voter(self):
        rng, hand, pen = self.rng, self.hand, self.pen
        plan = list(PLAN)
        messy = math.exp(rng.normal(-0.18, 0.6))
        blank_rate = float(rng.beta(1.2, 20))
        plan = [(k, w * (1 if k == "clear" else messy)) for k, w in plan]
        plan = [(k, blank_rate * 1000 if k == "blank" else w) for k, w in plan]
        if pen.pencil:  # pencil is rubbed out more often than struck through
            plan = [(k, w * 2.2 if k == "erased" else w * 0.6 if k == "crossed-out" else w) for k, w in plan]
        else:  # a pen is not erased: such a voter strikes out instead
            plan = [(("crossed-out" if k == "erased" else k), w) for k, w in plan]
        blank_rows = set()
        if rng.random() < 0.06:
            blank_rows.add(int(rng.integers(self.rows)))
        for r in range(self.rows):
            for c in range(self.cols):
                what = "blank" if r in blank_rows else pick(rng, plan)
                self.column_plan[(r, c)] = what
                self.draw_column(r, c, what)

    def draw_column(self, r, c, what):
        rng, hand, pen = self.rng, self.hand, self.pen
        rects = self.boxes[r][c]
        s = self.s
        col = (r, c)
        if what == "blank":
            return
        if what == "clear":
            g = int(rng.integers(4))
            st = hand.kind_for(rng)
            paths, anchor = shape_paths(rng, hand, pen, rects[g], st)
            self.lay(paths, pen, "choice", col, anchor, self.label(st))
            return
        if what == "two-marks":
            k = 3 if rng.random() < 0.12 else 2
            gs = rng.choice(4, k, replace=False)
            for g in gs:
                st = hand.kind_for(rng)
                paths, anchor = shape_paths(rng, hand, pen, rects[int(g)], st)
                self.lay(paths, pen, "choice", col, anchor, "three-marks" if k == 3 else "two-marks")
            return
        if what in ("crossed-out", "scribbled-over", "erased"):
            new = rng.random() < 0.55
            g = int(rng.integers(4))
            st = hand.kind_for(rng)
            if what == "scribbled-over" and (st == "fill" or "fill" in (hand.style, hand.second)):
                what = "crossed-out"  # a scribble over a filled box is just a bigger filled box: strike it instead
                self.column_plan[col] = what
            label = what + ("+new" if new else "")
            paths, anchor = shape_paths(rng, hand, pen, rects[g], st)
            if what == "erased":
                target = self.lay(paths, pen, "erased", col, anchor, label,
                                  erase=float(rng.choice([rng.uniform(0.09, 0.25), rng.uniform(0.01, 0.045)],
                                                         p=[0.8, 0.2])))
            else:
                target = self.lay(paths, pen, "choice", col, anchor, label)
                bbox = bbox_of(target)
                if what == "crossed-out":
                    spaths, sstyle = strike_paths(rng, bbox, s)
                else:
                    spaths = scribble_paths(rng, bbox, s, pen)
                ob = self.lay(spaths, pen, "obliterator", col, anchor, label)
                target["struck_by"] = ob
            if new:
                g2 = int(rng.choice([k for k in range(4) if k != g]))
                st2 = hand.kind_for(rng)
                paths, anchor = shape_paths(rng, hand, pen, rects[g2], st2)
                self.lay(paths, pen, "choice", col, anchor, label)
            return
        if what == "hesitant":
            g = int(rng.integers(4))
            c0, _ = box_center(rects[g])
            if rng.random() < 0.55:
                p = c0 + rng.normal(0, 0.15, 2) * s
                rmax = max(1.2, min(4.5, (0.28 * s - pen.width) / 2))
                paths = [(dot_path(rng, p, rng.uniform(1.0, rmax)), {"land": 1, "lift": 1, "p0": 1.0})]
                self.lay(paths, pen, "choice", col, p, "hesitant-dot")
            else:
                paths, anchor = dash_paths(rng, hand, rects[g],
                                           length=rng.uniform(0.12, max(0.13, 0.29 - pen.width / s)))
                self.lay(paths, pen, "choice", col, anchor, "hesitant-dash")
            return
        if what == "between-boxes":
            g = int(rng.integers(3))
            a, b = rects[g], rects[g + 1]
            gap_x = (a[2] + b[0]) / 2 + rng.normal(0, 0.05) * s
            fake = [gap_x - s / 2, a[1], gap_x + s / 2, a[3]]
            st = hand.kind_for(rng)
            if st in ("fill", "dash"):
                st = "circle"
            if st in dict(CIRCLE_STYLES) or st == "circle-dot":
                c0 = np.array([gap_x, (a[1] + a[3]) / 2]) + rng.normal(0, 0.05, 2) * s
                paths, anchor = circle_paths(rng, hand, c0, s, rng.choice(["circle", "oval", "big-circle"]))
            else:
                paths, anchor = shape_paths(rng, hand, pen, fake, st)
            self.lay(paths, pen, "choice", col, anchor, "between-boxes")
            return
        if what == "faint":
            g = int(rng.integers(4))
            st = hand.kind_for(rng)
            paths, anchor = shape_paths(rng, hand, pen, rects[g], st)
            self.lay(paths, pen, "choice", col, anchor, "faint", scale_to=float(rng.uniform(0.04, 0.075)))
            return
        raise ValueError(what)

    # ---------------------------------------------------------------- paper accidents
    def keepout(self):
        """Rectangles where accidents must not go: corner squares and the page-code row (the form asks for it)."""
        out = []
        for x0, y0, x1, y1 in self.t["solids"]:
            m = 12 * MM
            out.append((x0 - m, y0 - m, x1 + m, y1 + m))
        return out

    def in_keepout(self, x, y, pad=0):
        return any(x0 - pad <= x <= x1 + pad and y0 - pad <= y <= y1 + pad for x0, y0, x1, y1 in self.keepout())

    def all_boxes(self):
        return [rect for row in self.boxes for cell in row for rect in cell]

    def table_rect(self):
        b = self.all_boxes()
        return (min(r[0] for r in b), min(r[1] for r in b), max(r[2] for r in b), max(r[3] for r in b))

    def draw_accidents(self):
        rng = self.rng
        s = self.s
        tx0, ty0, tx1, ty1 = self.table_rect()
        # stray pen lines: long slips across the table, or short ones between boxes / in the margins
        if rng.random() < 0.3:
            for _ in range(int(rng.integers(1, 4))):
                pen = self.pen if rng.random() < 0.8 else Pen(rng)
                if rng.random() < 0.5:  # long slip
                    A = np.array([rng.uniform(tx0 - 200, tx1), rng.uniform(ty0, ty1)])
                    L = rng.uniform(3.5, 10.0) * s
                    a = rng.normal(0, 25) + rng.choice([0, 180])
                    B = A + L * dirv(a)
                    if self.in_keepout(*B, pad=30) or self.in_keepout(*A, pad=30):
                        continue
                    mid = (A + B) / 2 + rng.normal(0, 0.15, 2) * s
                    self.lay([(catmull([A, mid, B], 20), {"land": 3, "lift": 40, "tremor": 0.4, "fast": True,
                                                          "p0": rng.uniform(0.5, 1.0)})],
                             pen, "stray", None, (A + B) / 2, "stray-line")
                else:  # short line somewhere outside the boxes
                    for _try in range(20):
                        A = np.array([rng.uniform(150, self.W - 150), rng.uniform(280, self.H - 150)])
                        L = rng.uniform(0.4, 1.6) * s
                        B = A + L * dirv(rng.uniform(0, 360))
                        if self.in_keepout(*A, 20) or self.in_keepout(*B, 20):
                            continue
                        if self.touches_box(min(A[0], B[0]), min(A[1], B[1]), max(A[0], B[0]), max(A[1], B[1]), 8):
                            continue
                        self.lay([(catmull([A, (A + B) / 2 + rng.normal(0, 0.05, 2) * s, B], 10),
                                   {"land": 2, "lift": 8, "tremor": 0.5, "p0": rng.uniform(0.5, 1.0)})],
                                 pen, "stray", None, (A + B) / 2, "stray-line")
                        break
        # stray dots (pen rested on the paper), outside boxes
        if rng.random() < 0.35:
            for _ in range(int(rng.integers(1, 5))):
                for _try in range(20):
                    p = np.array([rng.uniform(tx0 - 300, tx1 + 50), rng.uniform(ty0 - 80, ty1 + 60)])
                    if self.in_keepout(*p, 10) or self.touches_box(p[0] - 6, p[1] - 6, p[0] + 6, p[1] + 6, 6):
                        continue
                    self.lay([(dot_path(rng, p, rng.uniform(1.0, 3.5)), {"land": 1, "lift": 1})], self.pen,
                             "stray", None, p, "stray-dot")
                    break
        # a signature-like scribble in the bottom margin
        if rng.random() < 0.15:
            self.signature(Pen(rng) if rng.random() < 0.3 else self.pen)
        # pencil smudges (mostly for pencil voters), off the boxes
        if rng.random() < (0.3 if self.pen.pencil else 0.06):
            for _ in range(int(rng.integers(1, 3))):
                self.smudge()
        # a stain from a cup
        if rng.random() < 0.13:
            for _ in range(1 if rng.random() < 0.75 else 2):
                self.stain()
        # a fold
        if rng.random() < 0.25:
            self.crease()

    def touches_box(self, x0, y0, x1, y1, pad):
        for bx0, by0, bx1, by1 in self.all_boxes():
            if x1 >= bx0 - pad and x0 <= bx1 + pad and y1 >= by0 - pad and y0 <= by1 + pad:
                return True
        return False

    def signature(self, pen):
        rng = self.rng
        tx0, ty0, tx1, ty1 = self.table_rect()
        y = rng.uniform(ty1 + 0.9 * self.s, min(ty1 + 1.7 * self.s, self.H - 260))
        x = rng.uniform(tx0, tx1 - 5 * MM * 10)
        length = rng.uniform(25, 50) * MM
        n = int(rng.integers(5, 11))
        t = np.linspace(0, 1, n * 14)
        amp = rng.uniform(3, 7) * MM
        w = 2 * math.pi * n
        px = x + t * length + amp * 0.45 * np.cos(w * t + rng.uniform(0, 6))
        py = y - amp * np.abs(np.sin(w * t / 2)) * (1 + 0.6 * np.sin(3 * t + rng.uniform(0, 6))) + 10 * t
        pts = np.stack([px, py], 1)
        paths = [(pts, {"land": 2, "lift": 20, "tremor": 0.6, "fast": True})]
        # a flourish under it
        A = np.array([x - 2 * MM, y + rng.uniform(1, 3) * MM])
        B = A + np.array([length * rng.uniform(0.8, 1.2), rng.normal(0, 2) * MM])
        paths.append((catmull([A, (A + B) / 2 + np.array([0, 1.5 * MM]), B], 12), {"land": 2, "lift": 30}))
        if any(self.in_keepout(px_, py_, 20) for px_, py_ in pts[::10]):
            return
        self.lay(paths, pen, "stray", None, (x + length / 2, y), "signature")

    def smudge(self):
        rng = self.rng
        for _try in range(30):
            w, h = rng.uniform(8, 35) * MM, rng.uniform(4, 15) * MM
            cx, cy = rng.uniform(150, self.W - 150), rng.uniform(300, self.H - 150)
            x0, y0, x1, y1 = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
            if self.touches_box(x0, y0, x1, y1, 10) or self.in_keepout(cx, cy, max(w, h) / 2):
                continue
            ih, iw = int(h), int(w)
            yy, xx = np.mgrid[0:ih, 0:iw]
            e = np.clip(1 - ((xx - iw / 2) / (iw / 2)) ** 2 - ((yy - ih / 2) / (ih / 2)) ** 2, 0, 1)
            streak = smooth_field(rng, iw, ih, (3, 8), 0.4, 1.0)
            amt = (e ** 0.7 * streak * rng.uniform(0.06, 0.16)).astype(np.float32)
            amt = ndimage.gaussian_filter(amt, 3)
            self.composite(int(x0), int(y0), amt, (0.32, 0.32, 0.34))
            self.notes.append("smudge")
            return

    def stain(self):
        rng = self.rng
        for _try in range(30):
            R = rng.uniform(14, 42) * MM
            cx, cy = rng.uniform(200, self.W - 200), rng.uniform(400, self.H - 200)
            if self.in_keepout(cx, cy, R + 10):
                continue
            n = int(2 * R + 40)
            yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) - n / 2
            th = np.arctan2(yy, xx)
            rad = np.hypot(xx, yy)
            wob = np.zeros_like(th)
            for k in (2, 3, 5, 7):
                wob += rng.normal(0, 0.025) * np.cos(k * th + rng.uniform(0, 6.3))
            edge = R * (1 + wob)
            inside = np.clip((edge - rad) / 2.0 + 0.5, 0, 1)
            rim = np.exp(-((rad - edge + 2.5) / rng.uniform(2.0, 5.0)) ** 2)
            partial = rng.random() < 0.4
            if partial:  # only the cup's ring, part of it
                arc = np.clip(np.cos(th - rng.uniform(0, 6.3)) + rng.uniform(0.0, 0.6), 0, 1)
                dens = rim * arc * rng.uniform(0.15, 0.3)
            else:
                mottle = smooth_field(rng, n, n, (6, 6), 0.6, 1.0)
                dens = inside * mottle * rng.uniform(0.06, 0.16) + rim * inside.clip(0.3, 1) * rng.uniform(0.08, 0.18)
            dens = np.clip(dens, 0, 0.35).astype(np.float32)
            color = (0.78, 0.58, 0.36) if rng.random() < 0.7 else (0.70, 0.62, 0.45)  # coffee or tea
            self.composite(int(cx - n / 2), int(cy - n / 2), dens, color)
            self.notes.append("ring-stain" if partial else "stain")
            return

    def crease(self):
        rng = self.rng
        vertical = rng.random() < 0.55
        if vertical:
            pos = self.W * rng.choice([0.5, 1 / 3, 2 / 3]) + rng.normal(0, 15)
        else:
            pos = self.H * rng.choice([0.5, 1 / 3, 2 / 3]) + rng.normal(0, 15)
        angle = rng.normal(0, 0.6)
        self.fold = {"vertical": bool(vertical), "pos": float(pos), "angle": float(angle),
                     "depth": float(rng.uniform(0.03, 0.09)), "side": float(rng.choice([-1, 1]))}
        # the crease itself: a thin darker line with a lighter lip
        n = self.H if vertical else self.W
        t = np.arange(n, dtype=np.float32)
        line = pos + math.tan(math.radians(angle)) * (t - n / 2) + smooth1d(rng, t, 1.5, (200, 900))
        width = 10
        offs = np.arange(-width, width + 1, dtype=np.float32)
        base = np.floor(line).astype(int)
        frac = line - base
        d = offs[None, :] - frac[:, None]
        prof = (self.fold["depth"] * np.exp(-(d / 1.3) ** 2)
                + 0.35 * self.fold["depth"] * np.exp(-((d - 3 * self.fold["side"]) / 3.5) ** 2))
        prof *= np.clip(0.6 + 0.5 * smooth1d(rng, t, 1.0, (50, 300))[:, None], 0.2, 1.2)
        # composite along the line, column by column in chunks (cheap: one small band per position)
        for k0 in range(0, n, 256):
            k1 = min(n, k0 + 256)
            lo = int(base[k0:k1].min()) - width
            hi = int(base[k0:k1].max()) + width + 1
            patch = np.zeros((k1 - k0, hi - lo), np.float32)
            for j, k in enumerate(range(k0, k1)):
                o = base[k] - width - lo
                patch[j, o:o + 2 * width + 1] = prof[k]
            if vertical:
                self.composite(lo, k0, patch, (0.45, 0.45, 0.45))
            else:
                self.composite(k0, lo, patch.T.copy(), (0.45, 0.45, 0.45))
        self.notes.append("fold")

    # ---------------------------------------------------------------- the audit: what a person reads
    def audit(self):
        s = self.s
        cols = {}
        reasons = collections.defaultdict(list)
        clear = collections.defaultdict(set)
        for m in self.marks:
            st = mark_stats(m, self.s)
            m["stats"] = st
        for m in self.marks:
            role = m["role"]
            if role == "obliterator":
                continue
            if role == "stray":
                self.audit_stray(m, reasons)
                continue
            V, cont, extent = m["stats"]
            if V < V_INVISIBLE:
                continue
            where = self.locate(m)
            if where is None:
                continue
            (r, c), g, how = where
            col = (r, c)
            if role == "erased":
                reasons[col].append("erased")
                continue
            ob = m.get("struck_by")
            if ob is not None and ob["stats"][0] >= V_INVISIBLE:
                reasons[col].append("struck")
                continue
            if extent < SMALL_EXTENT:
                if how == "in":
                    reasons[col].append("small")
                continue
            if how == "off":
                reasons[col].append("off-box")
                continue
            if how == "between":
                reasons[col].append("between")
                continue
            if V < V_CLEAR or cont < 0.45:
                reasons[col].append("faint")
                continue
            clear[col].add(g)
        for r in range(self.rows):
            for c in range(self.cols):
                col = (r, c)
                if len(clear[col]) >= 2:
                    cols[col] = "X"
                elif reasons[col]:
                    cols[col] = "?"
                elif len(clear[col]) == 1:
                    cols[col] = "1234"[next(iter(clear[col]))]
                else:
                    cols[col] = "0"
        self.reasons = reasons
        self.truth = "".join(cols[(r, c)] for r in range(self.rows) for c in range(self.cols))
        self.kinds = [self.kind_label((r, c), cols[(r, c)]) for r in range(self.rows) for c in range(self.cols)]
        return self.truth

    def kind_label(self, col, symbol):
        what = self.column_plan[col]
        mine = [m for m in self.marks if m["col"] == col and m["role"] != "obliterator"]
        if what == "blank":
            base = "blank"
        elif what == "clear":
            base = mine[0]["label"] if mine else "blank"
        elif what == "faint":
            base = "faint"
        else:
            base = mine[0]["label"] if mine else what
        expect = {"blank": "0", "two-marks": "X"}.get(what)
        if what == "clear":
            expect = "digit"
        elif what in ("crossed-out", "scribbled-over", "erased", "hesitant", "between-boxes", "faint"):
            expect = "?"
        got = "digit" if symbol in "1234" else symbol
        if got != expect:
            why = sorted(set(self.reasons.get(col, []))) or ["none"]
            if what == "erased" and got in ("0", "digit"):
                why = ["gone"]
            base += "~" + "+".join(why)
        return base

    def row_boxes(self, r):
        return [(c, g, self.boxes[r][c][g]) for c in range(self.cols) for g in range(4)]

    def locate(self, m):
        """-> ((row, col), grade, 'in' | 'between' | 'off') for the box a person would attribute the mark to."""
        ax, ay = m["anchor"]
        s = self.s
        best = None
        for r in range(self.rows):
            y0, y1 = self.boxes[r][0][0][1], self.boxes[r][0][0][3]
            if y0 - 0.6 * s <= ay <= y1 + 0.6 * s:
                best = r
        if best is None:
            return None
        r = best
        rb = self.row_boxes(r)
        # nearest box horizontally
        dist = [(max(rect[0] - ax, 0, ax - rect[2]), c, g, rect) for c, g, rect in rb]
        dist.sort(key=lambda t: t[0])
        dx, c, g, rect = dist[0]
        if dx > 0.8 * s:
            return None
        y0, y1 = rect[1], rect[3]
        u = (ax - rect[0]) / (rect[2] - rect[0])
        v = (ay - y0) / (y1 - y0)
        col = (r, c)
        dark = m["dark"]
        M = float(dark.sum()) + 1e-6
        if v < -0.35 or v > 1.35 or dx > 0.25 * s:
            return col, g, "off"
        if u < 0.08 or u > 0.92:
            return col, g, "between"
        # ink in the neighbours' interiors
        for c2, g2, rect2 in rb:
            if (c2, g2) == (c, g):
                continue
            if abs(rect2[0] - rect[0]) > 1.6 * s:
                continue
            inset = 0.15 * s
            if ink_in(m, (rect2[0] + inset, rect2[1] + inset, rect2[2] - inset, rect2[3] - inset)) / M > 0.15:
                return col, g, "between"
        grow = 0.3 * s
        if ink_in(m, (rect[0] - grow, rect[1] - grow, rect[2] + grow, rect[3] + grow)) / M < 0.4:
            return col, g, "off"
        return col, g, "in"

    def audit_stray(self, m, reasons):
        V, cont, extent = m["stats"]
        if V < V_INVISIBLE or extent >= 3.0:  # invisible, or a long slip a person reads through
            return
        inset = 0.12 * self.s
        x0, y0 = m["x0"], m["y0"]
        h, w = m["dark"].shape
        for r in range(self.rows):
            for c in range(self.cols):
                for g in range(4):
                    b = self.boxes[r][c][g]
                    if b[2] < x0 or b[0] > x0 + w or b[3] < y0 or b[1] > y0 + h:
                        continue
                    inner = (b[0] + inset, b[1] + inset, b[2] - inset, b[3] - inset)
                    if ink_in(m, inner, thresh=V_INVISIBLE, count=True) > 12:
                        reasons[(r, c)].append("stray-in-box")

    def text_mode_ok(self):
        """A thresholding scanner would lose light ink: only pages all in dark pen may be scanned that way."""
        if self.pen.family not in ("ballpoint", "gel", "felt"):
            return False
        for m in self.marks:
            if m["role"] in ("erased",) or m["label"].startswith("faint"):
                return False
            if m["role"] in ("choice", "obliterator"):
                core = m["cov"] >= 0.5
                if m["stats"][0] < 0.5 or (core.any() and (m["dark"][core] >= 0.5).mean() < 0.8):
                    return False
            if m["role"] == "stray" and m["pen"].family not in ("ballpoint", "gel", "felt"):
                return False
        return "smudge" not in self.notes

    def min_clear_dark(self):
        vals = [m["stats"][0] for m in self.marks if m["role"] == "choice" and m["stats"][0] >= V_CLEAR]
        return min(vals) if vals else 1.0

    def min_seen_dark(self):
        """The lightest ink the truth depends on (clear, faint or erased-but-visible): a capture must keep it."""
        vals = [m["stats"][0] for m in self.marks if m["role"] in ("choice", "erased", "obliterator")
                and m["stats"][0] >= V_INVISIBLE]
        return min(vals) if vals else 1.0


def bbox_of(m):
    ys, xs = np.nonzero(m["dark"] > 0.02)
    if len(xs) == 0:
        h, w = m["dark"].shape
        return (m["x0"], m["y0"], m["x0"] + w, m["y0"] + h)
    return (m["x0"] + xs.min(), m["y0"] + ys.min(), m["x0"] + xs.max(), m["y0"] + ys.max())


def ink_in(m, rect, thresh=None, count=False):
    x0, y0 = m["x0"], m["y0"]
    h, w = m["dark"].shape
    X0, Y0 = max(int(round(rect[0])) - x0, 0), max(int(round(rect[1])) - y0, 0)
    X1, Y1 = min(int(round(rect[2])) - x0, w), min(int(round(rect[3])) - y0, h)
    if X1 <= X0 or Y1 <= Y0:
        return 0.0
    sub = m["dark"][Y0:Y1, X0:X1]
    if count:
        return float((sub >= thresh).sum())
    return float(sub.sum())


def visibility(cov, dark):
    core = cov >= 0.5
    if core.sum() < 3:
        return 0.0, 0.0
    vals = dark[core]
    V = float(np.percentile(vals, 70))
    cont = float((vals >= 0.5 * V_CLEAR).mean())
    return V, cont


def mark_stats(m, s):
    V, cont = visibility(m["cov"], m["dark"])
    ys, xs = np.nonzero(m["dark"] >= max(V_INVISIBLE, 0.4 * V))
    extent = 0.0 if len(xs) < 2 else max(np.ptp(xs), np.ptp(ys)) / s
    return V, cont, extent


# =====================================================================================================================
# Captures

def jpeg(image, quality, subsampling=None):
    buf = io.BytesIO()
    kw = {"quality": int(quality), "optimize": False}
    if subsampling is not None and image.mode == "RGB":
        kw["subsampling"] = subsampling
    image.save(buf, "JPEG", **kw)
    return buf.getvalue()


def affine_ok(points, fwd, size, margin):
    w, h = size
    for x, y in points:
        X, Y = fwd(x, y)
        if not (margin <= X <= w - margin and margin <= Y <= h - margin):
            return False
    return True


def solid_corners(t, scale=1.0):
    pts = []
    for x0, y0, x1, y1 in t["solids"]:
        pts += [(x0 * scale, y0 * scale), (x1 * scale, y0 * scale), (x0 * scale, y1 * scale), (x1 * scale, y1 * scale)]
    return pts


def scanner(ballot, rng):
    page = ballot.page
    H, W = page.shape[:2]
    dpi = int(rng.choice([150, 200, 200, 200, 240, 300, 300]))
    f = dpi / 300.0
    text = ballot.text_mode_ok() and rng.random() < 0.12
    mode = "text" if text else ("color" if rng.random() < 0.28 else "gray")
    im = Image.fromarray(page)
    if mode != "color":
        im = im.convert("L")
    w, h = int(round(W * f)), int(round(H * f))
    im = im.resize((w, h), Image.LANCZOS)
    desc = [f"scanner {dpi}dpi {mode}"]
    # lamp unevenness across the glass, and a fold lifting the paper off it (a soft shadow along the crease)
    colmult = 1 - rng.uniform(0, 0.03) * np.linspace(0, 1, w, dtype=np.float32) ** 2
    rowmult = np.ones(h, np.float32)
    if ballot.fold is not None:
        fd = ballot.fold
        n_ = w if fd["vertical"] else h
        d = np.abs(np.arange(n_, dtype=np.float32) - fd["pos"] * f) / (rng.uniform(2, 6) * MM * f)
        prof = 1 - rng.uniform(0.03, 0.1) * np.exp(-d ** 2)
        if fd["vertical"]:
            colmult = colmult * prof
        else:
            rowmult = prof.astype(np.float32)
        desc.append("fold-shadow")
    arr = np.asarray(im, np.float32)
    mult = rowmult[:, None] * colmult[None, :]
    arr = arr * (mult[..., None] if arr.ndim == 3 else mult)
    im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    # placement on the glass: skew and shift; the canvas is the scan area
    grey_bg = rng.random() < 0.3
    bg = int(rng.uniform(70, 170)) if grey_bg else int(rng.uniform(235, 255))
    mx, my = [int(rng.uniform(0, 4) * MM * f) for _ in range(2)]
    cw, ch = w + 2 * mx, h + 2 * my
    for attempt in range(12):
        ang = float(np.clip(rng.normal(0, 0.8), -2, 2)) * (0.7 ** attempt)
        sx, sy = [float(rng.normal(0, 2.5 * MM * f)) * (0.6 ** attempt) for _ in range(2)]
        a = math.radians(ang)
        ca, sa = math.cos(a), math.sin(a)
        cx, cy = w / 2, h / 2

        def fwd(x, y):
            dx, dy = x - cx, y - cy
            return (ca * dx - sa * dy + cx + mx + sx, sa * dx + ca * dy + cy + my + sy)
        if affine_ok(solid_corners(ballot.t, f), fwd, (cw, ch), 4 * f + 3):
            break
    else:
        ang = sx = sy = 0.0
        ca, sa = 1.0, 0.0
    # inverse map for PIL: output (X, Y) -> input
    ox, oy = cx + mx + sx, cy + my + sy
    coeffs = (ca, sa, cx - ca * ox - sa * oy, -sa, ca, cy + sa * ox - ca * oy)
    fill = (bg, bg, bg) if im.mode == "RGB" else bg
    im = im.transform((cw, ch), Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=fill)
    desc.append(f"skew={ang:+.2f}")
    if grey_bg:
        desc.append("grey-bg")
    # optics and tone
    if rng.random() < 0.6:
        im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    elif rng.random() < 0.6:
        im = im.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1, 2), percent=int(rng.uniform(40, 120)),
                                               threshold=2))
    lo, hi = rng.uniform(0, 25), rng.uniform(205, 250)
    gamma = rng.uniform(0.8, 1.25)
    # the tone curve may whiten the paper, but must not wipe out the lightest ink the truth depends on: keep at least
    # 70 % of its darkness (a scanner that ate the pencil would make the truth a lie)
    d = min(ballot.min_seen_dark(), 0.5)
    paper = 255 * float(ballot.paper @ np.array([0.299, 0.587, 0.114], np.float32))
    g_mark = paper * (1 - d)
    keep = 1 - 0.7 * d / min(gamma, 1.0)  # gamma below 1 lightens the light greys: ask for more room
    hi = float(np.clip(max(hi, lo + (g_mark - lo) / keep), 0, 255))
    out_lo, out_hi = rng.uniform(0, 18), rng.uniform(240, 256)
    x = np.clip((np.arange(256, dtype=np.float32) - lo) / (hi - lo), 0, 1) ** gamma
    lut = (out_lo + x * (out_hi - out_lo)).astype(np.float32)
    arr = lut[np.asarray(im)]
    arr += rng.standard_normal(arr.shape, dtype=np.float32) * rng.uniform(0.8, 3.0)
    desc.append(f"tone=g{gamma:.2f}")
    if mode == "text":
        t = rng.uniform(118, 140)
        arr = np.where(arr < t, rng.uniform(0, 30), rng.uniform(235, 255)).astype(np.float32)
        desc.append(f"threshold={t:.0f}")
    im = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8))
    q = int(rng.integers(60, 91))
    desc.append(f"q={q}")
    return jpeg(im, q, subsampling=int(rng.choice([0, 2])) if mode == "color" else None), " ".join(desc)


def homography(src, dst):
    A, b = [], []
    for (x, y), (X, Y) in zip(src, dst):
        A.append([x, y, 1, 0, 0, 0, -X * x, -X * y]); b.append(X)
        A.append([0, 0, 0, x, y, 1, -Y * x, -Y * y]); b.append(Y)
    h = np.linalg.solve(np.array(A, float), np.array(b, float))
    return np.append(h, 1).reshape(3, 3)


def apply_h(Hm, x, y):
    d = Hm[2, 0] * x + Hm[2, 1] * y + Hm[2, 2]
    return (Hm[0, 0] * x + Hm[0, 1] * y + Hm[0, 2]) / d, (Hm[1, 0] * x + Hm[1, 1] * y + Hm[1, 2]) / d


def phone(ballot, rng):
    page = ballot.page
    H, W = page.shape[:2]
    Lf = int(rng.integers(1280, 1601))  # what the messaging app sends (long side)
    aspect = 4 / 3 if rng.random() < 0.8 else 16 / 9
    step = 40  # the mesh cell of the camera mapping; the frame is a whole number of cells
    Wc = int(round(Lf * rng.uniform(1.0, 1.25) / step)) * step
    Hc = int(round(Wc / aspect / step)) * step
    desc = [f"phone {Lf}px"]
    light_marks = ballot.min_seen_dark() < 0.22
    # ---- where the page lies in the frame
    curl_kind = pick(rng, [("flat", 35), ("edge", 30), ("arch", 25), ("tent", 10 if ballot.fold else 0)])
    for attempt in range(30):
        fill = rng.uniform(0.80, 0.97) * (0.97 ** attempt)
        pw = fill * Wc
        ph = pw * H / W
        if ph > 0.95 * Hc:
            ph = 0.95 * Hc
            pw = ph * W / H
        cx = Wc / 2 + rng.uniform(-1, 1) * max(Wc - pw, 0) / 2 * 0.7
        cy = Hc / 2 + rng.uniform(-1, 1) * max(Hc - ph, 0) / 2 * 0.7
        k = rng.normal(0, 0.05)  # keystone (pitch)
        j = rng.normal(0, 0.035)  # yaw
        roll = rng.normal(0, 2.2)
        top = -ph / 2 * (1 - abs(k) * 0.3)
        pts = np.array([[-pw / 2 * (1 - k), top], [pw / 2 * (1 - k), top],
                        [pw / 2 * (1 + k), ph / 2], [-pw / 2 * (1 + k), ph / 2]])
        pts[:, 1] *= np.array([1 - j, 1 + j, 1 + j, 1 - j])
        pts += rng.normal(0, 0.006 * pw, pts.shape)
        pts = rot(pts, roll, np.zeros(2)) + (cx, cy)
        Hm = homography([(0, 0), (W, 0), (W, H), (0, H)], [tuple(p) for p in pts])
        Hinv = np.linalg.inv(Hm)
        curl = make_curl(rng, curl_kind, W, H, ballot.fold, pw / W)
        corners = solid_corners(ballot.t)

        def fwd(x, y):
            X, Y = apply_h(Hm, x, y)
            D = curl_disp(curl, np.array([x]), np.array([y]), np.array([X]), np.array([Y]), Wc, Hc)
            return X + float(D[0][0]), Y + float(D[1][0])
        if affine_ok(corners, fwd, (Wc, Hc), 0.015 * Wc):
            break
    else:  # never fitted: a plain, centred, flat shot
        pw = 0.8 * Wc
        ph = pw * H / W
        if ph > 0.9 * Hc:
            ph = 0.9 * Hc
            pw = ph * W / H
        k = j = roll = 0.0
        pts = np.array([[Wc / 2 - pw / 2, Hc / 2 - ph / 2], [Wc / 2 + pw / 2, Hc / 2 - ph / 2],
                        [Wc / 2 + pw / 2, Hc / 2 + ph / 2], [Wc / 2 - pw / 2, Hc / 2 + ph / 2]])
        Hm = homography([(0, 0), (W, 0), (W, H), (0, H)], [tuple(p) for p in pts])
        Hinv = np.linalg.inv(Hm)
        curl, curl_kind = None, "flat"
    desc.append(f"tilt=({k:+.2f},{j:+.2f},{roll:+.1f})")
    if curl_kind != "flat":
        desc.append(f"curl={curl_kind}")
    # ---- inverse mapping on a grid of cells, refined for the curl
    gx = np.arange(0, Wc + step, step, dtype=np.float64)
    gy = np.arange(0, Hc + step, step, dtype=np.float64)
    GX, GY = np.meshgrid(gx, gy)
    U, V = apply_h(Hinv, GX, GY)
    if curl is not None:
        for _ in range(4):
            DX, DY = curl_disp(curl, U, V, GX, GY, Wc, Hc)
            U, V = apply_h(Hinv, GX - DX, GY - DY)
    # the page's own shading (its curl, its fold), on the same grid
    light = np.ones_like(U)
    if curl is not None:
        light *= curl_shade(curl, U, V)
    if ballot.fold is not None:
        fd = ballot.fold
        d = (U - fd["pos"]) if fd["vertical"] else (V - fd["pos"])
        light *= 1 + fd["side"] * rng.uniform(0.02, 0.07) * np.tanh(d / (8 * MM))
    # sample the page through the mesh: a source about the frame's resolution, bilinear quads
    kred = max(1, int(round(W / pw)))
    srcim = Image.fromarray(page).reduce(kred) if kred > 1 else Image.fromarray(page)
    sw, sh = srcim.size
    Us, Vs = U * (sw / W), V * (sh / H)
    q = np.stack([Us[:-1, :-1], Vs[:-1, :-1], Us[1:, :-1], Vs[1:, :-1], Us[1:, 1:], Vs[1:, 1:],
                  Us[:-1, 1:], Vs[:-1, 1:]], -1)
    mesh = [((int(gx[ii]), int(gy[jj]), int(gx[ii + 1]), int(gy[jj + 1])), tuple(q[jj, ii].tolist()))
            for jj in range(len(gy) - 1) for ii in range(len(gx) - 1)]
    im = srcim.transform((Wc, Hc), Image.MESH, mesh, resample=Image.BILINEAR, fillcolor=(0, 0, 0))
    maskim = Image.new("L", (sw, sh), 255).transform((Wc, Hc), Image.MESH, mesh, resample=Image.BILINEAR,
                                                      fillcolor=0)
    img = np.asarray(im, np.float32)
    inside = np.asarray(maskim, np.float32) / 255
    # ---- the table under the page, and the page's shadow on it
    table = make_table(rng, Wc, Hc)
    sm = maskim.filter(ImageFilter.GaussianBlur(rng.uniform(3, 10)))
    shadow = np.roll(np.asarray(sm, np.float32) / 255, (int(rng.integers(2, 9)), int(rng.integers(-6, 7))), (0, 1))
    table *= (1 - rng.uniform(0.2, 0.45) * shadow)[..., None]
    img = img * inside[..., None] + table * (1 - inside[..., None])
    # ---- light: uneven illumination, colour of the light, vignetting, a hand's shadow (smooth: on the grid)
    gh, gw = light.shape
    cy_, cx_ = GY / Hc, GX / Wc
    illum = light * (1 + smooth_field(rng, gw, gh, (3, 3), -1, 1) * rng.uniform(0.05, 0.16))
    gdir = rng.uniform(0, 2 * math.pi)
    illum *= 1 + rng.uniform(0, 0.18) * ((cx_ - 0.5) * math.cos(gdir) + (cy_ - 0.5) * math.sin(gdir))
    r2c = ((cx_ - 0.5) / 0.5) ** 2 + ((cy_ - 0.5) / 0.5) ** 2
    illum *= 1 - rng.uniform(0.03, 0.15) * r2c
    if rng.random() < 0.45:
        illum *= hand_shadow(rng, gw, gh, cx_ * gw, cy_ * gh)
        desc.append("hand-shadow")
    illum = ndimage.gaussian_filter(illum, 0.7, mode="nearest")
    illum = np.asarray(Image.fromarray(illum.astype(np.float32), "F").resize((gw * step, gh * step), Image.BICUBIC))
    img *= illum[:Hc, :Wc, None]
    temp = pick(rng, [((1.0, 0.96, 0.86), 35), ((0.95, 0.98, 1.04), 25), ((1.0, 1.0, 1.0), 25),
                      ((1.02, 1.0, 0.93), 15)])
    img *= np.array(temp, np.float32)
    # ---- moire: faint curved bands of interference over the page
    if rng.random() < 0.22:
        yy, xx = np.mgrid[0:Hc, 0:Wc].astype(np.float32)
        r2 = ((xx - Wc / 2) / (Wc / 2)) ** 2 + ((yy - Hc / 2) / (Hc / 2)) ** 2
        fq = rng.uniform(0.012, 0.05)
        ang = rng.uniform(0, math.pi)
        ph = (xx * math.cos(ang) + yy * math.sin(ang)) * fq + rng.uniform(0.5, 3) * r2
        amp = rng.uniform(0.008, 0.025)
        for ch, shift in zip(range(3), (0.0, 0.7, 1.4)):
            img[..., ch] *= 1 + amp * np.cos(2 * math.pi * ph + shift) * inside
        desc.append("moire")
    # exposure: bring the brightest paper to where a phone puts it
    ref = np.percentile(img[::7, ::7].reshape(-1, 3).mean(1), 96)
    img *= rng.uniform(200, 245) / max(ref, 1)
    im = Image.fromarray(np.clip(img + 0.5, 0, 255).astype(np.uint8))
    # ---- optics: blur, and defocus towards one side
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9) * Wc / 1500))
    if rng.random() < 0.35:
        sig = rng.uniform(1.2, 1.8 if light_marks else 2.6) * Wc / 1500
        far = im.filter(ImageFilter.GaussianBlur(sig))
        a = rng.uniform(0, 2 * math.pi)
        proj = (cx_ - 0.5) * math.cos(a) + (cy_ - 0.5) * math.sin(a)
        m = np.clip((proj - rng.uniform(-0.1, 0.2)) / rng.uniform(0.3, 0.5), 0, 1)
        mask = Image.fromarray((m * 255).astype(np.uint8)).resize((gw * step, gh * step), Image.BILINEAR)
        mask = mask.crop((0, 0, Wc, Hc))
        im = Image.composite(far, im, mask)
        desc.append("defocus")
    # ---- sensor noise and the phone's processing
    img = np.asarray(im, np.float32)
    sigma = rng.uniform(1.5, 5.0)
    img = img + rng.standard_normal((Hc, Wc, 1), dtype=np.float32) * sigma
    img += rng.standard_normal((Hc, Wc, 3), dtype=np.float32) * (sigma * 0.4)
    gam = rng.uniform(0.85, 1.1)
    lut = np.clip(255 * (np.arange(256) / 255) ** gam + 0.5, 0, 255).astype(np.uint8)
    im = Image.fromarray(lut[np.clip(img + 0.5, 0, 255).astype(np.uint8)])
    im = im.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1.0, 2.2), percent=int(rng.uniform(50, 160)),
                                           threshold=int(rng.integers(1, 4))))
    cam_q = int(rng.integers(86, 96))
    im = Image.open(io.BytesIO(jpeg(im, cam_q)))
    # ---- the messaging app: resize to its long side and recompress
    if max(im.size) != Lf:
        sc = Lf / max(im.size)
        im = im.resize((int(round(im.size[0] * sc)), int(round(im.size[1] * sc))), Image.LANCZOS)
    q = int(rng.integers(60, 86))
    desc.append(f"q={cam_q}/{q}")
    return jpeg(im.convert("RGB"), q, subsampling=2), " ".join(desc)


def make_curl(rng, kind, W, H, fold, scale):
    if kind == "flat":
        return None
    c = {"kind": kind, "scale": scale, "dir": np.array([rng.normal(0, 0.15), -1.0]) * rng.uniform(0.25, 0.55),
         "radial": rng.uniform(0.3, 0.9), "light": rng.uniform(-1, 1)}
    if kind == "edge":
        c["edge"] = pick(rng, [("left", 1), ("right", 1), ("top", 1), ("bottom", 1)])
        c["d0"] = rng.uniform(0.12, 0.3)
        c["A"] = rng.uniform(0.008, 0.03) * W
    elif kind == "arch":
        c["axis"] = "u" if rng.random() < 0.6 else "v"
        c["A"] = rng.uniform(0.004, 0.018) * W * rng.choice([-1, 1])
    else:  # tent around the fold
        c["fold"] = fold
        c["A"] = rng.uniform(0.004, 0.015) * W
        c["d0"] = rng.uniform(0.15, 0.4) * (W if fold["vertical"] else H)
    c["W"], c["H"] = W, H
    return c


def curl_height(c, U, V):
    W, H = c["W"], c["H"]
    if c["kind"] == "edge":
        e = c["edge"]
        d = {"left": U / W, "right": 1 - U / W, "top": V / H, "bottom": 1 - V / H}[e]
        return c["A"] * np.clip((c["d0"] - d) / c["d0"], 0, None) ** 2
    if c["kind"] == "arch":
        t = np.clip(U / W if c["axis"] == "u" else V / H, 0, 1)
        return c["A"] * np.sin(math.pi * t)
    fd = c["fold"]
    d = (U - fd["pos"]) if fd["vertical"] else (V - fd["pos"])
    return c["A"] * np.clip(1 - np.abs(d) / c["d0"], 0, 1)


def curl_disp(c, U, V, X, Y, Wc, Hc):
    if c is None:
        return np.zeros_like(X), np.zeros_like(Y)
    h = curl_height(c, U, V) * c["scale"]  # frame px
    rx = (X - Wc / 2) / Wc * c["radial"]
    ry = (Y - Hc / 2) / Wc * c["radial"]
    return h * (rx + c["dir"][0]), h * (ry + c["dir"][1])


def curl_shade(c, U, V):
    gy, gx = np.gradient(curl_height(c, U, V))
    du = np.gradient(U, axis=1).mean() + 1e-6
    dv = np.gradient(V, axis=0).mean() + 1e-6
    sx, sy = gx / du, gy / dv
    return np.clip(1 + c["light"] * 0.8 * sx - 0.5 * sy - 0.15 * (sx ** 2 + sy ** 2), 0.7, 1.15)


def make_table(rng, w, h):
    """What the page lies on: wood, a grey or white desk, dark cloth (built at a quarter size, then enlarged)."""
    kind = pick(rng, [("wood", 35), ("grey", 25), ("white", 15), ("dark", 25)])
    base = {"wood": (0.50, 0.34, 0.20), "grey": (0.45, 0.45, 0.46), "white": (0.82, 0.82, 0.80),
            "dark": (0.14, 0.14, 0.16)}[kind]
    qw, qh = max(8, w // 4), max(6, h // 4)
    tex = 1 + smooth_field(rng, qw, qh, (8, 6), -0.12, 0.12) + rng.normal(0, 0.02, (qh, qw)).astype(np.float32)
    if kind == "wood":  # grain: many thin, wavy, uneven lines along the planks
        ys = np.arange(qh, dtype=np.float32)[:, None] + smooth_field(rng, qw, qh, (4, 3), -12, 12)
        grain = (np.sin(ys / rng.uniform(0.6, 1.2)) * 0.5 + np.sin(ys / rng.uniform(2.0, 4.0) + 1.3) * 0.5)
        grain = grain * smooth_field(rng, qw, qh, (12, 3), 0.2, 1.0) + rng.normal(0, 0.3, (qh, qw))
        tex *= 1 + 0.07 * grain.astype(np.float32)
    out = np.clip(np.stack([tex * b for b in base], -1) * 255 * rng.uniform(0.8, 1.1), 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(out).resize((w, h), Image.BILINEAR), np.float32)


def hand_shadow(rng, w, h, xx, yy):
    """A soft shadow of a hand and forearm (or the phone) reaching in from one side (on a coarse grid)."""
    side = pick(rng, [("bottom", 3), ("right", 3), ("left", 1), ("top", 1)])
    if side in ("bottom", "top"):
        x = rng.uniform(0.2, 0.8) * w
        reach = rng.uniform(0.15, 0.45) * h
        tip = np.array([x + rng.normal(0, 0.1) * w, (h - reach) if side == "bottom" else reach])
        base = np.array([x, h if side == "bottom" else 0])
    else:
        y = rng.uniform(0.25, 0.85) * h
        reach = rng.uniform(0.12, 0.35) * w
        tip = np.array([(w - reach) if side == "right" else reach, y + rng.normal(0, 0.1) * h])
        base = np.array([w if side == "right" else 0, y])
    width = rng.uniform(0.10, 0.22) * min(w, h)
    d = tip - base
    t = np.clip(((xx - base[0]) * d[0] + (yy - base[1]) * d[1]) / (d @ d), 0, 1)
    dist = np.hypot(xx - base[0] - t * d[0], yy - base[1] - t * d[1])
    m = np.clip((width * (0.7 + 0.5 * t) - dist) / (width * 0.5) + 0.5, 0, 1)
    m = ndimage.gaussian_filter(m, rng.uniform(0.03, 0.07) * w + 1.0)
    return 1 - rng.uniform(0.2, 0.4) * m


# =====================================================================================================================
# Pages

def make_ballot(templates, seed, i):
    t = templates[i % len(templates)]
    b = Ballot(t, seed, i)
    b.template = i % len(templates)
    b.audit()
    return b


def make_one(args):
    folder, seed, i, kind, debug = args
    templates = templates_from(folder)
    b = make_ballot(templates, seed, i)
    out = []
    kinds = ("scanner", "phone") if kind == "both" else (kind,)
    for k in kinds:
        rng = rng_for(seed, i, k)
        data, desc = (scanner if k == "scanner" else phone)(b, rng)
        out.append({"file": f"{k}-{i:04d}.jpg", "kind": k, "truth": b.truth, "markKinds": list(b.kinds),
                    "capture": desc, "jpeg": data, "template": b.template, "index": i,
                    "voter": f"{b.pen.name} {b.hand.style}" + (f"+{b.hand.second}" if b.hand.second else "")
                    + (" left-handed" if b.hand.left else ""), "paper": list(b.notes)})
    if debug:
        write_debug(b, out, debug)
    return out


def make_pages(folder, n, seed=DEFAULT_SEED, kind="both", workers=1, debug=None):
    """2n pages for kind "both" (each ballot drawn once, then captured by an office scanner AND photographed by a
    phone), n for "scanner" or "phone"."""
    if kind not in ("both", "scanner", "phone"):
        raise ValueError(kind)
    if debug:
        os.makedirs(debug, exist_ok=True)
    templates_from(folder)  # load once before forking
    jobs = [(folder, seed, i, kind, debug) for i in range(n)]
    if workers and workers > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(make_one, jobs, chunksize=1)
    else:
        results = [make_one(j) for j in jobs]
    return [p for r in results for p in r]


def write_debug(b, pages, outdir):
    os.makedirs(outdir, exist_ok=True)
    for p in pages:
        with open(os.path.join(outdir, p["file"]), "wb") as fh:
            fh.write(p["jpeg"])
    scale = 0.5
    im = Image.fromarray(b.page).resize((int(b.W * scale), int(b.H * scale)), Image.LANCZOS)
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=22)
    small = ImageFont.load_default(size=9)
    k = 0
    for r in range(b.rows):
        for c in range(b.cols):
            rects = b.boxes[r][c]
            x0, y0 = rects[0][0] * scale, rects[0][1] * scale
            x1, y1 = rects[3][2] * scale, rects[3][3] * scale
            sym = b.truth[k]
            color = (0, 140, 0) if sym in "1234" else (200, 0, 0) if sym == "?" else (0, 0, 220)
            if sym in "1234":
                g = rects["1234".index(sym)]
                d.rectangle([g[0] * scale - 2, g[1] * scale - 2, g[2] * scale + 2, g[3] * scale + 2], outline=color)
            d.text((x1 + 2, y0 - 4), sym, fill=color, font=font)
            d.text((x0, y1 + 2), b.kinds[k][:34], fill=(120, 0, 120), font=small)
            k += 1
    d.text((20, b.H * scale - 40), f"seed {b.seed} ballot {b.i}: {pages[0]['voter']}; paper: {b.notes}; "
           + " | ".join(p["capture"] for p in pages), fill=(200, 0, 0), font=ImageFont.load_default(size=14))
    im.save(os.path.join(outdir, f"truth-{b.i:04d}.png"))
    meta = [{k2: v for k2, v in p.items() if k2 != "jpeg"} for p in pages]
    with open(os.path.join(outdir, f"truth-{b.i:04d}.json"), "w") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--templates", default="/tmp/omrdev/heldout-templates")
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--seed", type=int, default=15000)
    ap.add_argument("--kind", default="both", choices=["both", "scanner", "phone"])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--debug", default=None, help="write captures, truth overlays and truth json here")
    ap.add_argument("--stats", action="store_true", help="print the distribution of truth symbols and mark kinds")
    args = ap.parse_args()
    if args.seed == DEFAULT_SEED:
        sys.exit(f"seed {DEFAULT_SEED} is the judge set: it is not looked at here; use another seed (e.g. 15000)")
    start = time.time()
    pages = make_pages(args.templates, args.pages, args.seed, args.kind, workers=args.workers, debug=args.debug)
    took = time.time() - start
    ballots = {p["index"]: p for p in pages}
    sym = collections.Counter(ch for p in ballots.values() for ch in p["truth"])
    total = sum(sym.values())
    print(f"{len(pages)} pages from {len(ballots)} ballots in {took:.1f} s "
          f"({took / max(len(ballots), 1):.2f} s per ballot, {args.workers} worker(s))")
    print("truth: " + ", ".join(f"{k} {v} ({100 * v / total:.1f} %)" for k, v in sorted(sym.items())))
    if args.stats:
        kinds = collections.Counter(k for p in ballots.values() for k in p["markKinds"])
        by = collections.defaultdict(collections.Counter)
        for p in ballots.values():
            for k, t in zip(p["markKinds"], p["truth"]):
                by[k]["digit" if t in "1234" else t] += 1
        for k, v in kinds.most_common():
            print(f"  {k:36s} {v:5d}  " + " ".join(f"{t}:{n}" for t, n in sorted(by[k].items())))
        caps = collections.Counter(w for p in pages for w in p["capture"].split() if "=" not in w and "px" not in w
                                   and "dpi" not in w)
        print("captures: " + ", ".join(f"{k} {v}" for k, v in caps.most_common()))
        print("voters: " + "; ".join(sorted(set(p["voter"] for p in ballots.values()))))
    for p in pages[:4]:
        print(p["file"], p["truth"], p["capture"])


if __name__ == "__main__":
    main()
