"""The HTML report in headless Chromium: the page parses, the summary lists every check, and
every figure loads (decoded by the browser, with its natural size).

Skipped only where no Chromium binary is installed (``.ci/run`` installs Debian's).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.render import write_report
from reports.suite.engine import run_suite
from reports.suite.model import CheckSpec
from tests.reports.test_render import HOSTILE, sample_results

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>pending</title></head>
<body>{images}<script>
window.addEventListener("load", function () {{
  var sizes = Array.prototype.map.call(document.images, function (img) {{
    return img.getAttribute("src") + "=" + img.naturalWidth + "x" + img.naturalHeight;
  }});
  var out = document.createElement("pre");
  out.id = "sizes";
  out.textContent = sizes.join("\\n");
  document.body.appendChild(out);
}});
</script></body></html>
"""


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` after load (scripts of the page run for up to 10 s of virtual time)."""
    command = [
        BROWSER,
        *FLAGS,
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("chromium-report")
    params = {
        "objective": "quadratic:d=10",
        "optimizer": "sgd",
        "schedule": "1/(lam*k)",
        "expect": "sgd-sc-smooth-last",
        "steps": 1000,
        "replicates": 5,
    }
    real = CheckSpec(
        id="real-run",
        title="a real run",
        claim="O(1/k)",
        kind="verify",
        params=params,
        theorem="sgd-sc-smooth-last",
    )
    results = [*run_suite([real], jobs=1, cache=False), *sample_results()]
    write_report(results, out)
    return out, [result.spec.id for result in results]


def test_the_page_parses_and_its_summary_lists_every_check(report, tmp_path):
    out, ids = report
    dom = dump_dom(out / "index.html", tmp_path / "profile")
    summary = dom.split('id="summary"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", summary, re.DOTALL)
    assert len(rows) == len(ids) + 1
    for row, check_id in zip(rows[1:], ids, strict=True):
        assert html.escape(check_id, quote=False) in row or html.escape(check_id) in row
    assert "<script" not in dom.split("<body", 1)[1]
    assert html.escape(HOSTILE, quote=False) in dom


def test_every_figure_loads_in_the_browser(report, tmp_path):
    out, _ = report
    page = (out / "index.html").read_text()
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sources
    images = "".join(f'<img src="{src}">' for src in sources)
    harness = out / "harness.html"
    harness.write_text(HARNESS.format(images=images))
    try:
        dom = dump_dom(harness, tmp_path / "profile")
    finally:
        harness.unlink()
    sizes = re.search(r'<pre id="sizes">(.*?)</pre>', dom, re.DOTALL)
    assert sizes, dom[-2000:]
    loaded = dict(line.rsplit("=", 1) for line in html.unescape(sizes.group(1)).splitlines())
    assert sorted(loaded) == sorted(html.unescape(src) for src in sources)
    for size in loaded.values():
        width, height = map(int, size.split("x"))
        assert width == 792 and height >= 506, size
