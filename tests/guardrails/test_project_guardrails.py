"""Guardrails that keep main deployable: migrations, deploy checks, boundaries, translations."""

import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.subproc import REPO, run_side, side_env

SIDES = ["intranet", "extranet"]
PRODUCTION = {"JINCAI_ENV": "production", "SECRET_KEY": "x" * 64 + "-guardrail-check-only-7Q",
              "ALLOWED_HOSTS": "portal.example.gov.cn"}


@pytest.mark.parametrize("side", SIDES)
def test_no_missing_migrations(side, tmp_path):
    result = run_side(side, "makemigrations", "--check", "--dry-run", env=side_env(tmp_path), check=False)
    assert result.returncode == 0, f"models changed without a migration:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("side", SIDES)
def test_deploy_check_is_clean_in_production(side, tmp_path):
    env = side_env(tmp_path, **PRODUCTION)
    env.pop("DATABASE_URL", None)
    result = run_side(side, "check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("side", SIDES)
def test_production_refuses_to_start_without_secrets(side, tmp_path):
    env = side_env(tmp_path, JINCAI_ENV="production", ALLOWED_HOSTS="x.example")
    env.pop("SECRET_KEY", None)
    result = run_side(side, "check", env=env, check=False)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("side", SIDES)
def test_production_has_no_debug_and_hardened_cookies(side, tmp_path):
    code = ("from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=REPO,
                            env=side_env(tmp_path, DJANGO_SETTINGS_MODULE=f"{side}.settings", **PRODUCTION),
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "True", "31536000", "True"]


def test_import_contracts_hold():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_translations_complete_and_compiled():
    sys.path.insert(0, str(REPO / "ops"))
    from compile_messages import catalogues

    for po_path in catalogues():
        po = polib.pofile(str(po_path))
        assert po.untranslated_entries() == [], [e.msgid for e in po.untranslated_entries()][:10]
        assert po.fuzzy_entries() == [], [e.msgid for e in po.fuzzy_entries()][:10]
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        compiled = {e.msgid: e.msgstr for e in mo}
        expected = {e.msgid: e.msgstr for e in po.translated_entries()}
        assert compiled == expected, "run `make messages` (the .mo file is stale)"


def test_default_language_is_simplified_chinese(client):
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans"' in page and "登录" in page


def _catalogues_of(side: str, tmp_path) -> list[Path]:
    """The project's zh_Hans catalogues that one deployment loads (root locale + its installed apps)."""
    code = ("import django; django.setup(); from django.apps import apps; "
            "print('\\n'.join(a.path for a in apps.get_app_configs()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True,
                         env=side_env(tmp_path, DJANGO_SETTINGS_MODULE=f"{side}.settings")).stdout
    ours = [Path(p) for p in out.split() if Path(p).is_relative_to(REPO) and ".venv" not in Path(p).parts]
    paths = [REPO / "locale"] + [p / "locale" for p in ours]
    return [p / "zh_Hans" / "LC_MESSAGES" / "django.po" for p in paths if (p / "zh_Hans").is_dir()]


@pytest.mark.parametrize("side", SIDES)
def test_no_message_translated_two_ways_on_one_side(side, tmp_path):
    # Django merges every installed app's catalogue into one: a msgid translated differently in two
    # of them shows only one translation everywhere (e.g. "Classification" as 密级 on a finance screen).
    seen: dict[tuple, dict[str, str]] = {}
    for po_path in _catalogues_of(side, tmp_path):
        for entry in polib.pofile(str(po_path)).translated_entries():
            seen.setdefault((entry.msgctxt, entry.msgid), {})[str(po_path.relative_to(REPO))] = entry.msgstr
    clashes = {key: where for key, where in seen.items() if len(set(where.values())) > 1}
    assert not clashes, "give these a context (pgettext) or one translation:\n" + "\n".join(
        f"{key}: {where}" for key, where in sorted(clashes.items(), key=str))
