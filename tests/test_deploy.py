"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the services exist,
they set only variables the settings read, every command they run exists in this project, and
the production web command really serves the app (gunicorn, DEBUG off, static files)."""

import ast
import functools
import json
import re
import shlex
import signal
import subprocess
import urllib.error
import urllib.request

import pytest
import yaml
from django.conf import settings
from processes import BIN, PYTHON, REPO, clean_env, free_port, run_python, wait_for

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
# Services that run this project's image (the others are stock postgres and redis).
APP_SERVICES = {name: svc for name, svc in SERVICES.items() if "build" in svc}
DOCKERFILE = (REPO / "Dockerfile").read_text()


def test_compose_has_the_production_services():
    assert {"db", "redis", "web", "worker", "beat"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis")
    assert {"web", "worker", "beat"} <= set(APP_SERVICES)
    for name in ("db", "redis", "web", "worker"):
        assert "test" in SERVICES[name].get("healthcheck", {}), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_services_set_only_variables_the_settings_read(name):
    env = APP_SERVICES[name]["environment"]
    unknown = sorted(set(env) - set(settings.ENV_VARS))
    assert not unknown, f"{name} sets {unknown}, which annotator/settings.py never reads"
    assert env["DJANGO_DEBUG"] == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


def test_no_secret_is_written_in_the_compose_file():
    # `${VAR:?message}`: compose refuses to start until the operator provides the value.
    for name, svc in APP_SERVICES.items():
        assert re.fullmatch(
            r"\$\{DJANGO_SECRET_KEY:\?[^}]*\}", svc["environment"]["DJANGO_SECRET_KEY"]
        )
        password = re.search(r"postgres://annotator:(.*)@db", svc["environment"]["DATABASE_URL"])
        assert password.group(1).startswith("${POSTGRES_PASSWORD:?"), name
    db = SERVICES["db"]["environment"]
    assert db["POSTGRES_PASSWORD"].startswith("${POSTGRES_SUPERUSER_PASSWORD:?")
    assert db["APP_DB_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def environ_keys(node, readers):
    """The key expressions of every environment read under `node`."""
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and ast.unparse(n.value) == "os.environ":
            yield n.slice
        elif isinstance(n, ast.Call) and n.args and ast.unparse(n.func) in readers:
            yield n.args[0]


def environ_names_read_by(source):
    """Names of environment variables a module reads, found in its syntax tree: os.environ[...],
    os.environ.get(...), os.getenv(...), and calls to the module's own helpers that read the
    variable named by their first parameter (the settings' env_bool/env_list)."""
    tree = ast.parse(source)
    readers = {"os.environ.get", "os.getenv"}
    helpers = []
    for fn in (stmt for stmt in tree.body if isinstance(stmt, ast.FunctionDef)):
        params = {arg.arg for arg in fn.args.args}
        if any(isinstance(k, ast.Name) and k.id in params for k in environ_keys(fn, readers)):
            helpers.append(fn)
            readers.add(fn.name)
    names = set()
    for stmt in tree.body:
        if stmt in helpers:
            continue
        for key in environ_keys(stmt, readers):
            assert isinstance(key, ast.Constant), f"variable name not a literal: {ast.unparse(key)}"
            names.add(key.value)
    return names


def test_env_vars_lists_exactly_what_settings_read():
    read = environ_names_read_by((REPO / "annotator" / "settings.py").read_text())
    assert read, "the scanner found nothing: it is broken"
    assert sorted(read - set(settings.ENV_VARS)) == [], "read but missing from ENV_VARS"
    assert sorted(set(settings.ENV_VARS) - read) == [], "listed in ENV_VARS but never read"


def test_the_scanner_sees_every_way_of_reading_the_environment():
    source = (
        "import os\n"
        "def env_flag(name, default):\n    return os.environ.get(name, default) == '1'\n"
        "def unrelated(x):\n    return x\n"
        "A = os.environ['A']\nB = os.environ.get('B', 1)\nC = os.getenv('C')\n"
        "D = env_flag('D', True)\nunrelated('NOT_A_VARIABLE')\n"
        "os.environ.setdefault('WRITTEN_NOT_READ', 'x')\n"
        "if True:\n    E = os.environ.get('E')\n"
    )
    assert environ_names_read_by(source) == {"A", "B", "C", "D", "E"}


def test_configuration_doc_lists_every_variable():
    doc = (REPO / "docs" / "configuration.md").read_text()
    missing = [name for name in settings.ENV_VARS if f"`{name}`" not in doc]
    assert not missing, f"docs/configuration.md does not document {missing}"


def test_media_volume_is_shared_by_web_and_worker_at_media_root():
    mounts = {}
    for name in ("web", "worker"):
        svc = SERVICES[name]
        root = svc["environment"]["ANNOTATOR_MEDIA_ROOT"]
        volumes = [v.split(":")[0] for v in svc["volumes"] if v.split(":")[1] == root]
        assert volumes, f"{name} mounts nothing at ANNOTATOR_MEDIA_ROOT={root}"
        mounts[name] = volumes[0]
    assert mounts["web"] == mounts["worker"], "web and worker must share one media volume"
    assert mounts["web"] in COMPOSE["volumes"], "the media volume must be a named volume"
    assert f"ANNOTATOR_MEDIA_ROOT={SERVICES['web']['environment']['ANNOTATOR_MEDIA_ROOT']}" in (
        DOCKERFILE
    ), "the image's default media root differs from compose's"


def as_argv(command):
    if isinstance(command, str):
        return shlex.split(command)
    if command and command[0] in {"CMD", "CMD-SHELL"}:
        return shlex.split(command[1]) if command[0] == "CMD-SHELL" else list(command[1:])
    return list(command)


def dockerfile_cmd():
    lines = [line for line in DOCKERFILE.splitlines() if line.startswith(("CMD", "ENTRYPOINT"))]
    assert [line.split()[0] for line in lines] == ["CMD"], "one exec-form CMD, no ENTRYPOINT"
    return json.loads(lines[0][len("CMD") :])


def commands_run_by_the_image():
    found = [("Dockerfile CMD", dockerfile_cmd())]
    for name, svc in APP_SERVICES.items():
        if "command" in svc:
            found.append((f"{name} command", as_argv(svc["command"])))
        if "healthcheck" in svc:
            found.append((f"{name} healthcheck", as_argv(svc["healthcheck"]["test"])))
    return found


def check_command(argv):
    """Fail unless `argv` runs something that exists in this project."""
    program = argv[0]
    if program == "python":
        target = REPO / argv[1]
        assert target.is_file(), f"{argv[1]} does not exist"
        if argv[1] == "manage.py":
            from django.core.management import get_commands

            assert argv[2] in get_commands(), f"no management command {argv[2]}"
        return
    assert (BIN / program).is_file(), f"{program} is not installed by pyproject.toml"
    if program == "gunicorn":
        module, attr = next(a for a in argv[1:] if ":" in a and not a.startswith("0.")).split(":")
        probe = f"import {module}; assert callable({module}.{attr})"
    elif program == "celery":
        app = argv[argv.index("-A") + 1]
        probe = f"import celery, {app}; assert isinstance({app}.celery_app, celery.Celery)"
    else:
        raise AssertionError(f"no check for {program}: teach test_deploy.py about it")
    stderr = import_probe(probe)
    assert stderr is None, f"{' '.join(argv)}: {stderr}"


@functools.cache
def import_probe(code):
    """stderr of `python -c code` if it fails, else None (each probe runs once per session)."""
    result = run_python(code, clean_env())
    return result.stderr if result.returncode else None


@pytest.mark.parametrize(("where", "argv"), commands_run_by_the_image(), ids=lambda v: str(v)[:40])
def test_every_command_the_image_runs_exists(where, argv):
    check_command(argv)


def test_web_runs_the_same_server_as_the_image():
    assert as_argv(SERVICES["web"]["command"]) == dockerfile_cmd()


def test_dockerfile_builds_from_slim_python_as_a_non_root_user():
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users
    assert users[-1] not in {"root", "0"}
    assert "collectstatic --noinput" in DOCKERFILE
    for source in re.findall(r"^COPY (\S+) ", DOCKERFILE, re.M):
        assert (REPO / source).exists(), f"Dockerfile copies {source}, which does not exist"


@pytest.fixture
def gunicorn_in_production_mode(tmp_path):
    """The Dockerfile's CMD on a free port, with production settings on an SQLite file."""
    env = clean_env(
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="annotate.example.org",
        WEB_CONCURRENCY="1",
    )
    collect = subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stderr
    port = free_port()
    argv = dockerfile_cmd()
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [str(BIN / argv[0]), *argv[1:]], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    yield {"port": port, "env": env, "log": tmp_path / "gunicorn.log", "proc": proc}
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    log.close()


def fetch(url, **headers):
    """(status, headers) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers
    except OSError:
        return None, {}


def test_production_web_command_serves_the_app(gunicorn_in_production_mode):
    app = gunicorn_in_production_mode
    base = f"http://127.0.0.1:{app['port']}"
    host = {"Host": "annotate.example.org"}
    over_https = {**host, "X-Forwarded-Proto": "https"}

    def up():
        assert app["proc"].poll() is None, app["log"].read_text()
        return fetch(f"{base}/accounts/login/", **over_https)[0] == 200

    wait_for(up, 60, "gunicorn to serve the login page")

    status, headers = fetch(f"{base}/accounts/login/", **host)
    assert status == 301
    assert headers["Location"].startswith("https://annotate.example.org/")
    assert (
        fetch(f"{base}/accounts/login/", Host="evil.example.com", **{"X-Forwarded-Proto": "https"})[
            0
        ]
        == 400
    )
    status, headers = fetch(f"{base}/accounts/login/", **over_https)
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert "Secure" in headers["Set-Cookie"]  # the CSRF cookie
    # Static files come from gunicorn itself (WhiteNoise): the admin's stylesheet.
    status, headers = fetch(f"{base}/static/admin/css/base.css", **over_https)
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")

    health = subprocess.run(
        [PYTHON, "scripts/healthcheck.py", f"{base}/accounts/login/"],
        cwd=REPO,
        env=app["env"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert health.returncode == 0, health.stderr


def test_the_image_runs_gunicorn_with_the_benchmarked_config():
    """bench/api.py measures gunicorn.conf.py; the image must copy it and load it."""
    argv = dockerfile_cmd()
    config_path = argv[argv.index("--config") + 1]
    copied = [
        src for line in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.M) for src in line.split()
    ]
    assert config_path in copied
    config: dict = {}
    exec((REPO / config_path).read_text(), config)
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 2
    assert config["workers"] >= 1


def test_compose_connects_as_a_role_without_superuser_rights():
    db = SERVICES["db"]
    assert db["environment"]["POSTGRES_USER"] == "postgres"
    assert db["environment"]["APP_DB_USER"] == "annotator"
    init = "./scripts/postgres-app-role.sh:/docker-entrypoint-initdb.d/10-app-role.sh:ro"
    assert init in db["volumes"]
    for name, svc in APP_SERVICES.items():
        assert svc["environment"]["DATABASE_URL"].startswith("postgres://annotator:"), name


@pytest.mark.postgres
def test_the_app_role_migrates_and_cannot_switch_off_foreign_keys(tmp_path):
    """scripts/postgres-app-role.sh on a fresh database of the local cluster, as the postgres
    image runs it; then migrate as that role, as compose's `migrate` service does."""
    import uuid

    import psycopg

    name = f"app_role_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {
            "APP_DB_NAME": name,
            "APP_DB_USER": name,
            "APP_DB_PASSWORD": "x' ; DROP --",  # quoted by psql, whatever it holds
            "POSTGRES_USER": "postgres",
            "PGHOST": "127.0.0.1",
            "PATH": "/usr/bin:/bin",
        }
        subprocess.run(["sh", str(REPO / "scripts/postgres-app-role.sh")], env=env, check=True)
        url = f"postgres://{name}@127.0.0.1:5432/{name}"
        migrated = run_python(
            "from django.core.management import call_command; import django; django.setup(); "
            "call_command('migrate', verbosity=0); print('migrated')",
            clean_env(tmp_path, DATABASE_URL=url),
            timeout=300,
        )
        assert "migrated" in migrated.stdout, migrated.stderr[-2000:]
        with psycopg.connect(f"postgresql://{name}@127.0.0.1:5432/{name}") as app:
            (super_,) = app.execute(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
            assert super_ is False
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("SET session_replication_role = replica")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')
        admin.close()
