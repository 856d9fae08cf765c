"""Helpers for the browser tests: headless Chromium (Debian's), no network, JupyterLab.

Nothing here downloads a browser: Playwright drives the system Chromium through
``executable_path``. Every browser context made by :func:`offline_context` lets through
only ``file://``, ``data:``, ``blob:`` and loopback (127.0.0.1) requests; anything else is
aborted *and recorded*, so a test can fail on a page that tried to reach the network.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "_artifacts"

#: Where Debian (and most Linux distributions) put Chromium.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--disable-domain-reliability",
    # Belt and braces: no host name resolves except loopback, so even a request that
    # slipped past the context's routing could not leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    # ... and whatever is not loopback (IP literals, WebSockets included) goes to a proxy
    # on a port where nothing listens. Loopback bypasses proxies implicitly.
    "--proxy-server=http://127.0.0.1:9",
]
INSTALL_HINT = (
    "install Debian's Chromium: `sudo apt-get install -y chromium chromium-driver` "
    "(or set LOSSVIZ_CHROMIUM=/path/to/chromium)"
)
LOCAL_URL = re.compile(r"^(file:|data:|blob:|about:|http://127\.0\.0\.1(:\d+)?/)")
LOCAL_WS = re.compile(r"^wss?://127\.0\.0\.1(:\d+)?/")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> None:
    """Fail under CI (a browser test must never pass by not running); skip elsewhere."""
    if in_ci():
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """The system Chromium: $LOSSVIZ_CHROMIUM, then the usual names on PATH."""
    override = os.environ.get("LOSSVIZ_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


# --------------------------------------------------------------------------------------
# A browser context with no network, and what its pages report
# --------------------------------------------------------------------------------------


@dataclass
class PageLog:
    """Console errors, uncaught page errors, failed and blocked requests of a context."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def clear(self) -> None:
        for items in (self.console_errors, self.page_errors, self.failed_requests, self.blocked):
            items.clear()

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"blocked network request: {m}" for m in self.blocked]
        )

    def watch_websockets(self, page: Any) -> None:
        if getattr(page, "_lossviz_ws_watched", False):
            return
        page._lossviz_ws_watched = True

        def on_websocket(ws: Any) -> None:
            if not LOCAL_WS.match(ws.url):
                self.blocked.append(ws.url)

        page.on("websocket", on_websocket)

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                location = message.location or {}
                where = f" ({location.get('url', '')}:{location.get('lineNumber', '')})"
                self.console_errors.append(message.text + (where if location else ""))

        def on_failed(request: Any) -> None:
            if request.url in self.blocked:
                return  # aborted by us: already recorded as blocked
            self.failed_requests.append(f"{request.url} ({request.failure})")

        self.watch_websockets(page)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", on_failed)


def offline_context(browser: Any, log: PageLog, **options: Any) -> Any:
    """A new browser context that aborts and records every non-local request."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(service_workers="block", **options)

    def route(route: Any) -> None:
        url = route.request.url
        if LOCAL_URL.match(url):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    # WebSockets are not routed (Playwright's WebSocket routing wraps every socket, the
    # kernel's too); a non-local one is recorded here and cannot connect anyway: the
    # launch arguments send all non-loopback traffic to a dead proxy and resolve no names.
    context.on("page", log.watch_websockets)
    return context


# --------------------------------------------------------------------------------------
# The book's pages
# --------------------------------------------------------------------------------------


def toc_files(toc: Path) -> list[str]:
    """Every ``file:`` of a Jupyter Book ``_toc.yml`` (root first), without suffix."""
    import yaml

    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    files = [data["root"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in data.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb|rst)$", "", f) for f in files]


# --------------------------------------------------------------------------------------
# JupyterLab on loopback, with a token, offline
# --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: User settings that keep JupyterLab quiet and deterministic: no news or update checks
#: (and no toast asking about them), every cell attached to the DOM.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@dataclass
class LabServer:
    process: subprocess.Popen[bytes]
    port: int
    token: str
    root_dir: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def _request(self, path: str, method: str = "GET", timeout: float = 5) -> int:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status

    def kernel_state(self, notebook: str) -> str | None:
        """The execution state of the kernel of ``notebook``'s session (None: no kernel
        yet, or no browser connected to it)."""
        request = urllib.request.Request(
            f"{self.base_url}/api/sessions", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            sessions = json.load(response)
        for session in sessions:
            kernel = session.get("kernel") or {}
            if session.get("path", "").endswith(notebook) and kernel.get("connections", 0) > 0:
                return kernel.get("execution_state")
        return None

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self._request("/api/status") == 200:
                    return
            time.sleep(0.3)
        raise TimeoutError(f"JupyterLab did not answer in {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Shut down (kernels included): the API, then SIGTERM, then SIGKILL; bounded."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self._request("/api/shutdown", method="POST")
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGKILL)
                    self.process.wait(timeout=10)
        # the server's own process group: a kernel left behind by a crash goes too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)


@contextlib.contextmanager
def jupyterlab(root_dir: Path, work_dir: Path) -> Iterator[LabServer]:
    """Run ``python -m jupyterlab`` (this interpreter's) on 127.0.0.1, offline, with a token.

    Config, data, runtime and settings directories are fresh folders under ``work_dir``,
    so neither the user's Jupyter set-up nor this run leaks into the other.
    """
    port, token = free_port(), secrets.token_hex(24)
    dirs = {name: work_dir / name for name in ("config", "data", "runtime", "settings",
                                                "workspaces", "ipython")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    for name, settings in LAB_SETTINGS.items():
        target = dirs["settings"] / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings), encoding="utf-8")
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        MPLBACKEND="Agg",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.allow_remote_access=False",
        "--ServerApp.terminals_enabled=False",
        # offline: no news feed, no update check, no PyPI-backed extension manager
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")  # CI machines run as root
    log_path = work_dir / "jupyterlab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=root_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = LabServer(process, port, token, root_dir, log_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
