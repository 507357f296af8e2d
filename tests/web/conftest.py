"""Fixtures for browser tests: a real node serving the demo world, and headless Chromium.

`live_node` builds the demo world into a fresh database (SQLite, or PostgreSQL when
`PALERMO_TEST_BACKEND=postgresql`) with the `palermo` command, serves it with
`palermo serve` on a free local port, and yields its base URL and the demo's log-ins.
`browser_page` is a page in a fresh browser context (no cookies) of Debian's Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import fresh_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILD_TIMEOUT = 120.0
# Starting costs seconds (rigour's name tables load as the index warms); on a busy shared
# machine three servers starting at once have taken over 30 s.
STARTUP_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class LiveNode:
    base_url: str  # e.g. http://127.0.0.1:41234 (no trailing slash)
    logins: dict[str, Any]  # demo-logins.json as written by palermo.demo.service.write_logins

    @property
    def password(self) -> str:
        return str(self.logins["password"])

    def user(self, username: str) -> dict[str, Any]:
        for user in self.logins["users"]:
            if user["username"] == username:
                return dict(user)
        raise KeyError(f"{username!r} is not a demo user")

    def totp_secret(self, username: str) -> str:
        secret = self.user(username)["totp_secret"]
        assert isinstance(secret, str), f"{username} has no TOTP secret in the demo"
        return secret

    def url(self, path: str) -> str:
        return self.base_url + path


def palermo_command() -> list[str]:
    """The `palermo` entry point of this virtualenv (`python -m palermo.cli` would exit 0
    silently: that module defines `main()` but never calls it; `python -m palermo` does)."""
    beside_python = Path(sys.executable).parent / "palermo"
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("palermo")
    if found:
        return [found]
    pytest.fail("the `palermo` command is not installed (pip install -e '.[test]')")


def node_env(database_url: str) -> dict[str, str]:
    # Start from the caller's environment without any PALERMO_* variable that could point
    # the node elsewhere (PALERMO_DATA_DIR, PALERMO_USER, …), then set the test's own.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PALERMO_")}
    env.update(
        PALERMO_DATABASE_URL=database_url,
        PALERMO_ENVIRONMENT="test",
        PALERMO_ARGON2_TIME_COST="1",
        PALERMO_ARGON2_MEMORY_KIB="64",
        NO_COLOR="1",
        COLUMNS="120",
    )
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    problem = "no answer"
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                problem = f"the server exited with code {process.returncode}"
                break
            try:
                response = client.get(base_url + "/healthz")
            except httpx.TransportError as error:
                problem = repr(error)
            else:
                if response.status_code == 200 and response.json() == {"status": "ok"}:
                    return
                problem = f"/healthz answered {response.status_code}: {response.text[:200]}"
            time.sleep(0.1)
    stop(process)
    output = log.read_text(errors="replace") if log.exists() else "(no log)"
    pytest.fail(
        f"palermo serve did not become healthy at {base_url} within "
        f"{STARTUP_TIMEOUT:.0f} s ({problem}). Server output:\n{output}"
    )


@pytest.fixture(scope="session")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    data_dir = tmp_path_factory.mktemp("live-node")
    command = palermo_command()
    with fresh_database(data_dir) as database_url:
        env = node_env(database_url)
        built = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
            [*command, "--data-dir", str(data_dir), "demo", "--no-serve", "--seed", "7"],
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
        if built.returncode != 0:
            pytest.fail(
                f"`palermo demo --no-serve` failed with code {built.returncode}:\n"
                f"{built.stdout}\n{built.stderr}"
            )
        logins_path = data_dir / "demo-logins.json"
        if not logins_path.exists():
            pytest.fail(f"the demo wrote no {logins_path}:\n{built.stdout}\n{built.stderr}")
        logins = json.loads(logins_path.read_text())

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
            wait_until_healthy(base_url, server, log)
            yield LiveNode(base_url=base_url, logins=logins)
        finally:
            # Before fresh_database drops a PostgreSQL database under the server's feet.
            stop(server)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("PALERMO_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"PALERMO_REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM} "
                "(apt-get install chromium)"
            )
        pytest.skip("Chromium not installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A page in its own browser context: every test starts logged out, without cookies."""
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
