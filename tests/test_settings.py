"""Settings read from the environment: each case imports them in a fresh process, the way a real
process starts, because settings are read once at import time."""

import json
import subprocess

import pytest
from processes import PYTHON, REPO, clean_env, run_python

# Prints the settings a test looks at as JSON (paths as strings).
DUMP = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "HOST": db.get("HOST", ""),
    "USER": db.get("USER", ""), "PORT": db.get("PORT", ""),
    "BROKER": s.CELERY_BROKER_URL,
    "BROKER_OPTIONS": getattr(s, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    "VAR_DIR": str(s.VAR_DIR), "MEDIA_ROOT": str(s.MEDIA_ROOT),
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE, "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS, "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
}))
"""

PROD_SECRET = "x7Gq2-" * 10  # 60 characters, not the dev default


def load(tmp_path, **env):
    result = run_python(DUMP, clean_env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refusal(tmp_path, **env):
    result = run_python(DUMP, clean_env(tmp_path, **env))
    assert result.returncode != 0, f"settings loaded although they should refuse: {result.stdout}"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def test_default_is_embedded_sqlite_and_filesystem_broker_under_var_dir(tmp_path):
    s = load(tmp_path)
    assert s["DEBUG"] is True
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["NAME"] == str(tmp_path / "db.sqlite3")
    assert s["BROKER"] == "filesystem://"
    folders = [s["BROKER_OPTIONS"][key] for key in ("data_folder_in", "data_folder_out")]
    assert folders[0] == folders[1], "producer and worker must share one queue folder"
    for folder in [*folders, s["BROKER_OPTIONS"]["processed_folder"]]:
        assert folder.startswith(str(tmp_path) + "/")
    assert s["MEDIA_ROOT"] == str(tmp_path / "media")


def test_debug_off_with_the_dev_secret_key_refuses_to_start(tmp_path):
    stderr = refusal(tmp_path, DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="annotate.example.org")
    assert "DJANGO_SECRET_KEY" in stderr


def test_debug_off_with_a_short_secret_key_refuses_to_start(tmp_path):
    stderr = refusal(
        tmp_path,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="tooshort",
        DJANGO_ALLOWED_HOSTS="annotate.example.org",
    )
    assert "DJANGO_SECRET_KEY" in stderr


def test_debug_off_without_allowed_hosts_refuses_to_start(tmp_path):
    stderr = refusal(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=PROD_SECRET)
    assert "DJANGO_ALLOWED_HOSTS" in stderr


def test_production_config_turns_on_secure_cookies_hsts_and_https_redirect(tmp_path):
    s = load(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=PROD_SECRET,
        DJANGO_ALLOWED_HOSTS="annotate.example.org, www.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://annotate.example.org",
    )
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["annotate.example.org", "www.example.org"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://annotate.example.org"]
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 180
    assert s["SECURE_SSL_REDIRECT"] is True


def test_https_redirect_can_be_left_to_a_proxy(tmp_path):
    s = load(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=PROD_SECRET,
        DJANGO_ALLOWED_HOSTS="annotate.example.org",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SESSION_COOKIE_SECURE"] is True


def test_dev_mode_keeps_cookies_usable_over_plain_http(tmp_path):
    s = load(tmp_path)
    assert s["SESSION_COOKIE_SECURE"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


def manage(env, *args):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_is_clean_in_production_config(tmp_path):
    env = clean_env(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=PROD_SECRET,
        DJANGO_ALLOWED_HOSTS="annotate.example.org",
    )
    # Not a single security warning; other apps' checks (e.g. API schema naming) may warn but
    # must not error.
    security = manage(env, "check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
    assert security.returncode == 0, security.stdout + security.stderr
    everything = manage(env, "check", "--deploy")
    assert everything.returncode == 0, everything.stdout + everything.stderr


def test_database_url_switches_to_postgresql(tmp_path):
    s = load(tmp_path, DATABASE_URL="postgres://annotator:pw@db.internal:6543/corpus")
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert (s["NAME"], s["HOST"], s["USER"], s["PORT"]) == (
        "corpus",
        "db.internal",
        "annotator",
        6543,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CELERY_BROKER_URL": "redis://broker:6379/3"}, "redis://broker:6379/3"),
        ({"REDIS_URL": "redis://cache:6379/1"}, "redis://cache:6379/1"),
        (
            {"CELERY_BROKER_URL": "redis://broker:6379/3", "REDIS_URL": "redis://cache:6379/1"},
            "redis://broker:6379/3",
        ),
    ],
    ids=["celery-broker-url", "redis-url", "celery-broker-url-wins"],
)
def test_broker_url_switches_off_the_embedded_broker(tmp_path, env, expected):
    s = load(tmp_path, **env)
    assert s["BROKER"] == expected
    # No folders of the embedded broker; short timeouts, so that a request never hangs on it.
    assert s["BROKER_OPTIONS"] == {"socket_connect_timeout": 2, "socket_timeout": 10}


def test_media_root_can_point_at_shared_storage(tmp_path):
    s = load(tmp_path, ANNOTATOR_MEDIA_ROOT="/data/media")
    assert s["MEDIA_ROOT"] == "/data/media"
