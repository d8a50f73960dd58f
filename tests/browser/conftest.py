"""Playwright on Debian's Chromium against pytest-django's live server.

Playwright's own browser download cannot work here, so the system Chromium is launched by
its path. A failing test leaves a full-page screenshot in test-output/.
"""

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (make system-deps)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    mp = pytest.MonkeyPatch()
    mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        # With an event loop running, Django hands out new connection objects (asgiref's Local
        # switches to context variables); give them the test database's snapshot so that
        # serialized_rollback restores the site between browser tests.
        for alias, snapshot in snapshots.items():
            if snapshot is not None:
                connections[alias]._test_serialized_contents = snapshot
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    mp.undo()


@contextmanager
def browser_page(request, browser, viewport):
    """A page in a Chinese-language context of that viewport; a full-page screenshot if the test failed."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        if getattr(request.node, "failed_call", False):
            OUTPUT.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
        context.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser):
    with browser_page(request, browser, request.param) as page:
        yield page


@pytest.fixture
def phone(request, browser):
    """A page in a phone-sized, Chinese-language browser context; a full-page screenshot on failure."""
    with browser_page(request, browser, "phone") as page:
        yield page


@pytest.fixture
def desktop(request, browser):
    """The same at desktop size (staff screens)."""
    with browser_page(request, browser, "desktop") as page:
        yield page
