"""Screenshots of the workspace's main pages, for the README: `make screenshots`.

    .venv/bin/python -m scripts.screenshots [--out docs/screenshots]

Builds the demo world (seed 7) into a temporary data directory, serves it with `palermo
serve` on a free local port, logs in as demo users in Debian's Chromium (/usr/bin/chromium)
and saves one PNG per page at 1280×800. It builds and serves the node as the browser tests'
`live_node` fixture does, with the same helpers (tests/web/conftest.py), and logs in as the
accessibility tests do. Pages still missing on this node (404) are skipped with a warning.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.web.conftest import (
    BUILD_TIMEOUT,
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveNode,
    free_port,
    node_env,
    palermo_command,
    stop,
    wait_until_healthy,
)
from tests.web.test_accessibility_browser import DESKTOP, enter, settle

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
HIT = '[data-testid="hit"]'
CHART = "#chart[data-ready]"
THREAD = 'main a[href^="/messages/threads/"]'
COMPARE = 'main a[href^="/linkage/compare"]'
ALERT = 'main a[data-testid="alert-link"]'
REQUEST = 'main a[data-testid="request-link"]'


@dataclass(frozen=True)
class Shot:
    name: str  # the PNG's file name, without .png
    username: str
    path: str
    follow: str = ""  # then the first link matching this, to the page pictured
    ready: str = ""  # something to wait for before the picture
    screen: str = ""  # a name typed into the screening form
    language: str = ""  # e.g. "ar": the page in that language
    scroll: str = ""  # scrolled to the middle of the picture


# In the order of the README; consecutive shots of one user share a log-in.
SHOTS = [
    Shot("home", "nl-np.analyst", "/"),
    Shot("records", "nl-np.analyst", "/records?q=Mosquera"),
    Shot("record", "nl-np.analyst", "/records?q=Mosquera", follow='#results a[href^="/records/"]'),
    Shot("screening", "nl-np.analyst", "/screening", screen="Иван Сидоренко", ready=HIT),
    Shot("messages", "nl-np.analyst", "/messages"),
    Shot("message-thread", "nl-np.analyst", "/messages", follow=THREAD),
    Shot("notices", "nl-np.analyst", "/notices"),
    Shot(
        "network",
        "nl-np.analyst",
        "/network?seed=nl-np.cocaine-person-013&depth=2",
        ready=CHART,
        scroll="#chart",
    ),
    Shot("assets", "nl-np.analyst", "/assets"),
    Shot("case", "nl-np.analyst", "/cases", follow='main a[data-testid="case-link"]'),
    Shot("statistics", "nl-np.analyst", "/statistics", scroll="[data-chart]"),
    Shot("search", "nl-np.analyst", "/search?q=Mosquera"),
    Shot("notifications", "nl-np.analyst", "/notifications"),
    Shot("home-arabic", "nl-np.analyst", "/", language="ar"),
    Shot("linkage-review", "europol.analyst", "/linkage"),
    Shot("linkage-compare", "europol.analyst", "/linkage", follow=COMPARE),
    Shot("finintel-alert", "nl-fiu.analyst", "/finintel/alerts", follow=ALERT),
    Shot("judicial-request", "nl-airs.analyst", "/judicial", follow=REQUEST),
]


@contextmanager
def demo_node(data_dir: Path) -> Iterator[LiveNode]:
    """The demo world, built into `data_dir` (SQLite) and served until the block ends."""
    command = palermo_command()
    env = node_env(f"sqlite:///{data_dir / 'palermo.sqlite3'}")
    print("Building the demo world (seed 7)…", flush=True)
    subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [*command, "--data-dir", str(data_dir), "demo", "--no-serve", "--seed", "7"],
        env=env,
        capture_output=True,
        timeout=BUILD_TIMEOUT,
        check=True,
    )
    logins = json.loads((data_dir / "demo-logins.json").read_text())
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = data_dir / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [*command, "--data-dir", str(data_dir), "serve", "--port", str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        print(f"Serving it at {base_url}…", flush=True)
        wait_until_healthy(base_url, server, log)
        yield LiveNode(base_url=base_url, logins=logins)
    finally:
        stop(server)


def open_page(page: Page, node: LiveNode, shot: Shot) -> bool:
    """Bring the page of `shot` up; False if this node does not have it."""
    response = page.goto(node.url(shot.path))
    if response is not None and response.status == 404:
        print(f"warning: {shot.path} answered 404 on this node: no {shot.name}.png")
        return False
    assert response is not None, f"{shot.path}: no response"
    assert response.ok, f"{shot.path} answered {response.status}"
    if shot.follow:
        link = page.locator(shot.follow).first
        expect(link).to_be_attached()
        href = link.get_attribute("href")
        assert href, f"{shot.follow} has no href on {page.url}"
        page.goto(node.url(href))
    if shot.screen:
        page.locator("#name").press_sequentially(shot.screen)
    if shot.ready:
        expect(page.locator(shot.ready).first).to_be_visible(timeout=30_000)
    settle(page)
    if shot.scroll:
        page.locator(shot.scroll).first.evaluate("el => el.scrollIntoView({block: 'center'})")
    return True


def take(browser: Browser, node: LiveNode, out: Path) -> list[Path]:
    saved: list[Path] = []
    context = page = None
    user = language = None
    try:
        for shot in SHOTS:
            if (shot.username, shot.language) != (user, language):
                if context is not None:
                    context.close()
                context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
                context.set_default_timeout(20_000)
                page = context.new_page()
                enter(page, node, shot.username)
                if shot.language:
                    page.goto(node.url(f"/language/{shot.language}?next=/"))
                user, language = shot.username, shot.language
            assert page is not None
            if not open_page(page, node, shot):
                continue
            page.mouse.move(0, 0)
            target = out / f"{shot.name}.png"
            page.screenshot(path=str(target), animations="disabled", caret="hide")
            saved.append(target)
            print(
                f"saved {target.relative_to(ROOT)}  ({shot.username}: {page.url.split('://')[1]})"
            )
    finally:
        if context is not None:
            context.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go")
    arguments = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
        return 1
    out: Path = arguments.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="palermo-screenshots-") as data_dir,
        demo_node(Path(data_dir)) as node,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            saved = take(browser, node, out)
        finally:
            browser.close()
    print(f"{len(saved)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
