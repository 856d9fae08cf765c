"""Latency of every demo in ``lossviz.widgets.catalog()``, against a naive full re-plot.

Run from the repository root::

    .venv/bin/python benchmarks/bench_widgets.py            # all demos, 60 changes per control
    .venv/bin/python benchmarks/bench_widgets.py --changes 20 --demo ThresholdExplorer

For each demo and each control the harness cycles the control through its range
(sliders: a triangle wave min -> max -> min snapped to the slider's step; dropdowns: every
option in turn) and times, per change:

update   control.value = v  ->  the observer ran, the artists moved and the figure's Agg
         buffer holds the complete new image (a real render, not draw_idle);
naive    the same change, then ``naive_replot()``: clear the figure, rebuild all axes and
         artists, full ``canvas.draw()``;
png      encoding the rendered buffer as PNG for the live view (``live_png()``), reported
         separately because it only runs when a live view is displayed.

Budgets (SPEC §8): update p50 <= 16 ms, p95 <= 33 ms, p50 update / p50 naive <= 0.4.
Results are printed as a table and written as JSON to benchmarks/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import numpy as np

from lossviz.widgets import Demo, catalog

BUDGET_P50_MS = 16.0
BUDGET_P95_MS = 33.0
BUDGET_RATIO = 0.4
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Result:
    demo: str
    changes: int
    update_p50_ms: float
    update_p95_ms: float
    naive_p50_ms: float
    naive_p95_ms: float
    ratio_p50: float
    png_p50_ms: float
    png_p95_ms: float
    png_kb: float

    @property
    def within_budget(self) -> bool:
        return (
            self.update_p50_ms <= BUDGET_P50_MS
            and self.update_p95_ms <= BUDGET_P95_MS
            and self.ratio_p50 <= BUDGET_RATIO
        )


def value_cycle(control: widgets.ValueWidget, n: int) -> list[Any]:
    """``n`` values for ``control``, each different from the one before."""
    if isinstance(control, (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons)):
        options = [value for _, value in control.options]
        if len(options) < 2:
            return []
        start = options.index(control.value)
        return [options[(start + 1 + i) % len(options)] for i in range(n)]
    if isinstance(control, widgets.Checkbox):
        return [bool((control.value + 1 + i) % 2) for i in range(n)]
    lo, hi, step = control.min, control.max, getattr(control, "step", None) or 1
    phase = np.abs(((np.arange(1, n + 1) / (n / 2)) % 2) - 1)  # triangle wave in [0, 1]
    raw = hi - phase * (hi - lo)
    snapped = lo + np.round((raw - lo) / step) * step
    values = [int(v) if isinstance(control, widgets.IntSlider) else float(v) for v in snapped]
    out, previous = [], control.value
    for v in values:
        if v != previous:
            out.append(v)
            previous = v
    return out


def changes(demo: Demo, per_control: int) -> Iterator[tuple[widgets.ValueWidget, Any]]:
    for control in demo.controls.values():
        for value in value_cycle(control, per_control):
            yield control, value


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1e3


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def measure(name: str, demo: Demo, per_control: int) -> Result:
    for control, value in list(changes(demo, 3)):  # warm caches (fonts, text layout)
        control.value = value

    update, png = [], []
    for control, value in changes(demo, per_control):
        update.append(timed(lambda c=control, v=value: setattr(c, "value", v)))
        png.append(timed(demo.live_png))
    png_kb = len(demo.live_png()) / 1024

    naive = []
    for control, value in changes(demo, per_control):

        def replot(c: widgets.ValueWidget = control, v: Any = value) -> None:
            with demo.hold(render=False):
                c.value = v
            demo.naive_replot()

        naive.append(timed(replot))

    u50, u95 = percentiles(update)
    n50, n95 = percentiles(naive)
    p50, p95 = percentiles(png)
    return Result(name, len(update), u50, u95, n50, n95, u50 / n50, p50, p95, png_kb)


def table(results: list[Result]) -> str:
    head = (
        f"{'demo':<22} {'changes':>7} {'update p50':>10} {'p95':>7} {'naive p50':>10} "
        f"{'p95':>7} {'ratio':>6} {'png p50':>8} {'p95':>6} {'png kB':>7}  budget"
    )
    rows = [head, "-" * len(head)]
    for r in results:
        rows.append(
            f"{r.demo:<22} {r.changes:>7} {r.update_p50_ms:>8.2f}ms {r.update_p95_ms:>5.2f}ms "
            f"{r.naive_p50_ms:>8.1f}ms {r.naive_p95_ms:>5.1f}ms {r.ratio_p50:>6.3f} "
            f"{r.png_p50_ms:>6.2f}ms {r.png_p95_ms:>4.1f}ms {r.png_kb:>7.1f}  "
            f"{'ok' if r.within_budget else 'OVER'}"
        )
    rows.append(
        f"budgets: update p50 <= {BUDGET_P50_MS:g} ms, p95 <= {BUDGET_P95_MS:g} ms, "
        f"ratio (update p50 / naive p50) <= {BUDGET_RATIO:g}; png is reported, not budgeted"
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=60, help="value changes per control")
    parser.add_argument("--demo", action="append", help="only these demos (repeatable)")
    parser.add_argument("--no-json", action="store_true", help="do not write a JSON file")
    args = parser.parse_args(argv)

    entries = catalog()
    names = args.demo or list(entries)
    results = []
    for name in names:
        demo = entries[name].make()
        results.append(measure(name, demo, args.changes))
        print(f"measured {name}", file=sys.stderr)

    print(table(results))
    if not args.no_json:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS_DIR / f"widgets-{stamp}.json"
        meta = {
            "date": stamp,
            "python": platform.python_version(),
            "matplotlib": matplotlib.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "changes_per_control": args.changes,
        }
        payload = {"meta": meta, "results": [asdict(r) | {"ok": r.within_budget} for r in results]}
        path.write_text(json.dumps(payload, indent=2))
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0 if all(r.within_budget for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
