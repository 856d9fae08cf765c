#!/usr/bin/env python3
"""Fail if any given notebook carries outputs or execution counts (SPEC section 2).

Usage: python3 .ci/notebooks_clean.py [--fix] notebooks/*.ipynb
With --fix the outputs and execution counts are removed in place.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def dirty_cells(nb: dict) -> int:
    return sum(
        1
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count"))
    )


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    paths = [Path(a) for a in argv if a != "--fix"] or sorted(Path("notebooks").glob("*.ipynb"))
    status = 0
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        n = dirty_cells(nb)
        if not n:
            continue
        if fix:
            for c in nb["cells"]:
                if c.get("cell_type") == "code":
                    c["outputs"], c["execution_count"] = [], None
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"{path}: removed outputs from {n} cell(s)")
        else:
            print(f"{path}: {n} code cell(s) carry outputs; run with --fix")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
