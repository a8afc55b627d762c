#!/bin/sh
# Entrypoint of the Jincai image.
#
#   entrypoint.sh web            gunicorn serving $JINCAI_SIDE.wsgi:application on :8000
#                                (runs `migrate --noinput` first when JINCAI_MIGRATE=1)
#   entrypoint.sh worker         celery -A $JINCAI_SIDE worker
#   entrypoint.sh beat           celery -A $JINCAI_SIDE beat
#   entrypoint.sh manage ARGS    python -m $JINCAI_SIDE ARGS   (any management command)
#   entrypoint.sh CMD ARGS       anything else is executed as given (e.g. sh)
#
# Environment: JINCAI_SIDE (intranet|extranet, required), JINCAI_DATA_DIR (default /data),
# JINCAI_MIGRATE, GUNICORN_* (see gunicorn.conf.py), CELERY_CONCURRENCY, LOG_LEVEL.
# JINCAI_APP_DIR (default /opt/jincai) is where the image keeps this script, its gunicorn
# settings and the static files collected at build time.
set -eu

app_dir="${JINCAI_APP_DIR:-/opt/jincai}"

die() {
    echo "entrypoint: $*" >&2
    exit 64
}

warn() {
    echo "entrypoint: warning: $*" >&2
}

case "${JINCAI_SIDE:-}" in
    intranet | extranet) ;;
    *) die "JINCAI_SIDE must be 'intranet' or 'extranet' (got '${JINCAI_SIDE:-}')" ;;
esac

JINCAI_DATA_DIR="${JINCAI_DATA_DIR:-/data}"
export JINCAI_DATA_DIR
side_dir="$JINCAI_DATA_DIR/$JINCAI_SIDE"

# In production an unset service URL would silently fall back to the embedded defaults
# (SQLite, a file broker, database search): refuse to start instead.
check_production_env() {
    [ "${JINCAI_ENV:-}" = "production" ] || return 0
    for name in SECRET_KEY ALLOWED_HOSTS DATABASE_URL CELERY_BROKER_URL; do
        eval "value=\${$name:-}"
        [ -n "$value" ] || die "$name is not set (JINCAI_ENV=production); see ops/docker/$JINCAI_SIDE.env.example"
    done
    case "$SECRET_KEY" in
        *change-me* | *CHANGE-ME* | *CHANGE_ME*) die "SECRET_KEY still holds the placeholder of the .env.example template" ;;
    esac
    case "$DATABASE_URL" in
        *change-me* | *CHANGE-ME* | *CHANGE_ME*) die "DATABASE_URL still holds the placeholder password of the template" ;;
    esac
}

# Local state must be writable by this (unprivileged) user.
check_data_dir() {
    mkdir -p "$side_dir" 2>/dev/null || true
    [ -d "$side_dir" ] && [ -w "$side_dir" ] \
        || die "$side_dir is not writable by uid $(id -u); the data volume must belong to uid $(id -u)"
}

# A ferry may be written only by its sending side; the receiving side must have it read-only.
check_ferries() {
    case "$JINCAI_SIDE" in
        intranet)
            sending="JINCAI_FERRY_TO_EXTRANET JINCAI_FERRY_TO_PROVINCE"
            receiving="JINCAI_FERRY_TO_INTRANET JINCAI_FERRY_FROM_PROVINCE"
            ;;
        extranet)
            sending="JINCAI_FERRY_TO_INTRANET"
            receiving="JINCAI_FERRY_TO_EXTRANET"
            ;;
    esac
    for name in $sending; do
        eval "dir=\${$name:-}"
        [ -n "$dir" ] || continue
        [ -d "$dir" ] || { warn "$name=$dir does not exist"; continue; }
        [ -w "$dir" ] || warn "$name=$dir is not writable: packages cannot be exported there"
    done
    for name in $receiving; do
        eval "dir=\${$name:-}"
        [ -n "$dir" ] || continue
        [ -d "$dir" ] || { warn "$name=$dir does not exist"; continue; }
        [ -w "$dir" ] && die "$name=$dir is writable here; the receiving side must mount it read-only (:ro)"
    done
    return 0
}

# STATIC_ROOT is $JINCAI_DATA_DIR/<side>/static: point it at the files collected at build time,
# so that every container of this image serves exactly the static files it was built with.
link_static() {
    target="$app_dir/static/$JINCAI_SIDE"
    link="$side_dir/static"
    [ -d "$target" ] || die "$target is missing from the image"
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
        return 0
    fi
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        rm -rf "$link"
    fi
    ln -s "$target" "$link.new.$$"
    mv -f -T "$link.new.$$" "$link"
}

role="${1:-web}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$role" in
    web | worker | beat)
        check_production_env
        check_data_dir
        check_ferries
        link_static
        ;;
esac

case "$role" in
    web)
        if [ "${JINCAI_MIGRATE:-0}" = "1" ]; then
            echo "entrypoint: applying $JINCAI_SIDE migrations" >&2
            python -m "$JINCAI_SIDE" migrate --noinput
        fi
        exec gunicorn --config "$app_dir/gunicorn.conf.py" "$@" "$JINCAI_SIDE.wsgi:application"
        ;;
    worker)
        exec celery -A "$JINCAI_SIDE" worker \
            --loglevel="${LOG_LEVEL:-INFO}" \
            --concurrency="${CELERY_CONCURRENCY:-2}" \
            --max-tasks-per-child="${CELERY_MAX_TASKS_PER_CHILD:-200}" \
            --without-gossip --without-mingle \
            "$@"
        ;;
    beat)
        # The schedule file lives in the side's data dir (CELERY_BEAT_SCHEDULE_FILENAME).
        exec celery -A "$JINCAI_SIDE" beat --loglevel="${LOG_LEVEL:-INFO}" "$@"
        ;;
    manage)
        exec python -m "$JINCAI_SIDE" "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
