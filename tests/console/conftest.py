"""Fixtures of tests/console: a deployment made by `extenddb init` (embedded store, HTTPS with
its generated certificate) served by `extenddb serve`, and headless Chromium (Debian's
`chromium` and `chromium-driver`, which scripts/test.sh installs when missing) driven by
Selenium. Screenshots go to $EXTENDDB_SCREENSHOTS (default target/console-screenshots)."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "manage"))
pytest.register_assert_rewrite("deployments")

from deployments import BIN, Deployment  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(os.environ.get("EXTENDDB_SCREENSHOTS", "target/console-screenshots"))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """One deployment for the module, its server running."""
    if not BIN:
        pytest.skip("EXTENDDB_BIN must name the extenddb binary (scripts/test.sh sets it)")
    d = Deployment("embedded", tmp_path_factory.mktemp("console"))
    d.start()
    yield d
    d.destroy()


@pytest.fixture
def browser():
    """A factory of headless Chromium sessions, each with a fresh profile; all quit after."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium and chromium-driver are not installed (scripts/test.sh installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    made = []

    def new():
        profile = tempfile.mkdtemp(prefix="extenddb-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--ignore-certificate-errors", "--window-size=1280,900",
                     f"--user-data-dir={profile}"):
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        driver.set_page_load_timeout(30)
        made.append((driver, profile))
        return driver

    yield new
    for driver, profile in made:
        try:
            driver.quit()
        finally:
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def shots():
    """Saves a screenshot of the browser's page as <name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def save(driver, name):
        driver.save_screenshot(str(SHOTS / f"{name}.png"))

    return save
