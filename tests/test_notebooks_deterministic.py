"""Every chapter seeds its randomness: two executions print the same numbers (SPEC section 9).

nbval (run by the same pytest command) proves each chapter executes without error; this test
executes each chapter twice in fresh kernels and compares everything it prints and every
figure it draws.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Widget model ids are random per kernel; they are not numbers the chapter computed.
_MODEL_ID = re.compile(r'"model_id":\s*"[0-9a-f]+"')


def _fingerprint(path: Path) -> list[tuple[int, str]]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    out: list[tuple[int, str]] = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                # one cell's prints arrive in as many chunks as the kernel flushed:
                # compare the text, not how it was chunked
                if out and out[-1][0] == index and out[-1][1].startswith("stream:"):
                    out[-1] = (index, out[-1][1] + output["text"])
                else:
                    out.append((index, "stream:" + output["text"]))
            for mime, value in output.get("data", {}).items():
                if mime == "application/vnd.jupyter.widget-view+json":
                    continue
                text = value if isinstance(value, str) else "".join(value)
                text = _MODEL_ID.sub("", text)
                out.append((index, f"{mime}:{hashlib.sha256(text.encode()).hexdigest()}"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_two_executions_print_and_draw_the_same(path: Path) -> None:
    first, second = _fingerprint(path), _fingerprint(path)
    assert len(first) == len(second), "the two runs produced a different number of outputs"
    differing = [a[0] for a, b in zip(first, second, strict=True) if a != b]
    assert not differing, f"{path.name}: outputs of cells {sorted(set(differing))} differ between runs"
