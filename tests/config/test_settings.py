"""Production settings refuse unsafe secrets and pass `check --deploy`."""

import os
import subprocess
import sys

from tests.processes import ROOT


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unsafe = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unsafe}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60, check=False)


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_reports_nothing():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG",
                        SECRET_KEY="kq3Vz8-pL0wXr5Tn2Yb7Mc4Hd9Fg6Js1Ua" * 2, ALLOWED_HOSTS="podlab.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
