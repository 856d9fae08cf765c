"""Real-browser tests: the built book and a live chapter in JupyterLab, with no network.

Headless Chromium from the system's packages (Debian's ``chromium``), driven by Playwright
for Python through ``executable_path``: no browser is ever downloaded. Every browser
context aborts and records any request that is not ``file://``, ``data:``, ``blob:`` or
loopback; a page that tries to reach the network fails its test.

1. ``test_every_book_page_renders_offline``: every page of the book's ``_toc.yml`` opened
   from ``_build/html``: no console or page errors, every image loaded, math typeset by the
   MathJax served from the build, solutions collapsed until clicked, the demos' static
   images with their note, the loss atlas and the API page complete. Full-page screenshots
   go to ``tests/_artifacts/book-*.png``.
2. ``test_jupyterlab_runs_chapter_00_and_the_slider_redraws_the_demo``: JupyterLab on
   127.0.0.1 with a random token, offline; open chapter 00, Run → Run All Cells, move the
   first demo's θ slider with the keyboard, and see the slider's readout, the demo's image
   and the loss printed in it change. Screenshots ``lab-before.png`` / ``lab-after.png``.

Under ``CI=true`` a missing Chromium or Playwright fails these tests; elsewhere they skip
with the reason. Run them alone with ``pytest -m browser``.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_support import (
    CHROMIUM_ARGS,
    INSTALL_HINT,
    ROOT,
    PageLog,
    artifact,
    find_chromium,
    jupyterlab,
    offline_context,
    toc_files,
    unavailable,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HTML = ROOT / "_build" / "html"
CHAPTER = "00_foundations.ipynb"
LIVE_NOTE = "run this chapter live"


# --------------------------------------------------------------------------------------
# Fixtures: one headless Chromium for the module
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    executable = find_chromium()
    if executable is None:
        unavailable(f"no Chromium found on PATH; {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -r requirements.txt)")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, timeout=60_000
            )
        except Exception as error:  # a broken install: say which binary and why
            unavailable(f"could not start {executable}: {error}")
        try:
            yield browser
        finally:
            browser.close()


def _wait_for_images(page: Any) -> list[dict[str, Any]]:
    """Load every <img> (lazy ones too) and return those that failed."""
    return page.evaluate(
        """async () => {
            const images = Array.from(document.images);
            images.forEach(img => { img.loading = "eager"; });
            await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
                img.addEventListener("load", done, {once: true});
                img.addEventListener("error", done, {once: true});
            })));
            return images.filter(img => !(img.complete && img.naturalWidth > 0))
                         .map(img => ({src: img.src.slice(0, 120), alt: img.alt}));
        }"""
    )


def _typeset(page: Any) -> dict[str, Any]:
    """Wait for MathJax (if the page has math) and report what it typeset."""
    has_math = page.locator(".math").count() > 0
    if has_math:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000
        )
        page.evaluate("() => MathJax.startup.promise")
    return page.evaluate(
        """() => {
            const math = Array.from(document.querySelectorAll(".math"));
            const main = (document.querySelector("main") || document.body).cloneNode(true);
            main.querySelectorAll("pre, code, .highlight, script, mjx-container, "
                                  + "mjx-assistive-mml").forEach(e => e.remove());
            const text = main.textContent;
            return {
                math: math.length,
                typeset: math.filter(e => e.querySelector("mjx-container")).length,
                containers: document.querySelectorAll("mjx-container").length,
                errors: Array.from(document.querySelectorAll("mjx-merror"))
                             .map(e => e.getAttribute("data-mjx-error") || e.textContent),
                raw: ["$$", "\\\\begin{", "\\\\frac"].filter(s => text.includes(s)),
            };
        }"""
    )


# --------------------------------------------------------------------------------------
# 1. The built book
# --------------------------------------------------------------------------------------


def _book_pages() -> list[str]:
    return toc_files(ROOT / "_toc.yml")


@pytest.mark.timeout(300, func_only=True)  # the shared book build has its own timeout
def test_every_book_page_renders_offline(built_book, chromium):
    pages = _book_pages()
    missing = [p for p in pages if not (HTML / f"{p}.html").is_file()]
    assert not missing, (
        f"pages of _toc.yml missing from _build/html: {missing}\n"
        + (built_book.stdout + built_book.stderr)[-3000:]
    )
    log = PageLog()
    context = offline_context(chromium, log)
    page = context.new_page()
    log.watch(page)
    page.set_default_timeout(30_000)
    problems: dict[str, list[str]] = {}
    saw = {"solution": False, "demos": 0, "atlas": False, "api": False}

    for name in pages:
        log.clear()
        found: list[str] = []
        page.goto((HTML / f"{name}.html").as_uri(), wait_until="load")
        failed_images = _wait_for_images(page)
        found += [f"image did not load: {img}" for img in failed_images]
        math = _typeset(page)
        if math["math"]:
            if math["typeset"] != math["math"] or math["containers"] == 0:
                found.append(f"math not typeset: {math['typeset']} of {math['math']} elements")
        found += [f"MathJax error: {e}" for e in math["errors"]]
        found += [f"raw TeX left on the page: {s!r}" for s in math["raw"]]

        if name.startswith("notebooks/"):
            saw["demos"] += _check_demos(page, found)
            saw["solution"] |= _check_solution_toggles(page, found)
        if name.endswith("loss-atlas"):
            saw["atlas"] = _check_atlas(page, found)
        if name.endswith("/api"):
            saw["api"] = _check_api(page, found)

        page.wait_for_timeout(100)  # late console messages (fonts, deferred scripts)
        found += log.problems()
        # from the top, nothing focused: sticky headers and sidebars then sit where a
        # reader sees them in the full-page picture
        page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
        shot = artifact(f"book-{name.replace('/', '-')}.png")
        page.screenshot(path=str(shot), full_page=True)
        if found:
            problems[name] = found
    context.close()

    assert not problems, "\n".join(
        f"{name}:\n  " + "\n  ".join(items) for name, items in problems.items()
    )
    assert saw["solution"], "no chapter page has a solution dropdown"
    assert saw["demos"] >= 2, f"only {saw['demos']} demo images on the chapter pages"
    assert saw["atlas"] and saw["api"], "the loss atlas or the API page is not in _toc.yml"


def _check_demos(page: Any, found: list[str]) -> int:
    """Each demo's static figure: a loaded image with alt text and the "run live" note."""
    demos = page.evaluate(
        """() => Array.from(document.querySelectorAll("figure.lossviz-demo")).map(f => {
            const img = f.querySelector("img");
            const rect = img ? img.getBoundingClientRect() : {width: 0, height: 0};
            return {
                loaded: !!img && img.complete && img.naturalWidth > 0,
                shown: rect.width > 100 && rect.height > 50,
                alt: img ? img.alt : "",
                note: (f.querySelector("figcaption") || {}).textContent || "",
            };
        })"""
    )
    if len(demos) < 2:
        found.append(f"{len(demos)} demo figures (figure.lossviz-demo); a chapter has >= 2")
    for i, demo in enumerate(demos):
        if not (demo["loaded"] and demo["shown"]):
            found.append(f"demo {i}: its static image is not shown: {demo}")
        if not demo["alt"]:
            found.append(f"demo {i}: its image has no alt text")
        if LIVE_NOTE not in demo["note"]:
            found.append(f"demo {i}: no {LIVE_NOTE!r} note under the image")
    return len(demos)


def _check_solution_toggles(page: Any, found: list[str]) -> bool:
    """The first solution: content hidden at first, shown after a click on its button."""
    solutions = page.locator("div.solution.dropdown")
    if solutions.count() == 0:
        return False
    solution = solutions.first
    content = solution.locator(":scope > :not(.admonition-title)").first
    solution.scroll_into_view_if_needed()
    if content.is_visible():
        found.append("a solution is open before it is clicked")
    solution.locator(".toggle-button").first.click()
    try:
        content.wait_for(state="visible", timeout=5_000)
    except Exception:
        found.append("a solution stays hidden after a click on its button")
    return True


def _anchor(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower())  # docutils' id normalization


def _registered() -> list[Any]:
    from lossviz import losses

    return [losses.get(name) for name in losses.names()]


def _check_atlas(page: Any, found: list[str]) -> bool:
    for loss in _registered():
        result = page.evaluate(
            """id => {
                const anchor = document.getElementById(id);
                if (!anchor) return null;
                const section = anchor.closest("section") || anchor.parentElement;
                return Array.from(section.querySelectorAll("img"))
                            .filter(i => i.complete && i.naturalWidth > 0).length;
            }""",
            f"atlas-{_anchor(loss.name)}",
        )
        if result is None:
            found.append(f"loss atlas: no section for {loss.name}")
        elif result < 1:
            found.append(f"loss atlas: no loaded plot for {loss.name}")
    return True


def _check_api(page: Any, found: list[str]) -> bool:
    for loss in _registered():
        ids = [f"lossviz.losses.{loss.name}", f"{loss.func.__module__}.{loss.func.__name__}"]
        if not any(page.evaluate("id => !!document.getElementById(id)", i) for i in ids):
            found.append(f"API page: {loss.name} is not documented (ids {ids})")
    return True


# --------------------------------------------------------------------------------------
# 2. A live chapter in JupyterLab
# --------------------------------------------------------------------------------------


def _png_of(page: Any, img: Any) -> bytes:
    """The bytes behind an <img> (a blob: or data: URL), read inside the page."""
    data_url = img.evaluate(
        """async img => {
            const blob = await (await fetch(img.src)).blob();
            return await new Promise(done => {
                const reader = new FileReader();
                reader.onload = () => done(reader.result);
                reader.readAsDataURL(blob);
            });
        }"""
    )
    return base64.b64decode(data_url.split(",", 1)[1])


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _indicator(page: Any) -> str | None:
    """The kernel status shown in the notebook's toolbar (idle, busy, ...)."""
    return page.evaluate(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
        "?.getAttribute('data-status') ?? null"
    )


def _kernel_idle_and_all_run(page: Any, lab: Any) -> bool:
    """Every code cell has an execution count, and the kernel is idle."""
    all_run = page.evaluate(
        """() => {
            const prompts = Array.from(document.querySelectorAll(
                ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt"));
            return prompts.length > 0
                && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }"""
    )
    return all_run and _indicator(page) == "idle" and lab.kernel_state(CHAPTER) == "idle"


def _wait_until(
    page: Any, predicate: Any, timeout: float, what: str, interval: float = 0.25
) -> None:
    """Poll ``predicate`` until true. Waits with ``page.wait_for_timeout``, never
    ``time.sleep``: the sync API serves the network-routing callbacks only while a
    Playwright call runs, so sleeping would stall every request of the page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        page.wait_for_timeout(interval * 1000)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _settled_src(page: Any, img: Any, quiet: float = 1.0, timeout: float = 30) -> str:
    """The image's src once it has stopped changing for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    src, since = img.get_attribute("src"), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = img.get_attribute("src")
        if now != src:
            src, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return src
    raise AssertionError(f"the demo image kept changing for {timeout} s")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Any]:
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with jupyterlab(root, tmp_path / "jupyter") as server:
        yield server


@pytest.mark.timeout(240)
def test_jupyterlab_runs_chapter_00_and_the_slider_redraws_the_demo(chromium, lab):
    log = PageLog()
    context = offline_context(chromium, log, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    log.watch(page)
    page.set_default_timeout(60_000)
    try:
        _drive_the_demo(page, lab)
    except BaseException:
        page.screenshot(path=str(artifact("lab-failure.png")))
        print("JupyterLab log:\n" + lab.log_tail())
        raise
    finally:
        artifact("lab-console.txt").write_text("\n".join(log.problems()) + "\n")
        context.close()
    assert log.blocked == [], f"JupyterLab tried to reach the network: {log.blocked}"


def _drive_the_demo(page: Any, lab: Any) -> None:
    page.goto(lab.url(f"lab/tree/{CHAPTER}"), wait_until="load")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
    # the kernel is started, connected to this page and idle (the server says so, and
    # so does the notebook's toolbar)
    _wait_until(
        page,
        lambda: lab.kernel_state(CHAPTER) == "idle" and _indicator(page) == "idle",
        90, "the kernel to start",
    )

    # Run → Run All Cells, through the menu bar, as a learner would
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    _wait_until(page, lambda: _kernel_idle_and_all_run(page, lab), 150, "Run All Cells to finish")
    tracebacks = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
            .map(e => e.textContent).filter(t => /Traceback|Error/.test(t))"""
    )
    assert tracebacks == [], f"the chapter raised:\n{tracebacks[0][:3000]}"

    # the first demo: a slider labelled θ, then the demo's image, in one VBox
    label = page.locator(".widget-label").filter(has_text=re.compile(r"^θ$"))
    slider = page.locator(".widget-hslider").filter(has=label).first
    demo = slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    image = demo.locator("img").first
    slider.wait_for(state="visible")
    image.wait_for(state="visible")
    demo.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")

    before_src = _settled_src(page, image)
    before_png = _pixels(_png_of(page, image))
    before_value = readout.inner_text().strip()
    page.screenshot(path=str(artifact("lab-before.png")))
    demo.screenshot(path=str(artifact("lab-demo-before.png")))

    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(40):
        handle.press("ArrowRight")
    _wait_until(
        page, lambda: readout.inner_text().strip() != before_value, 10, "the readout to move"
    )
    _wait_until(page, lambda: image.get_attribute("src") != before_src, 30, "a new demo image")
    _settled_src(page, image)
    _wait_until(page, lambda: _kernel_idle_and_all_run(page, lab), 30, "the kernel to go idle")
    after_src = _settled_src(page, image)
    after_png = _pixels(_png_of(page, image))
    after_value = readout.inner_text().strip()
    page.screenshot(path=str(artifact("lab-after.png")))
    demo.screenshot(path=str(artifact("lab-demo-after.png")))

    theta_before, theta_after = float(before_value), float(after_value)
    assert theta_after > theta_before, (before_value, after_value)
    assert after_src != before_src
    assert before_png.shape == after_png.shape
    assert np.any(before_png != after_png), "the demo's image did not change"
    _assert_printed_loss_changed(before_png, after_png, theta_before, theta_after)


def _assert_printed_loss_changed(
    before: np.ndarray, after: np.ndarray, theta_before: float, theta_after: float
) -> None:
    """The "L(θ) = …" readout drawn in the image changed, and shows the right numbers.

    The same demo rendered headless at the slider's values gives (a) where the printed
    numbers are and (b) the pixels the kernel should have sent.
    """
    from lossviz.widgets import ParameterExplorer

    reference = ParameterExplorer()
    numbers = {}
    expected = {}
    for key, theta in (("before", theta_before), ("after", theta_after)):
        reference.controls["theta"].value = theta
        numbers[key] = reference.numbers()["loss"]
        expected[key] = _pixels(reference.live_png())
    assert numbers["before"] != numbers["after"], numbers

    # (a) the readout's pixels differ between the two browser images
    values = reference._numbers_readout.values  # the animated text with the numbers
    box = values.get_window_extent(reference.figure.canvas.get_renderer())
    height = before.shape[0]
    rows = slice(max(0, int(height - box.y1)), min(height, int(height - box.y0) + 1))
    cols = slice(max(0, int(box.x0)), int(box.x1) + 1)
    assert np.any(before[rows, cols] != after[rows, cols]), "the printed numbers did not change"

    # (b) the browser shows what the demo draws for those θ (same code, same fonts)
    report = [f"θ: {theta_before} -> {theta_after}",
              f"L(θ): {numbers['before']:.6g} -> {numbers['after']:.6g}"]
    for key, shown in (("before", before), ("after", after)):
        assert shown.shape == expected[key].shape, (shown.shape, expected[key].shape)
        differing = float(np.mean(np.any(shown != expected[key], axis=-1)))
        report.append(f"{key}: {differing:.4%} of pixels differ from the headless render")
        assert differing < 0.002, (
            f"the {key} image differs from the demo rendered headless at the slider's "
            f"θ in {differing:.2%} of its pixels"
        )
    artifact("lab-slider.txt").write_text("\n".join(report) + "\n")
