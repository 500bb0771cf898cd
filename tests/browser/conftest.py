import shutil

import pytest


@pytest.fixture(autouse=True)
def _needs_chromium():
    """Skip, with the reason, before dash_duo tries to start a browser that isn't there."""
    missing = [name for name in ("chromedriver",) if not shutil.which(name)]
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing.append("chromium")
    if missing:
        pytest.skip(
            f"browser tests need {' and '.join(missing)} (apt-get install chromium chromium-driver)"
        )


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
