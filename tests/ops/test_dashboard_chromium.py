"""The operator dashboard in a real headless Chromium (Debian's chromium + chromedriver, via Selenium).

The API runs under uvicorn on a free loopback port; the browser sends the
operator's HTTP Basic credentials, sees the failing partner (its feed file is
missing) in the health table, pauses another partner through the CSRF-protected
form, and takes a screenshot. Chromium missing is an error, never a skip.
"""

from __future__ import annotations

import base64
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from jobgate.api import create_app
from jobgate.config import load_settings
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from tests.ops.helpers import write_config

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,2200")
USER, PASSWORD = "operator", "chromium-test-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(store: Store, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("JOBGATE_OPERATOR_USER", USER)
    monkeypatch.setenv("JOBGATE_OPERATOR_PASSWORD", PASSWORD)
    settings = load_settings(write_config(tmp_path, db_url))
    run_cycle(store, settings)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port,
                                        log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    for binary in (CHROMIUM, CHROMEDRIVER):
        assert shutil.which(binary), f"{binary} missing: apt-get install chromium chromium-driver (.ci/run does)"
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def test_dashboard_in_chromium(server: str, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    # Behind credentials: nothing without them, a 401 with the wrong ones.
    assert httpx.get(f"{server}/ops").status_code == 401
    assert httpx.get(f"{server}/ops", auth=(USER, "nope")).status_code == 401
    browser.get(f"{server}/ops")
    assert "Santé des connecteurs" not in browser.page_source

    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})
    browser.get(f"{server}/ops")
    assert "jobgate — opérations" in browser.title
    rows = {r.get_attribute("data-partner"): r for r in browser.find_elements(By.CSS_SELECTOR, "#health tbody tr")}
    assert set(rows) == {"france-travail", "courrier-regional", "hellowork", "broken-board"}
    failing = rows["broken-board"]
    assert failing.get_attribute("data-state") == "failing"
    assert "failing" in failing.text and "not found" in failing.text.lower()
    assert rows["france-travail"].get_attribute("data-state") == "healthy"
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 6

    # An operator action through the real form (CSRF token + same Origin).
    rows["hellowork"].find_element(By.CSS_SELECTOR, "button[value=pause]").click()
    flash = browser.find_element(By.ID, "flash")
    assert "hellowork en pause" in flash.text
    row = browser.find_element(By.CSS_SELECTOR, "#health tr[data-partner=hellowork]")
    assert row.get_attribute("data-state") == "paused"

    shot = tmp_path / "ops-dashboard.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
