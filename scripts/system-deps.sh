#!/usr/bin/env bash
# Install the Debian packages the project needs, if any is missing (Debian 12 "bookworm").
# Quick when everything is there: it only asks dpkg. Needs root, or a user who can sudo.
set -euo pipefail

PACKAGES=(
    postgresql-15            # the database server of the private cluster
    postgresql-15-postgis-3  # PostGIS 3 for PostgreSQL 15
    gdal-bin                 # ogr2ogr/ogrinfo, handy for checking imports and exports
    libgdal32                # GDAL for GeoDjango (Debian 12's soname)
    libgeos-c1v5             # GEOS for GeoDjango
    libproj25                # PROJ for GeoDjango and PostGIS
    proj-data                # PROJ grids (BETA2007 for DHDN/Gauss-Krüger)
    gettext                  # msgfmt for the German and English message catalogues
    chromium                 # headless browser for the end-to-end tests (driven by Playwright)
    fonts-dejavu-core        # a font, so that pages render text in the headless browser
    python3-venv             # virtualenv support, should the system Python create it
    nodejs                   # npm installs the browser libraries we serve ourselves
    npm
    wrk                      # HTTP load for `make bench`
)

missing=()
for package in "${PACKAGES[@]}"; do
    # node and npm may come from elsewhere (nvm, NodeSource): a working binary is enough.
    case "$package" in
        nodejs) command -v node >/dev/null 2>&1 && continue ;;
        npm) command -v npm >/dev/null 2>&1 && continue ;;
        python3-venv) python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && continue ;;
    esac
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    [ "$status" = installed ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "[deps] installing Debian packages: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "[deps] error: not root and no sudo; install these packages first: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's postgresql package starts its own cluster on port 5432; we do not need it.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | grep -q online; then
    echo "[deps] note: Debian's default PostgreSQL cluster is running too; the project does not use it."
fi
