"""Both deployments running as real servers (SQLite, temp data dir) for the browser tests."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.subproc import REPO, side_env

# Assertions wait for the page as a person would; CI machines run two servers and a browser on
# two cores, so a screen may take a few seconds to settle.
expect.set_options(timeout=15_000)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def _side_databases(url: str, tag: str) -> dict[str, str]:
    """With a PostgreSQL server configured, each side gets a fresh database of its own on it.

    The browser tests then run on the same database engine as production; the two sides still
    share nothing, exactly as two physically separated deployments would.
    """
    if not url.startswith(("postgres://", "postgresql://")):
        return {}
    import psycopg
    from psycopg import sql

    base, _, _ = url.rpartition("/")
    out = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for side in ("intranet", "extranet"):
            name = f"jincai_e2e_{side}_{tag}"
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            out[side] = f"{base}/{name}"
    return out


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    data = tmp_path_factory.mktemp("stack")
    env = {side: side_env(data, DJANGO_SETTINGS_MODULE=f"{side}.settings") for side in ("intranet", "extranet")}
    databases = _side_databases(os.environ.get("DATABASE_URL", ""), str(os.getpid()))
    for side, e in env.items():
        for real in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SEARCH_URL"):
            e.pop(real, None)  # the two sides must never share a database
        if databases:
            e["DATABASE_URL"] = databases[side]
    accounts = {}
    # Both sides set up side by side, then both once more: each pass trusts the other side's
    # exchange key if it exists by then, so the second (cheap, idempotent) pass completes the pair.
    for sides in (("intranet", "extranet"), ("intranet", "extranet")):
        runs = {side: subprocess.Popen([sys.executable, "-m", side, "setup_demo", "--json"], cwd=REPO,
                                       env=env[side], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for side in sides}
        for side, proc in runs.items():
            out, err = proc.communicate()
            if proc.returncode:
                raise RuntimeError(f"{side} setup_demo failed:\n{err[-3000:]}")
            accounts[side] = {a["username"]: a for a in json.loads(out.strip().splitlines()[-1])}
    procs, urls = [], {}
    for side in ("intranet", "extranet"):
        port = _free_port()
        urls[side] = f"http://127.0.0.1:{port}"
        procs.append(subprocess.Popen([sys.executable, "-m", side, "runserver", f"127.0.0.1:{port}", "--noreload"],
                                      cwd=REPO, env=env[side], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for url in urls.values():
            _wait(url + "/healthz")
        yield {"urls": urls, "accounts": accounts, "data": data, "env": env}
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)
        _drop(databases)


def _drop(databases: dict[str, str]) -> None:
    if not databases:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        for url in databases.values():
            name = url.rpartition("/")[2]
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


_USED_STEPS: dict[str, int] = {}


def totp_now(secret_b32: str) -> str:
    """A fresh TOTP code, as a person's authenticator shows it.

    The server refuses a code whose time step was already used (replay protection), and the
    session-wide stack logs the same demo users in from several tests; so when this step's code
    was handed out before, wait for the next step, as a person would.
    """
    from django_otp.oath import totp

    step = int(time.time()) // 30
    if _USED_STEPS.get(secret_b32, -1) >= step:
        time.sleep(30 - time.time() % 30 + 0.5)
        step = int(time.time()) // 30
    _USED_STEPS[secret_b32] = step
    return f"{totp(base64.b32decode(secret_b32)):06d}"


def staff_login(browser, stack, username: str, path: str):
    """A new browser context in which the intranet demo user ``username`` has logged in (password +
    OTP) and landed on ``path``."""
    account = stack["accounts"]["intranet"][username]
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(stack["urls"]["intranet"] + path)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(account["password"])
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("textbox", name="一次性密码").fill(totp_now(account["otp_secret"]))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{path}**")
    return page


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()
