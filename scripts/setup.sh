#!/usr/bin/env bash
# Set up caselog on a fresh machine: Debian packages the portal and its browser tests need
# (Chromium, CJK fonts), then a virtual environment in .venv with caselog and its test tools.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v git >/dev/null 2>&1 || missing+=(git)
# any Chromium-family browser will do for the browser tests (GitHub's Ubuntu runners ship Chrome;
# their "chromium" package is a snap stub); tests find it via CASELOG_CHROMIUM or the PATH
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
    && ! command -v google-chrome >/dev/null 2>&1 && [ -z "${CASELOG_CHROMIUM:-}" ]; then
  missing+=(chromium)
fi
if ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then missing+=(fonts-noto-cjk fontconfig); fi
# official documents (caselog doc): WeasyPrint lays out PDFs with Pango; Noto Serif CJK stands in
# for 小标宋 and 仿宋 (fonts-noto-cjk), AR PL UKai for 楷体; the tests read PDFs back with
# poppler's pdftotext and pdffonts (grep without -q: under pipefail -q would fail the pipe)
if ! fc-list 2>/dev/null | grep -i "Noto Serif CJK SC" >/dev/null; then missing+=(fonts-noto-cjk fontconfig); fi
if ! fc-list 2>/dev/null | grep -i "AR PL UKai" >/dev/null; then missing+=(fonts-arphic-ukai); fi  # 楷体 of level-2 headings
if ! ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so.0" >/dev/null; then missing+=(libpango-1.0-0 libpangoft2-1.0-0); fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# the validators the test suite runs over the built portal (tests/validators): Java for the Nu Html
# Checker, Node's npm to install it and axe-core
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
# Node.js: the staff editing interface (admin/) runs Decap CMS's local git proxy with it; the search
# the recall test and the benchmark search the built site with its own search-engine.js in Node
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} with your system's package manager" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
stamp=.venv/.caselog-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing caselog and its dependencies into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,bench]'
  touch "$stamp"
fi

# the editing interface's npm packages (Decap CMS, decap-server), exactly as admin/package-lock.json says
if [ ! -f admin/node_modules/.package-lock.json ] || [ admin/package-lock.json -nt admin/node_modules/.package-lock.json ]; then
  echo "setup: installing the editing interface's npm packages into admin/node_modules"
  (cd admin && npm ci --no-audit --no-fund --loglevel=error)
fi

# tests/validators: vnu-jar (Nu Html Checker) and axe-core, at the versions package-lock.json pins
if [ ! -f tests/validators/node_modules/.package-lock.json ] \
    || [ tests/validators/package-lock.json -nt tests/validators/node_modules/.package-lock.json ]; then
  echo "setup: installing the validators (npm ci in tests/validators)"
  (cd tests/validators && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

# the command line's Chinese catalogue, compiled (without it, it is compiled in memory on each run)
.venv/bin/python scripts/update-cli-catalogue.py --compile
