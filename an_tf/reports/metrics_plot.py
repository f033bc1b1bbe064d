"""A line plot of one metric of <workdir>/metrics.jsonl against the training step, drawn with
Pillow (matplotlib is not a dependency): axes with ticks, the curve, its points, and the best
point marked."""

import json
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT, MARGIN = 640, 400, (70, 20, 30, 50)  # left, top, right, bottom


def read_metric(workdir, metric):
    """(steps, values) of `metric` in <workdir>/metrics.jsonl; ValueError (one line) if the file
    or the metric is missing (naming the metrics there are)."""
    path = os.path.join(workdir, "metrics.jsonl")
    if not os.path.exists(path):
        raise ValueError(f"{path} not found: train with --eval_every to write it")
    with open(path, encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream if line.strip()]
    points = [(r["step"], r[metric]) for r in records if isinstance(r.get(metric), (int, float))]
    if not points:
        names = sorted({k for r in records for k, v in r.items() if isinstance(v, (int, float))})
        raise ValueError(f"no metric {metric!r} in {path}; there are: {', '.join(names)}")
    steps, values = zip(*points)
    return np.asarray(steps), np.asarray(values, np.float64)


def _ticks(low, high, count=5):
    """About `count` round tick values covering [low, high]."""
    span = max(high - low, 1e-12)
    step = 10 ** np.floor(np.log10(span / count))
    step *= min((m for m in (1, 2, 5, 10) if span / (step * m) <= count), default=10)
    return np.arange(np.ceil(low / step) * step, high + step / 2, step)


def plot_metric(steps, values, title, lower_is_better=True):
    """An RGB PIL image of `values` against `steps`."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=13)
    left, top, right, bottom = MARGIN[0], MARGIN[1], WIDTH - MARGIN[2], HEIGHT - MARGIN[3]
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    first, last = float(steps.min()), float(max(steps.max(), steps.min() + 1))

    def xy(step, value):
        return (left + (step - first) / (last - first) * (right - left),
                bottom - (value - low) / (high - low) * (bottom - top))

    draw.rectangle([left, top, right, bottom], outline="black")
    for value in _ticks(low, high):
        y = xy(first, value)[1]
        draw.line([left - 4, y, left, y], fill="black")
        draw.line([left, y, right, y], fill=(230, 230, 230))
        draw.text((4, y - 6), f"{value:.3g}", fill="black", font=font)
    for step in _ticks(first, last):
        x = xy(step, low)[0]
        draw.line([x, bottom, x, bottom + 4], fill="black")
        draw.text((x - 12, bottom + 8), f"{int(step)}", fill="black", font=font)
    draw.text(((left + right) // 2 - 12, HEIGHT - 18), "step", fill="black", font=font)
    draw.text((left, 4), title, fill="black", font=font)
    points = [xy(s, v) for s, v in zip(steps, values)]
    if len(points) > 1:
        draw.line(points, fill=(31, 119, 180), width=2)
    for x, y in points:
        draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(31, 119, 180))
    best = int(np.argmin(values) if lower_is_better else np.argmax(values))
    x, y = points[best]
    draw.ellipse([x - 6, y - 6, x + 6, y + 6], outline=(214, 39, 40), width=2)
    return image
