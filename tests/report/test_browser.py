"""Open report.html in Debian's headless chromium: it renders, logs nothing, shows its plots.

The page has no scripts, so any console message (a blocked resource, a script
error) is a failure; a control page that does log proves the check can fail.
The screenshot goes to pytest's tmp dir and to `artifacts/` (ignored by git).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (bash .ci/install-chromium.sh installs it)")


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
               "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--enable-logging=stderr", "--v=0", *args, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@needs_chromium
def test_console_check_catches_errors(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>console.error('boom')</script></body></html>")
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("boom" in line for line in _console(result.stderr))


@needs_chromium
def test_report_renders_without_console_errors(outputs, reports, tmp_path):
    page = outputs["run"] / "report.html"
    result = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    dom = result.stdout
    plots = re.findall(r'<svg class="plot" data-plot="([\w-]+)"', dom)
    assert plots == ["similarity", "cluster-sizes", "s-curve", "cleaning", "stages"]
    for section in ("summary", "plots", "clusters", "borderline", "cleaning", "config"):
        assert f'id="{section}"' in dom
    shapes = re.findall(r"<(?:path|rect|circle)\b", dom)
    assert len(shapes) > 20  # the plots drew, not just empty SVG shells


@needs_chromium
def test_screenshot(outputs, reports, tmp_path):
    shot = tmp_path / "report.png"
    result = _chromium(outputs["run"] / "report.html", tmp_path / "profile",
                       "--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console(result.stderr) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(shot, artifacts / "report-screenshot.png")
