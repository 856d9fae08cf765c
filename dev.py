#!/usr/bin/env python3
"""One entry point for the course: set-up, build the book, run the tests.

    python3 dev.py book     # set up .venv if needed, then build the book strictly
    python3 dev.py test     # set up .venv if needed, then run every test (one pytest run)
    python3 dev.py lab      # set up .venv if needed, then open the chapters in JupyterLab
    python3 dev.py bench    # widget latency benchmark (SPEC section 8)
    python3 dev.py setup    # only the set-up

Needs nothing but Python 3.10+ and git: the set-up creates ``.venv`` next to this file
and installs ``requirements.txt`` into it (re-installing only when that file or
pyproject.toml changes). Extra arguments after ``test`` go to pytest, for example
``python3 dev.py test -m "not slow"``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"
BOOK_COMMAND = ["jupyter-book", "build", ".", "-W", "-n", "--keep-going"]


def _say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def _run(cmd: list[str | os.PathLike[str]], **kwargs: object) -> int:
    _say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)  # type: ignore[arg-type]


def _requirements_digest() -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        h.update((ROOT / name).read_bytes())
    h.update(sys.version.encode())
    return h.hexdigest()


def setup() -> None:
    """Create .venv and install requirements.txt into it, unless already up to date."""
    if sys.version_info < (3, 10):  # noqa: UP036 (dev.py may be run by an older python3)
        sys.exit(f"Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    if not PY.exists():
        _say(f"creating a virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    digest = _requirements_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    _say("installing requirements.txt (a few minutes the first time)")
    pip = [PY, "-m", "pip", "--disable-pip-version-check"]
    if _run([*pip, "install", "--quiet", "--upgrade", "pip"]) != 0:
        sys.exit("could not upgrade pip in .venv")
    # --no-compile: bytecode is written lazily for the modules actually imported, instead of
    # precompiling every installed package (~180 MB that the course never loads).
    if _run([*pip, "install", "--quiet", "--no-compile", "-r", "requirements.txt"]) != 0:
        sys.exit("pip could not install requirements.txt; see the messages above.")
    STAMP.write_text(digest)


def setup_browser_tests() -> None:
    """Install the `browser` extra (Playwright, for the browser tests) into .venv, once."""
    stamp = VENV / ".browser-extra.sha256"
    digest = _requirements_digest()
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    _say("installing Playwright for the browser tests (it drives Debian's Chromium)")
    pip = [PY, "-m", "pip", "--disable-pip-version-check", "install", "--quiet", "--no-compile"]
    if _run([*pip, "-e", ".[browser]"]) != 0:
        sys.exit("pip could not install the browser extra; see the messages above.")
    stamp.write_text(digest)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def book(args: list[str]) -> int:
    setup()
    code = _run([BIN / BOOK_COMMAND[0], *BOOK_COMMAND[1:], *args], env=_env())
    if code == 0:
        _say(f"the book is at {ROOT / '_build' / 'html' / 'index.html'}")
    return code


# --- Chromium for the browser tests (tests/test_browser.py) ----------------------------
# Playwright drives the system's Chromium; nothing downloads a browser. Where it is missing,
# install Debian's packages if this user may (root, or passwordless sudo); otherwise say how.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
CHROMIUM_PACKAGES = ["chromium", "chromium-driver"]


def ensure_chromium() -> None:
    """Make a headless Chromium available for the browser tests, if it can be done."""
    if os.environ.get("LOSSVIZ_CHROMIUM") or any(shutil.which(n) for n in CHROMIUM_NAMES):
        return
    hint = "sudo apt-get install -y " + " ".join(CHROMIUM_PACKAGES)
    if not shutil.which("apt-get"):
        _say(f"no Chromium found: the browser tests will skip (CI fails); install it ({hint}).")
        return
    if os.name == "posix" and os.geteuid() == 0:
        sudo: list[str] = []
    elif shutil.which("sudo") and subprocess.call(
        ["sudo", "-n", "true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) == 0:
        sudo = ["sudo", "-n"]
    else:
        _say(f"no Chromium found: the browser tests will skip (CI fails); run: {hint}")
        return
    _say("installing Debian's Chromium for the browser tests")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if (
        _run([*sudo, "apt-get", "update", "-qq"], env=env) != 0
        or _run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends",
                 *CHROMIUM_PACKAGES], env=env) != 0
    ):
        _say(f"could not install Chromium; the browser tests will skip (CI fails): {hint}")


def test(args: list[str]) -> int:
    setup()
    setup_browser_tests()
    ensure_chromium()
    return _run([PY, "-m", "pytest", *args], env=_env())


def lab(args: list[str]) -> int:
    setup()
    return _run([BIN / "jupyter", "lab", "notebooks", *args], env=_env())


def bench(args: list[str]) -> int:
    setup()
    return _run([PY, "benchmarks/bench_widgets.py", *args], env=_env())


COMMANDS = {"book": book, "test": test, "lab": lab, "bench": bench}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "setup":
        setup()
        return 0
    if command not in COMMANDS:
        print(f"unknown command {command!r}; choose one of: setup, {', '.join(COMMANDS)}")
        return 2
    return COMMANDS[command](rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
