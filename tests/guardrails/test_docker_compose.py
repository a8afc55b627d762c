"""Guardrails of the production stacks: docker-compose.yml, the Dockerfile and ops/docker/.

The two deployments share nothing but the one-way ferries (DESIGN.md): no network, no
database, no volume, no secret. These tests read the files as an operator's `docker compose`
would and fail when a change breaks that isolation, lets a receiving side write into its
inbound ferry, hard-codes a secret, or makes the image run as root. No Docker engine and no
database are needed; the entrypoint is run with stand-ins for python, gunicorn and celery.
"""

from __future__ import annotations

import math
import os
import re
import runpy
import subprocess
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
FERRY_OVERRIDE = REPO / "ops" / "docker" / "compose.ferries.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
OPS = REPO / "ops" / "docker"
ENTRYPOINT = OPS / "entrypoint.sh"

SIDES = ("intranet", "extranet")
APP_ROLES = ("web", "worker", "beat")
BACKING_ROLES = ("postgres", "redis", "opensearch")

# Ferries between the two sides: volume -> (sending side, receiving side, env variable).
SIDE_FERRIES = {
    "ferry_to_extranet": ("intranet", "extranet", "JINCAI_FERRY_TO_EXTRANET"),
    "ferry_to_intranet": ("extranet", "intranet", "JINCAI_FERRY_TO_INTRANET"),
}
# The provincial pair, intranet only: volume -> (intranet may write?, env variable).
PROVINCE_FERRIES = {
    "ferry_to_province": (True, "JINCAI_FERRY_TO_PROVINCE"),
    "ferry_from_province": (False, "JINCAI_FERRY_FROM_PROVINCE"),
}
FERRIES = set(SIDE_FERRIES) | set(PROVINCE_FERRIES)

SECRET_NAME = re.compile(r"SECRET|PASSW|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE)
URL_WITH_PASSWORD = re.compile(r"://[^/\s:@]*:([^/\s@]+)@")
PLACEHOLDER = re.compile(r"change-?me", re.IGNORECASE)


# ----------------------------------------------------------------------------- reading helpers


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def side_of(name: str) -> str:
    side = name.split("-", 1)[0]
    assert side in SIDES, f"service {name!r} belongs to no side (names start with intranet- or extranet-)"
    return side


def role_of(name: str) -> str:
    return name.split("-", 1)[1]


def is_app(name: str) -> bool:
    return role_of(name) in APP_ROLES


def networks_of(service: dict) -> list[str]:
    networks = service.get("networks")
    if networks is None:
        return ["default"]  # Compose puts a service without networks on the shared default one.
    return list(networks) if isinstance(networks, (list, dict)) else [networks]


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {str(key): (None if value is None else str(value)) for key, value in env.items()}


def env_files_of(service: dict) -> list[str]:
    files = service.get("env_file") or []
    if isinstance(files, (str, dict)):
        files = [files]
    return [item["path"] if isinstance(item, dict) else item for item in files]


def mounts_of(service: dict) -> list[tuple[str | None, str, bool]]:
    """(source, target, read_only) of every volume mount, short or long syntax."""
    mounts = []
    for item in service.get("volumes") or []:
        if isinstance(item, dict):
            mounts.append((item.get("source"), item["target"], bool(item.get("read_only", False))))
            continue
        parts = item.split(":")
        if len(parts) == 1:
            mounts.append((None, parts[0], False))
            continue
        options = parts[2].split(",") if len(parts) > 2 else []
        mounts.append((parts[0], parts[1], "ro" in options))
    return mounts


def parse_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert "=" in line, f"{path.name}: not KEY=VALUE: {line!r}"
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_like_real_secret(value: str) -> bool:
    """A long, random-looking token that is not a marked placeholder."""
    for token in re.findall(r"[A-Za-z0-9+=_\-]{20,}", value):
        if PLACEHOLDER.search(token):
            continue
        mixed = all(re.search(p, token) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
        if (mixed and entropy(token) > 3.5) or re.fullmatch(r"[0-9a-f]{32,}", token.lower()):
            return True
    return False


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


# ---------------------------------------------------------------------------------- the stacks


def test_every_service_belongs_to_exactly_one_side(services):
    expected = {f"{side}-{role}" for side in SIDES for role in APP_ROLES + BACKING_ROLES}
    assert set(services) == expected, "a new service needs its side, networks and mounts checked here too"
    for name in services:
        side_of(name)


def test_no_network_is_used_by_both_sides(compose, services):
    sides_by_network = defaultdict(set)
    for name, service in services.items():
        assert "network_mode" not in service, f"{name}: network_mode bypasses the side's networks"
        for key in ("links", "external_links", "volumes_from"):
            assert key not in service, f"{name}: {key} is not used in these stacks"
        for network in networks_of(service):
            assert network != "default", (
                f"{name} is on Compose's default network, which both sides would share"
            )
            sides_by_network[network].add(side_of(name))
    for network, sides in sides_by_network.items():
        assert len(sides) == 1, f"network {network} is used by both sides"
        (side,) = sides
        assert network.startswith(f"{side}_"), f"network {network} of the {side} does not say so"
        assert network in compose["networks"], f"network {network} is not declared"
        assert not (compose["networks"][network] or {}).get("external"), f"{network} must be this file's own"


def test_databases_redis_and_opensearch_only_on_their_sides_internal_network(compose, services):
    for name, service in services.items():
        if is_app(name):
            continue
        side = side_of(name)
        assert networks_of(service) == [f"{side}_net"], f"{name} must be on {side}_net only"
        assert compose["networks"][f"{side}_net"].get("internal") is True, (
            f"{side}_net must be internal: true"
        )
        assert "ports" not in service, f"{name} must not publish a port"


def test_app_services_are_on_their_internal_network_and_only_web_publishes(compose, services):
    for name, service in services.items():
        if not is_app(name):
            continue
        side = side_of(name)
        networks = networks_of(service)
        assert f"{side}_net" in networks, f"{name} cannot reach its own database"
        if role_of(name) == "web":
            assert service.get("ports"), f"{name} publishes no port"
            edge = [n for n in networks if n != f"{side}_net"]
            assert edge, f"{name}: a port is published only from a non-internal network"
            for network in edge:
                assert not (compose["networks"][network] or {}).get("internal"), network
                users = [other for other, s in services.items() if network in networks_of(s)]
                assert users == [name], f"edge network {network} is for {name} alone, not {users}"
        else:
            assert networks == [f"{side}_net"], f"{name} needs no network but its side's internal one"
            assert "ports" not in service, f"{name} must not publish a port"


def test_no_volume_is_mounted_by_both_sides_except_the_ferries(compose, services):
    sides_by_source = defaultdict(set)
    for name, service in services.items():
        for source, _target, _ro in mounts_of(service):
            if source is not None:
                sides_by_source[source].add(side_of(name))
    for source, sides in sides_by_source.items():
        if source in SIDE_FERRIES:
            continue
        assert len(sides) == 1, f"{source} is mounted by both sides"
        if source not in PROVINCE_FERRIES:
            (side,) = sides
            assert source.startswith(f"{side}_"), f"volume {source} of the {side} does not say so"
            assert source in compose["volumes"], f"{source} is not a named volume of this file"


@pytest.mark.parametrize("ferry", sorted(SIDE_FERRIES))
def test_ferry_is_written_only_by_its_sender_and_read_only_for_the_receiver(services, ferry):
    sender, receiver, _variable = SIDE_FERRIES[ferry]
    mounted = {
        name: ro
        for name, service in services.items()
        for source, _target, ro in mounts_of(service)
        if source == ferry
    }
    for name, read_only in mounted.items():
        assert is_app(name), f"{name} has no business with the ferry {ferry}"
        if side_of(name) == receiver:
            assert read_only, f"{name} receives through {ferry} and must mount it read-only (:ro)"
    writers = {name for name, read_only in mounted.items() if not read_only}
    assert writers and {side_of(name) for name in writers} == {sender}, f"{ferry} is written by {writers}"
    assert f"{sender}-worker" in writers, f"the {sender} worker exports into {ferry}"
    assert f"{receiver}-worker" in mounted, f"the {receiver} worker imports from {ferry}"


def test_provincial_ferries_belong_to_the_intranet_only(services):
    for ferry, (intranet_writes, _variable) in PROVINCE_FERRIES.items():
        mounted = {
            name: ro
            for name, service in services.items()
            for source, _target, ro in mounts_of(service)
            if source == ferry
        }
        assert mounted, f"{ferry} is not mounted anywhere"
        for name, read_only in mounted.items():
            assert side_of(name) == "intranet" and is_app(name), f"{name} must not see {ferry}"
            if not intranet_writes:
                assert read_only, f"{name} only reads what the province sends: {ferry} must be :ro"
        if intranet_writes:
            assert mounted.get("intranet-worker") is False, f"the intranet worker exports into {ferry}"


def test_the_app_uses_the_mounted_ferries_not_private_directories(services):
    # Unset, a ferry defaults to $JINCAI_DATA_DIR/ferry/<channel>, inside the side's own volume,
    # where the other side would never see it.
    for name, service in services.items():
        if not is_app(name):
            continue
        env = environment_of(service)
        expected = {variable for *_sides, variable in SIDE_FERRIES.values()}
        if side_of(name) == "intranet":
            expected |= {variable for _writes, variable in PROVINCE_FERRIES.values()}
        targets = {source: target for source, target, _ro in mounts_of(service) if source in FERRIES}
        variables = {
            variable: ferry for ferry, (*_rest, variable) in {**SIDE_FERRIES, **PROVINCE_FERRIES}.items()
        }
        for variable in expected:
            ferry = variables[variable]
            assert ferry in targets, f"{name} does not mount {ferry}"
            assert env.get(variable) == targets[ferry], f"{name}: {variable} must be {targets[ferry]}"


def test_each_side_keeps_its_state_in_its_own_data_volume(services):
    for name, service in services.items():
        if not is_app(name):
            continue
        side = side_of(name)
        data_dir = environment_of(service).get("JINCAI_DATA_DIR")
        assert data_dir, f"{name} sets no JINCAI_DATA_DIR"
        assert (f"{side}_data", data_dir, False) in mounts_of(service), (
            f"{name}: {side}_data must be at {data_dir}"
        )


def test_every_app_service_runs_in_production_as_its_side(services):
    for name, service in services.items():
        if not is_app(name):
            continue
        env = environment_of(service)
        assert env.get("JINCAI_ENV") == "production", f"{name} is not in production mode"
        assert env.get("JINCAI_SIDE") == side_of(name), f"{name} runs the wrong deployment"
        assert service.get("command") == [role_of(name)], f"{name} runs {service.get('command')}"
        if role_of(name) != "web":
            # Only the web service migrates, so that two processes never migrate at once.
            assert env.get("JINCAI_MIGRATE", "0") == "0", f"{name} must not run migrations"
        for key in ("CELERY_BROKER_URL", "REDIS_URL", "SEARCH_URL"):
            assert f"//{side_of(name)}-" in (env.get(key) or ""), (
                f"{name}: {key} must name its own side's service"
            )


def test_no_secret_is_written_in_the_compose_file(compose, services):
    for name, service in services.items():
        for key, value in environment_of(service).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                pytest.fail(f"{name}: {key} belongs in an env file or a secret, not in environment:")
            if value and URL_WITH_PASSWORD.search(value):
                pytest.fail(f"{name}: {key} carries a password in its URL")
        build = service.get("build")
        if isinstance(build, dict):
            for key in dict(build.get("args") or {}):
                assert not SECRET_NAME.search(key), f"{name}: build argument {key} would stay in the image"
    text = COMPOSE.read_text(encoding="utf-8")
    assert not looks_like_real_secret(text), "docker-compose.yml contains a random-looking token"


def test_secrets_come_from_per_side_env_files_that_are_never_committed(services):
    for name, service in services.items():
        side = side_of(name)
        files = env_files_of(service)
        if is_app(name):
            assert files == [f"ops/docker/{side}.env"], f"{name} reads {files}"
        elif role_of(name) == "postgres":
            assert files == [f"ops/docker/{side}-postgres.env"], f"{name} reads {files}"
        for path in files:
            assert Path(path).name.startswith(f"{side}"), f"{name} reads the other side's {path}"
            assert (REPO / f"{path}.example").is_file(), f"no template {path}.example for {name}"
    ignored = (OPS / ".gitignore").read_text(encoding="utf-8").split()
    assert "*.env" in ignored, "ops/docker/.gitignore must keep the real env files out of git"
    assert "ops/docker/*.env" in DOCKERIGNORE.read_text(encoding="utf-8").split(), (
        "env files must stay out of the image"
    )
    if (REPO / ".git").exists():
        tracked = subprocess.run(
            ["git", "ls-files", "ops/docker"], cwd=REPO, capture_output=True, text=True, check=False
        )
        assert not [f for f in tracked.stdout.split() if f.endswith(".env")], "a real env file is committed"


def test_env_templates_hold_placeholders_only():
    templates = sorted(OPS.glob("*.env.example"))
    assert {t.name for t in templates} >= {
        f"{s}{kind}.env.example" for s in SIDES for kind in ("", "-postgres")
    }
    for template in templates:
        values = parse_env_file(template)
        for key, value in values.items():
            if SECRET_NAME.search(key):
                assert PLACEHOLDER.search(value), f"{template.name}: {key} must be a change-me placeholder"
            match = URL_WITH_PASSWORD.search(value)
            if match:
                assert PLACEHOLDER.search(match.group(1)), (
                    f"{template.name}: {key} has a real-looking password"
                )
            assert not looks_like_real_secret(value), f"{template.name}: {key} looks like a real secret"
    for side in SIDES:
        app = parse_env_file(OPS / f"{side}.env.example")
        database = parse_env_file(OPS / f"{side}-postgres.env.example")
        assert {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL"} <= set(app)
        # The template's two halves agree, so a copy with both passwords replaced alike works.
        url = re.match(r"postgres(?:ql)?://([^:]+):([^@]+)@([^:/]+)(?::\d+)?/(.+)$", app["DATABASE_URL"])
        assert url, f"{side}.env.example: DATABASE_URL is not a PostgreSQL URL"
        assert url.groups() == (
            database["POSTGRES_USER"],
            database["POSTGRES_PASSWORD"],
            f"{side}-postgres",
            database["POSTGRES_DB"],
        )
    intranet_secret = parse_env_file(OPS / "intranet.env.example")["SECRET_KEY"]
    assert intranet_secret != parse_env_file(OPS / "extranet.env.example")["SECRET_KEY"]


def test_backing_services_are_the_official_images_configured_for_one_node(services):
    for side in SIDES:
        assert services[f"{side}-postgres"]["image"] == "postgres:15"
        assert services[f"{side}-redis"]["image"] == "redis:7"
        search = services[f"{side}-opensearch"]
        assert search["image"].startswith("opensearchproject/opensearch:2.19.")
        env = environment_of(search)
        assert env.get("discovery.type") == "single-node"
        assert env.get("DISABLE_SECURITY_PLUGIN") == "true"


def test_healthchecks_and_start_order(services):
    for name, service in services.items():
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for other, condition in depends.items():
            assert side_of(other) == side_of(name), f"{name} depends on the other side's {other}"
            assert condition.get("condition") == "service_healthy", f"{name} starts before {other} is healthy"
    for side in SIDES:
        web = services[f"{side}-web"]["depends_on"]
        assert {f"{side}-{role}" for role in BACKING_ROLES} <= set(web)
        for role in ("worker", "beat"):
            # Workers start once the web service has applied the migrations.
            assert f"{side}-web" in services[f"{side}-{role}"]["depends_on"]


def test_ferry_override_only_rebinds_the_ferry_volumes():
    override = yaml.safe_load(FERRY_OVERRIDE.read_text(encoding="utf-8"))
    assert set(override) == {"volumes"}, "the override may not change services, networks or modes"
    assert set(override["volumes"]) <= FERRIES
    for volume in override["volumes"].values():
        assert volume["driver_opts"]["o"] == "bind"


# ------------------------------------------------------------------------------------ the image


def test_dockerfile_is_multistage_runs_unprivileged_and_has_a_healthcheck():
    instructions = dockerfile_instructions()
    stages = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert len(stages) >= 2, "builder and runtime stages"
    args = dict(rest.split("=", 1) for keyword, rest in instructions if keyword == "ARG" and "=" in rest)
    for index in stages:
        base = instructions[index][1].split()[0]
        base = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), base)
        assert base == "python:3.11-slim-bookworm", base
    runtime = instructions[stages[-1] :]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users, "the runtime stage sets no USER and would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"the image runs as {users[-1]}"
    checks = [rest for keyword, rest in runtime if keyword == "HEALTHCHECK"]
    assert checks and "NONE" not in checks[-1].upper(), "the runtime stage has no HEALTHCHECK"
    assert "healthcheck.py" in checks[-1] and '"web"' in checks[-1]
    assert '"/healthz"' in (OPS / "healthcheck.py").read_text(encoding="utf-8"), "the web check asks /healthz"
    assert ("EXPOSE", "8000") in runtime
    assert any(keyword == "ENTRYPOINT" and "entrypoint.sh" in rest for keyword, rest in runtime)
    runtime_text = " ".join(rest for _keyword, rest in runtime)
    for package in ("gnupg", "libmagic1", "fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0"):
        assert package in runtime_text, f"the runtime stage does not install {package}"
    assert "gettext" not in runtime_text and "build-essential" not in runtime_text


def test_build_context_is_an_allowlist_that_carries_every_package():
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", ".dockerignore must start by excluding everything"
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*").rstrip(".") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    wanted = {"pyproject.toml", "locale", "ops/docker", *packages}
    if project["project"].get("readme"):
        wanted.add(project["project"]["readme"])
    missing = {name for name in wanted if f"!{name}" not in patterns}
    assert not missing, f"not in the build context: {sorted(missing)}"


def test_gunicorn_settings_are_sane(monkeypatch):
    for key in list(os.environ):
        if key.startswith("GUNICORN_"):
            monkeypatch.delenv(key)
    settings = runpy.run_path(str(OPS / "gunicorn.conf.py"))
    assert settings["bind"].endswith(":8000")
    assert settings["worker_class"] == "gthread" and settings["workers"] >= 2 and settings["threads"] >= 2
    assert 0 < settings["graceful_timeout"] <= settings["timeout"]
    assert settings["accesslog"] == "-" and settings["errorlog"] == "-"
    assert settings["worker_tmp_dir"] == "/dev/shm"


# ----------------------------------------------------------------------------- the entrypoint


@pytest.fixture
def image_like(tmp_path):
    """Stand-ins for the image: python, gunicorn and celery that only log how they were called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for program in ("python", "gunicorn", "celery"):
        stub = bin_dir / program
        stub.write_text(f'#!/bin/sh\necho "{program} $*" >> "{log}"\n', encoding="utf-8")
        stub.chmod(0o755)
    app_dir = tmp_path / "opt"
    for side in SIDES:
        (app_dir / "static" / side).mkdir(parents=True)
    ferry = tmp_path / "ferry"
    for channel in ("to-extranet", "to-intranet", "to-province", "from-province"):
        (ferry / channel).mkdir(parents=True)

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        base = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "JINCAI_APP_DIR": str(app_dir),
            "JINCAI_DATA_DIR": str(tmp_path / "data"),
            "JINCAI_ENV": "production",
            "SECRET_KEY": "entrypoint-test-" + "k" * 40,
            "ALLOWED_HOSTS": "oa.example.gov.cn",
            "DATABASE_URL": "postgres://jincai:pw@db/jincai",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
        }
        return subprocess.run(
            ["sh", str(ENTRYPOINT), *args],
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def calls() -> list[str]:
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    run.calls = calls
    run.tmp = tmp_path
    run.ferry = ferry
    return run


def test_entrypoint_migrates_only_when_asked_then_serves(image_like):
    result = image_like("web", JINCAI_SIDE="intranet", JINCAI_MIGRATE="1")
    assert result.returncode == 0, result.stderr
    assert image_like.calls() == [
        "python -m intranet migrate --noinput",
        f"gunicorn --config {image_like.tmp / 'opt' / 'gunicorn.conf.py'} intranet.wsgi:application",
    ]
    static = image_like.tmp / "data" / "intranet" / "static"
    assert (
        static.is_symlink() and static.resolve() == (image_like.tmp / "opt" / "static" / "intranet").resolve()
    )

    (image_like.tmp / "calls.log").unlink()
    assert image_like("web", JINCAI_SIDE="extranet").returncode == 0
    assert [c.split()[0] for c in image_like.calls()] == ["gunicorn"], "no migration unless JINCAI_MIGRATE=1"


@pytest.mark.parametrize("role", ["worker", "beat"])
def test_entrypoint_starts_celery_roles(image_like, role):
    result = image_like(role, JINCAI_SIDE="extranet", JINCAI_MIGRATE="1")
    assert result.returncode == 0, result.stderr
    (call,) = image_like.calls()
    assert call.startswith(f"celery -A extranet {role} ")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"JINCAI_SIDE": "province"}, "JINCAI_SIDE"),
        ({"JINCAI_SIDE": "intranet", "DATABASE_URL": ""}, "DATABASE_URL"),
        ({"JINCAI_SIDE": "extranet", "SECRET_KEY": "change-me-extranet-secret-key"}, "placeholder"),
    ],
)
def test_entrypoint_refuses_to_start_misconfigured(image_like, env, message):
    result = image_like("web", **env)
    assert result.returncode != 0 and message in result.stderr
    assert image_like.calls() == [], "nothing may run, not even migrations"


def test_entrypoint_refuses_a_writable_inbound_ferry(image_like):
    # A temporary directory is writable, as a ferry mounted without :ro would be.
    inbound = str(image_like.ferry / "to-intranet")
    result = image_like("worker", JINCAI_SIDE="intranet", JINCAI_FERRY_TO_INTRANET=inbound)
    assert result.returncode != 0 and ":ro" in result.stderr
    assert image_like.calls() == []
    # Writing to its own outbound ferry is what the sender does.
    outbound = str(image_like.ferry / "to-extranet")
    assert image_like("worker", JINCAI_SIDE="intranet", JINCAI_FERRY_TO_EXTRANET=outbound).returncode == 0
