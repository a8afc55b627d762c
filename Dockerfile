# syntax=docker/dockerfile:1
#
# Jincai production image. One image serves both deployments; the side is chosen at run time
# with JINCAI_SIDE=intranet|extranet and the role with the command: web | worker | beat
# (see ops/docker/entrypoint.sh). docker-compose.yml runs the two isolated stacks.
#
#   docker build -t jincai:latest .
#
# Stage 1 (builder) turns pyproject.toml into wheels and compiles the message catalogues.
# Stage 2 (runtime) installs those wheels, the Debian runtime libraries and the prebuilt static
# files, and runs as an unprivileged user: nothing is compiled or collected at run time.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A compiler for any dependency without a binary wheel; gettext's msgfmt for the catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, from pyproject.toml alone, so that a code change does not rebuild them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip wheel --wheel-dir /wheels -r /tmp/requirements.txt

COPY . .

# Compile every catalogue (.po -> .mo) before the app wheel is built, so that the wheel and the
# image carry compiled translations. The project-level catalogues live in ./locale (Django's
# LOCALE_PATHS), which is not a Python package: it is handed to the runtime stage separately.
RUN mkdir -p locale \
 && find . -name '*.po' -print0 \
    | xargs -0 -r -n1 sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' msgfmt \
 && pip wheel --no-deps --wheel-dir /wheels .

# --------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ARG JINCAI_UID=10001
ARG JINCAI_GID=10001

LABEL org.opencontainers.image.title="jincai" \
      org.opencontainers.image.description="Jincai: municipal finance bureau intranet and extranet (one image, two deployments)"

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8 \
    TZ=Asia/Shanghai

# Runtime libraries only: GnuPG (exchange signatures), libmagic (content-type allowlist),
# Noto CJK fonts and Pango/HarfBuzz (WeasyPrint PDFs in Chinese), tzdata (Asia/Shanghai).
# Installing the fonts builds the system fontconfig cache here, not at run time.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        gnupg \
        libmagic1 \
        fonts-noto-cjk \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        tzdata \
 && rm -rf /var/lib/apt/lists/*

# Install the app and its dependencies from the builder's wheels only (no index), byte-compiling
# everything now. The project-level catalogues go where the settings look for them
# (REPO_ROOT/locale, i.e. beside the installed packages).
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    --mount=type=bind,from=builder,source=/src/locale,target=/tmp/locale \
    pip install --no-index --find-links=/wheels --compile jincai \
 && repo_root="$(python -c 'from common.env import REPO_ROOT; print(REPO_ROOT)')" \
 && rm -rf "${repo_root}/locale" \
 && cp -a /tmp/locale "${repo_root}/locale"

# Static files of both sides, collected and compressed (whitenoise manifest) at build time.
# STATIC_ROOT is $JINCAI_DATA_DIR/<side>/static; the entrypoint points it at these read-only
# copies. The throw-away key below exists only for this build step and is not kept in the image.
RUN set -eu; \
    for side in intranet extranet; do \
        JINCAI_ENV=production JINCAI_DATA_DIR=/tmp/collect SECRET_KEY=collectstatic-build-step-only \
        CELERY_BROKER_URL=memory:// ALLOWED_HOSTS=localhost \
            python -m "$side" collectstatic --noinput --verbosity 0; \
        mkdir -p /opt/jincai/static; \
        mv "/tmp/collect/$side/static" "/opt/jincai/static/$side"; \
    done; \
    rm -rf /tmp/collect

# The unprivileged user, and the mount points it owns. Named volumes take the owner and mode of
# these directories when they are first created, so both sides see the same uid on the ferries.
RUN groupadd --system --gid "${JINCAI_GID}" jincai \
 && useradd --system --uid "${JINCAI_UID}" --gid jincai --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin jincai \
 && install -d -o jincai -g jincai -m 0750 \
        /data /ferry/to-extranet /ferry/to-intranet /ferry/to-province /ferry/from-province

COPY --chmod=0755 ops/docker/entrypoint.sh /opt/jincai/entrypoint.sh
COPY --chmod=0644 ops/docker/gunicorn.conf.py ops/docker/healthcheck.py /opt/jincai/

# Set only now so that the install steps above did write their bytecode.
ENV PYTHONDONTWRITEBYTECODE=1 \
    JINCAI_ENV=production \
    JINCAI_DATA_DIR=/data \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache

WORKDIR /opt/jincai
USER jincai:jincai

EXPOSE 8000

# The web role answers /healthz (which also checks the database). docker-compose.yml replaces
# this check for the worker and beat roles.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/opt/jincai/healthcheck.py", "web"]

ENTRYPOINT ["/opt/jincai/entrypoint.sh"]
CMD ["web"]
