"""Driving the served classroom app in headless Chromium: for its browser tests, for the
lesson's screenshot (``python -m sim.classroom.lesson --figure``) and for the load test
(``scripts/classroom_load.py``). Needs playwright (the dev extra) and Debian's chromium
(/usr/bin/chromium, or SIM_CHROMIUM); every request beyond localhost is blocked.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .model import choice_text

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(timeout: float = 60, server: list | None = None, log_path: Path | None = None):
    """``python -m sim app`` on a free localhost port; yields its URL; stops it. ``server``, a
    list, gets the server's Popen (for its pid); ``log_path`` keeps its output."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # a file, not a pipe: a full pipe would stall the server
    log = open(log_path, "w+") if log_path else tempfile.TemporaryFile("w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if server is not None:
        server.append(proc)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not answer on {url} within {timeout} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def offline_page(viewport=(1024, 768)):
    """A headless Chromium page that can only reach localhost; records what it tried."""
    from playwright.sync_api import sync_playwright

    record = {"blocked": [], "requests": [], "errors": []}

    def route(r):
        url = r.request.url
        if LOCAL.match(url) or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            record["blocked"].append(url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
            )
            page = context.new_page()
            page.route("**/*", route)
            page.on("request", lambda req: record["requests"].append(req.url))
            page.on("websocket", lambda ws: record["requests"].append(ws.url))
            page.on("pageerror", lambda e: record["errors"].append(str(e)))
            yield page, record
        finally:
            browser.close()


ALL_DRAWN = """day => { const all = [...document.querySelectorAll('[data-day]')];
    const step = document.querySelector('.sim-step');
    return all.length >= 5 && all.every(e => e.dataset.day == String(day))
        && document.querySelector('.sim-day')?.innerText?.startsWith('Day ' + day + ' ')
        && !document.querySelector('.sim-busy') ? performance.now() : null }"""


def wait_drawn(page, day: int, timeout: float = 60_000) -> float:
    """Wait until every drawing and the day counter show ``day``; the page's clock then."""
    return page.wait_for_function(ALL_DRAWN, arg=day, timeout=timeout, polling="raf").json_value()


def shown_day(page) -> int:
    return int(re.search(r"Day (\d+)", page.inner_text(".sim-day"))[1])


def open_app(page, url):
    page.goto(url)
    wait_drawn(page, 0)
    page.wait_for_timeout(QUIET_MS)


def set_number(page, key: str, value) -> None:
    box = page.locator(f".sim-control-{key} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def select_option(page, key: str, value: str) -> None:
    """Choose ``value`` (a scenario's or regime's key) in a menu, by the text the menu shows."""
    page.locator(f".sim-control-{key}").click()
    text = re.compile(rf"^\s*{re.escape(choice_text(key, value))}\s*$")
    page.locator(".menuable__content__active .v-list-item").filter(has_text=text).first.click()
    # the menu fades out over ~0.3 s, and a click meanwhile lands on it, not on the page
    page.wait_for_selector(".menuable__content__active", state="detached", timeout=5_000)


QUIET_MS = 200  # a person looks at the new day before the next click


def reset(page) -> None:
    """Press Reset and wait for the new model's day 0 (the buttons are disabled meanwhile)."""
    page.locator(".sim-reset").click()
    try:
        page.wait_for_selector(".sim-step[disabled], .sim-busy", timeout=3_000)
    except Exception:  # noqa: BLE001 - built and drawn before we looked
        pass
    page.wait_for_selector(".sim-changed", state="detached", timeout=60_000)
    wait_drawn(page, 0)
    page.wait_for_selector(".sim-step:not([disabled])", timeout=60_000)
    page.wait_for_timeout(QUIET_MS)


def run_to(page, day: int) -> None:
    set_number_target(page, day)
    page.locator(".sim-run").click()
    wait_drawn(page, day)
    page.wait_for_timeout(QUIET_MS)


def set_number_target(page, day: int) -> None:
    box = page.locator(".sim-target input")
    box.fill(str(day))
    box.press("Enter")
