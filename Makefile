# Encaisse — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test test-pg lint install messages browser pdf-libs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are built, not committed; GNU gettext provides msgfmt.
messages: install
	@command -v msgfmt >/dev/null || (apt-get install -y -qq gettext >/dev/null 2>&1 || sudo apt-get install -y -qq gettext)
	test ! -d encaisse/locale || $(BIN)/encaisse compilemessages --ignore='.venv' -v 0

# Playwright drives Debian's Chromium (it cannot download its own browser here).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium) \
	  || (sudo apt-get update -qq && sudo apt-get install -y -qq chromium)

# WeasyPrint (letters, formal notices) needs Pango; HarfBuzz-subset makes font
# subsetting fast (without it, fontTools takes ~0.5 s per PDF).
pdf-libs:
	@ldconfig -p | grep -q libharfbuzz-subset.so.0 && ldconfig -p | grep -q libpango-1.0.so.0 \
	  || (apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null 2>&1 \
	  || sudo apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

run: install messages pdf-libs
	$(BIN)/encaisse migrate --no-input -v 0
	$(BIN)/encaisse demo --if-empty
	$(BIN)/encaisse serve

test: install messages browser pdf-libs
	$(BIN)/pytest -n 2 --dist loadfile --durations=15

# The same suite against PostgreSQL (DATABASE_URL must point at a server).
test-pg: install messages browser pdf-libs
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/encaisse} $(BIN)/pytest -n 2 --dist loadfile --durations=15

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy encaisse

clean:
	rm -rf $(VENV) var/*.sqlite3*
