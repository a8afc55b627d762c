"""A real Celery worker of the deployment answers tasks through the configured broker.

Embedded default: kombu's file-system broker under the data dir. In CI with
CELERY_BROKER_URL=redis://…: the real Redis (the redis-marked test).
"""

import os
import signal
import subprocess
import sys

import pytest

from tests.subproc import REPO, side_env


def _roundtrip(tmp_path):
    env = side_env(tmp_path, DJANGO_SETTINGS_MODULE="intranet.settings")
    queue = f"celery-test-{os.getpid()}"  # a private queue: parallel runs never steal each other's tasks
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "intranet", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", queue],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    client = (
        "from intranet.celery import app; "
        f"print(app.send_task('common.ping', args=['你好'], queue='{queue}').get(timeout=60))"
    )
    try:
        result = subprocess.run([sys.executable, "-c", client], cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_worker_answers_through_the_embedded_file_broker(tmp_path, monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)
    out = _roundtrip(tmp_path)
    assert "'pong': '你好'" in out and "'side': 'intranet'" in out


@pytest.mark.redis
def test_worker_answers_through_redis(tmp_path):
    out = _roundtrip(tmp_path)
    assert "'pong': '你好'" in out
