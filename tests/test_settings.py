"""The settings module reads the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_django(code, **env):
    """Import the real settings in a fresh interpreter with exactly this environment."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "tce_portal.settings",
        "HOME": os.environ.get("HOME", "/tmp"),
        **env,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_value(expression, **env):
    result = run_django(f"from django.conf import settings as s; print(repr({expression}))", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_without_a_secret_key_refuses_to_serve():
    result = run_django("import tce_portal.wsgi", DEBUG="false")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    # Anything that signs (a session, a token) refuses an empty secret too.
    signing = run_django("from django.core import signing; signing.dumps(1)", DEBUG="false")
    assert signing.returncode != 0
    assert "SECRET_KEY" in signing.stderr


def test_commands_that_sign_nothing_need_no_secret():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_development_defaults_to_sqlite_under_var():
    name = settings_value("str(s.DATABASES['default']['NAME'])", DEBUG="true")
    engine = settings_value("s.DATABASES['default']['ENGINE']", DEBUG="true")
    assert engine == "'django.db.backends.sqlite3'"
    assert name.endswith("var/tce.sqlite3'")


def test_database_url_picks_postgresql():
    env = {
        "DEBUG": "true",
        "DATABASE_URL": "postgres://tce:s3cret@db.internal:5433/tce_portal",
    }
    value = settings_value(
        "{k: s.DATABASES['default'][k] for k in ('ENGINE', 'NAME', 'HOST', 'PORT', 'USER')}",
        **env,
    )
    assert value == (
        "{'ENGINE': 'django.db.backends.postgresql', 'NAME': 'tce_portal', "
        "'HOST': 'db.internal', 'PORT': 5433, 'USER': 'tce'}"
    )


def test_allowed_hosts_email_media_and_redis_come_from_the_environment(tmp_path):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "tce.example.org,www.tce.example.org",
        "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.org:587",
        "MEDIA_ROOT": str(tmp_path),
        "REDIS_URL": "redis://127.0.0.1:6379/1",
    }
    assert settings_value("s.ALLOWED_HOSTS", **env) == "['tce.example.org', 'www.tce.example.org']"
    assert settings_value("(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)", **env) == (
        "('smtp.example.org', 587, True)"
    )
    assert settings_value("str(s.MEDIA_ROOT)", **env) == repr(str(tmp_path))
    assert "RedisCache" in settings_value("s.CACHES['default']['BACKEND']", **env)


def test_development_e_mail_goes_to_the_console():
    assert "console" in settings_value("s.EMAIL_BACKEND", DEBUG="true")


@pytest.mark.parametrize("debug", ["false"])
def test_check_deploy_is_clean_with_production_settings(debug):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": debug,
            "SECRET_KEY": "k8#Jq2!vLr9@Xw4$Tz7^Bn1&Hy6*Md3(Pf5)Gs0_Qa8+Wc2-Ue7=Ri4~Oj9<Ll1>",
            "ALLOWED_HOSTS": "tce.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
