#!/usr/bin/env bash
# The installed-package test: the Userdesk .deb installed, upgraded and removed the way a manager's
# machine does it (apt, from a signed repository over HTTP), what it installs checked, the installed
# app started in a window, and the signed rpm repository checked. Run as root on Debian or Ubuntu,
# on a machine where Userdesk is not installed:
#
#   scripts/test-package.sh DIST_DIR   # DIST_DIR: what `make dist` writes (target/dist)
#
# USERDESK_PACKAGE_WINDOW_TEST, when set, is a shell command run after the install and again after
# the upgrade (from the repository's root), with USERDESK_APP=/usr/bin/userdesk,
# USERDESK_PACKAGE_STAGE=installed|upgraded, DISPLAY (this script's Xvfb), and HOME and XDG_* in
# this script's temporary home.
#
# It leaves the machine as it found it: the package is purged, the apt sources file removed, the
# HTTP server and Xvfb stopped, the temporary directories removed, also when a check fails. apt
# reads and writes its lists and caches in a temporary directory, so the machine's own are not
# touched. The tools it installs when missing stay installed: apt-utils gnupg desktop-file-utils
# python3 xvfb x11-utils createrepo-c rpm.
set -euo pipefail
umask 022

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPO_SH=$ROOT/scripts/package-repo.sh
PACKAGE=userdesk
APP=/usr/bin/userdesk
DESKTOP=/usr/share/applications/Userdesk.desktop
ICONS=/usr/share/icons/hicolor
SOURCES=/etc/apt/sources.list.d/userdesk-package-test.sources
WINDOW_TIMEOUT=60

passed=0
failed=0
work=
http_pid=
xvfb_pid=
app_pid=
installed_by_us=false
sources_created=false

step() { printf '\n== %s\n' "$*"; }
note() { echo "   $*"; }
pass() {
	passed=$((passed + 1))
	echo "   ok: $*"
}
fail() {
	failed=$((failed + 1))
	echo "   FAILED: $*"
}
# check PASSED FAILED COMMAND...: one check, counted, from a command's status.
check() {
	local ok=$1 bad=$2
	shift 2
	if "$@"; then pass "$ok"; else fail "$bad"; fi
}
# A check this test cannot go on without.
die() {
	fail "$*"
	exit 1
}
# Runs a command with its output indented; its status is the command's.
run() {
	"$@" 2>&1 | sed -u 's/^/      | /'
	return "${PIPESTATUS[0]}"
}
status_of() { dpkg-query -W -f='${db:Status-Abbrev}' "$PACKAGE" 2>/dev/null | tr -d ' ' || true; }
installed_version() { dpkg-query -W -f='${Version}' "$PACKAGE" 2>/dev/null || true; }

# Ends the app's process group (the app, its D-Bus session, WebKit's processes) by its id.
stop_app() {
	[ -n "$app_pid" ] || return 0
	kill -TERM -- "-$app_pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 -- "-$app_pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL -- "-$app_pid" 2>/dev/null || true
	wait "$app_pid" 2>/dev/null || true
	app_pid=
}

cleanup() {
	local status=$?
	set +e
	trap - INT TERM
	step "cleanup"
	stop_app
	if $installed_by_us && [ -n "$(status_of)" ] && [ "$(status_of)" != un ]; then
		if run dpkg --purge "$PACKAGE" && { [ -z "$(status_of)" ] || [ "$(status_of)" = un ]; }; then
			note "purged $PACKAGE"
		else
			fail "purging $PACKAGE failed: remove it with dpkg --purge $PACKAGE"
		fi
	fi
	if $sources_created; then rm -f "$SOURCES" && note "removed $SOURCES"; fi
	if [ -n "$http_pid" ]; then
		kill "$http_pid" 2>/dev/null
		wait "$http_pid" 2>/dev/null
		note "stopped the HTTP server"
	fi
	if [ -n "$xvfb_pid" ]; then
		kill "$xvfb_pid" 2>/dev/null
		wait "$xvfb_pid" 2>/dev/null
		note "stopped Xvfb"
	fi
	if [ -n "$work" ]; then
		for home in "$work/gnupg" "$work/verify-gnupg"; do
			[ -d "$home" ] && gpgconf --homedir "$home" --kill all >/dev/null 2>&1
		done
		rm -rf "$work"
		note "removed the temporary directories"
	fi
	if [ "$status" = 130 ] || [ "$status" = 143 ]; then
		fail "interrupted"
	elif [ "$status" != 0 ] && [ "$failed" = 0 ]; then
		fail "stopped by an unexpected error (status $status); see the output above"
	fi
	echo
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && exit 0
	exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- a. preconditions ----
step "a. preconditions: root, Debian/Ubuntu, Userdesk not installed, the tools"
[ $# -eq 1 ] || die "usage: scripts/test-package.sh DIST_DIR (the directory make dist writes, target/dist)"
[ -d "$1" ] || die "no such directory: $1 (run make dist first)"
dist=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || die "run as root: it installs, upgrades and removes a package (sudo scripts/test-package.sh $1)"
if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
	die "apt-get and dpkg not found: this test runs on Debian or Ubuntu"
fi
pass "root on a system with apt and dpkg"

if [ -n "$(status_of)" ] && [ "$(status_of)" != un ]; then
	die "$PACKAGE $(installed_version) is already on this machine (dpkg status $(status_of)): a test must not change a machine it did not set up. Remove it first with \`apt-get purge $PACKAGE\` (the managers' data in their home directories stays), or run the test on a fresh machine or container"
fi
[ ! -e "$SOURCES" ] || die "$SOURCES already exists (left by an interrupted run?): remove it and run again"
pass "$PACKAGE is not installed; $SOURCES is not there"

tools=(apt-ftparchive:apt-utils gpg:gnupg desktop-file-validate:desktop-file-utils python3:python3
	Xvfb:xvfb xwininfo:x11-utils createrepo_c:createrepo-c rpm:rpm)
missing=()
for pair in "${tools[@]}"; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || [[ " ${missing[*]} " == *" ${pair#*:} "* ]] || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
	note "installing: ${missing[*]}"
	run apt-get update -qq || die "apt-get update failed"
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
		die "installing ${missing[*]} failed"
fi
for pair in "${tools[@]}"; do
	command -v "${pair%%:*}" >/dev/null || die "${pair%%:*} is missing (Debian package ${pair#*:})"
done
pass "tools present: ${tools[*]%%:*}"

shopt -s nullglob
debs=("$dist"/*.deb)
rpms=("$dist"/*.rpm)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || die "expected one .deb in $dist, found ${#debs[@]}: ${debs[*]:-none}"
deb=${debs[0]}
name=$(dpkg-deb --field "$deb" Package) || die "$deb is not a Debian package"
version=$(dpkg-deb --field "$deb" Version)
[ "$name" = "$PACKAGE" ] || die "$deb is package '$name', expected '$PACKAGE'"
pass "$(basename "$deb"): package $name, version $version"
if [ -f "$dist/SHA256SUMS" ]; then
	if (cd "$dist" && run sha256sum --check --strict SHA256SUMS); then
		pass "SHA256SUMS matches the files in $dist"
	else
		fail "SHA256SUMS does not match the files in $dist"
	fi
else
	fail "no SHA256SUMS in $dist"
fi

# ---- b. a temporary home ----
step "b. a temporary HOME: the app's store, settings and configuration go there"
work=$(mktemp -d)
# apt's download and signature methods run as the _apt user: the repository's keyring, apt's lists
# and caches here must be readable by it.
chmod 755 "$work"
# cargo and rustup (the window test hook) stay where they are, whatever HOME says.
[ -z "${CARGO_HOME:-}" ] && [ -d "$HOME/.cargo" ] && export CARGO_HOME=$HOME/.cargo
[ -z "${RUSTUP_HOME:-}" ] && [ -d "$HOME/.rustup" ] && export RUSTUP_HOME=$HOME/.rustup
export HOME=$work/home
export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config
export XDG_CACHE_HOME=$HOME/.cache XDG_STATE_HOME=$HOME/.local/state
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
pass "HOME=$HOME (XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME inside)"

# ---- c. the previous version ----
step "c. the previous version: the built .deb relabelled $version~previous"
# A stand-in for the previous release: the same build with only its version changed to one dpkg
# sorts before this one. Building the previous release's sources would cost a second release
# build; what the upgrade tests is apt and dpkg replacing one installed version by a newer one.
previous="$version~previous"
dpkg --compare-versions "$previous" lt "$version" || die "dpkg does not sort $previous before $version"
mkdir -p "$work/previous" "$work/packages"
dpkg-deb -R "$deb" "$work/previous/root" || die "dpkg-deb -R cannot unpack $deb"
sed -i "s/^Version: .*/Version: $previous/" "$work/previous/root/DEBIAN/control"
previous_deb=$work/packages/${PACKAGE}_${previous}_$(dpkg-deb --field "$deb" Architecture).deb
run dpkg-deb --root-owner-group -b "$work/previous/root" "$previous_deb" >/dev/null ||
	die "dpkg-deb -b cannot build the previous version's package"
rm -rf "$work/previous"
[ "$(dpkg-deb --field "$previous_deb" Version)" = "$previous" ] || die "the relabelled package is not version $previous"
pass "$(basename "$previous_deb") built, version $previous (sorts before $version)"

# ---- d. a signed apt repository over HTTP, and the install ----
step "d. a signed apt repository with $previous, served over HTTP; apt-get install $PACKAGE"
repo=$work/apt-repo
mkdir -p "$repo"
: >"$work/http.log"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$repo" >"$work/http.log" 2>&1 &
http_pid=$!
port=
for _ in $(seq 1 50); do
	port=$(sed -n 's/^Serving HTTP on [^ ]* port \([0-9]*\).*/\1/p' "$work/http.log" 2>/dev/null || true)
	[ -n "$port" ] && break
	kill -0 "$http_pid" 2>/dev/null || break
	sleep 0.2
done
[ -n "$port" ] || die "the HTTP server did not start: $(cat "$work/http.log")"
url=http://127.0.0.1:$port
pass "HTTP server (pid $http_pid) serves $repo at $url"

# One throw-away key for the repository's whole life here (install, then upgrade).
publish() {
	env -u USERDESK_REPO_GPG_KEY -u USERDESK_REPO_GPG_PASSPHRASE -u USERDESK_REPO_GPG_KEY_ID \
		USERDESK_REPO_GNUPGHOME="$work/gnupg" "$REPO_SH" "$1" --test-key --url "$2" "$3" "${@:4}"
}
run publish apt "$url" "$repo" "$previous_deb" || die "package-repo.sh apt could not build the repository"
for file in dists/stable/Release dists/stable/InRelease dists/stable/Release.gpg userdesk-archive-keyring.gpg userdesk.sources; do
	[ -s "$repo/$file" ] || die "package-repo.sh apt wrote no $file"
done
if gpgv --keyring "$repo/userdesk-archive-keyring.gpg" "$repo/dists/stable/InRelease" >/dev/null 2>&1; then
	pass "InRelease verifies with userdesk-archive-keyring.gpg"
else
	fail "InRelease does not verify with userdesk-archive-keyring.gpg"
fi

# The repository's own sources file, as a manager installs it, with the test's keyring.
sed "s|^Signed-By: .*|Signed-By: $repo/userdesk-archive-keyring.gpg|" "$repo/userdesk.sources" >"$SOURCES"
sources_created=true
chmod 644 "$SOURCES"
note "$SOURCES:"
sed 's/^/      | /' "$SOURCES"

# apt with this source only, its lists and caches in the temporary directory.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
apt_opts=(-o "Dir::Etc::sourcelist=$SOURCES" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
	-o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache"
	-o Acquire::http::Proxy::127.0.0.1=DIRECT)
apt_update() {
	if ! apt-get "${apt_opts[@]}" update >"$work/apt-update.log" 2>&1; then
		sed 's/^/      | /' "$work/apt-update.log"
		return 1
	fi
	sed 's/^/      | /' "$work/apt-update.log"
	if grep -qE '^(W|E|Err):' "$work/apt-update.log"; then
		echo "      (apt-get update printed warnings or errors)"
		return 1
	fi
}
apt_update || die "apt-get update failed on the signed repository"
pass "apt-get update: the repository's signature is accepted, no warnings"

installed_by_us=true
if ! run env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y "$PACKAGE"; then
	die "apt-get install $PACKAGE failed (apt reads only the test's source here: the package's dependencies must be installed already, e.g. by make deps)"
fi
got=$(installed_version)
[ "$got" = "$previous" ] || die "after apt-get install, $PACKAGE is at '$got', expected $previous"
pass "apt-get install $PACKAGE: version $previous installed"

# ---- e. what the package installs, and the app's start ----
step "e. the installed files, and the app starting in a window"
if run desktop-file-validate "$DESKTOP"; then
	pass "desktop-file-validate $DESKTOP"
else
	fail "desktop-file-validate $DESKTOP (missing or invalid)"
fi
# desktop_key KEY: its value in the [Desktop Entry] group.
desktop_key() {
	[ -f "$DESKTOP" ] || return 0
	awk -v k="$1" '/^\[/ { group = ($0 == "[Desktop Entry]") }
		group && index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$DESKTOP"
}
entry_name=$(desktop_key Name)
entry_exec=$(desktop_key Exec)
entry_icon=$(desktop_key Icon)
check "Name=Userdesk" "the desktop entry's Name is '$entry_name', expected Userdesk" [ "$entry_name" = Userdesk ]
check "Exec=$entry_exec" "the desktop entry's Exec is '$entry_exec', expected userdesk" [ "${entry_exec%% *}" = userdesk ]
png_size() {
	python3 -c 'import struct, sys
data = open(sys.argv[1], "rb").read(24)
if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
    sys.exit(1)
print("%dx%d" % struct.unpack(">II", data[16:24]))' "$1" 2>/dev/null
}
if [ -z "$entry_icon" ]; then
	fail "the desktop entry names no Icon"
else
	for size in 32x32 128x128; do
		icon=$ICONS/$size/apps/$entry_icon.png
		got=$(png_size "$icon" || true)
		if [ "$got" = "$size" ]; then
			pass "icon $icon: a ${got} PNG"
		elif [ -e "$icon" ]; then
			fail "icon $icon is not a $size PNG (${got:-not a PNG})"
		else
			fail "no icon $icon (the desktop entry says Icon=$entry_icon)"
		fi
	done
fi
[ -x "$APP" ] || die "$APP is missing or not executable"
pass "$APP is installed and executable"

# An X server of this test's own, on a free display number Xvfb picks and reports (-displayfd).
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/xvfb.display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 1 50); do
	[ -s "$work/xvfb.display" ] && break
	kill -0 "$xvfb_pid" 2>/dev/null || break
	sleep 0.2
done
[ -s "$work/xvfb.display" ] || die "Xvfb did not start: $(tail -n 5 "$work/xvfb.log")"
DISPLAY=:$(head -n 1 "$work/xvfb.display")
export DISPLAY
pass "Xvfb (pid $xvfb_pid) on display $DISPLAY"

# This start's store and log in a folder of their own in the temporary home (where step g looks
# for the app's data): the app's usual folders stay for the window test's first start.
launcher=()
command -v dbus-run-session >/dev/null && launcher=(dbus-run-session --)
USERDESK_DATA_DIR=$XDG_DATA_HOME/userdesk-package-test USERDESK_LOG_DIR=$XDG_DATA_HOME/userdesk-package-test/logs \
	setsid "${launcher[@]}" "$APP" >"$work/app.log" 2>&1 &
app_pid=$!
found=false
for _ in $(seq 1 $((WINDOW_TIMEOUT * 2))); do
	if xwininfo -root -tree 2>/dev/null | grep -q '"Userdesk"'; then
		found=true
		break
	fi
	kill -0 "$app_pid" 2>/dev/null || break
	sleep 0.5
done
if $found; then
	pass "$APP started (pid $app_pid${launcher:+, in its own D-Bus session}): a window named \"Userdesk\" is up"
else
	if kill -0 "$app_pid" 2>/dev/null; then
		fail "no window named \"Userdesk\" within ${WINDOW_TIMEOUT}s of starting $APP"
	else
		fail "$APP exited before a window named \"Userdesk\" came up"
	fi
	note "its output:"
	tail -n 20 "$work/app.log" | sed 's/^/      | /'
fi
pid=$app_pid
stop_app
group_gone() { ! kill -0 -- "-$1" 2>/dev/null; }
check "the app stopped (process group $pid ended)" "the app (process group $pid) is still running" group_gone "$pid"

# ---- f. the window test hook, and the upgrade ----
# hook STAGE: runs USERDESK_PACKAGE_WINDOW_TEST, if set, on the installed app.
hook() {
	if [ -z "${USERDESK_PACKAGE_WINDOW_TEST:-}" ]; then
		note "USERDESK_PACKAGE_WINDOW_TEST is not set: no window test at stage $1"
		return 0
	fi
	note "window test ($1): $USERDESK_PACKAGE_WINDOW_TEST"
	if (cd "$ROOT" && export USERDESK_APP=$APP USERDESK_PACKAGE_STAGE=$1 && run bash -c "$USERDESK_PACKAGE_WINDOW_TEST"); then
		pass "window test passed on the $1 package"
	else
		fail "window test failed on the $1 package (USERDESK_PACKAGE_STAGE=$1)"
	fi
}
step "f. the window test on the installed package; the upgrade to $version"
hook installed

run publish apt "$url" "$repo" "$deb" || die "package-repo.sh apt could not add $version to the repository"
published=$(find "$repo/pool" -name '*.deb' | wc -l)
check "the repository holds both versions ($previous kept beside $version)" \
	"the repository holds $published package files, expected 2 ($previous and $version)" [ "$published" -eq 2 ]
apt_update || die "apt-get update failed on the repository with $version"
pass "apt-get update: $version seen, signature accepted"
run env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" upgrade -y || die "apt-get upgrade failed"
got=$(installed_version)
[ "$got" = "$version" ] || die "after apt-get upgrade, $PACKAGE is at '$got', expected $version"
pass "apt-get upgrade: $PACKAGE $previous -> $version"
hook upgraded

# ---- g. removal keeps the managers' data ----
step "g. apt-get remove $PACKAGE: the program goes, the data in HOME stays"
# Every file under the data and configuration directories, with its checksum.
listing() { find "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum; }
listing >"$work/before"
run env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" remove -y "$PACKAGE" || die "apt-get remove $PACKAGE failed"
status_of_now=$(status_of)
check "$APP is gone" "$APP is still there after apt-get remove" [ ! -e "$APP" ]
check "dpkg no longer lists $PACKAGE as installed (status: ${status_of_now:-not installed})" \
	"dpkg still lists $PACKAGE as installed" [ "$status_of_now" != ii ]
listing >"$work/after"
files=$(wc -l <"$work/before")
if [ "$files" -eq 0 ]; then
	fail "nothing under $XDG_DATA_HOME or $XDG_CONFIG_HOME to compare: the app wrote no data in step e"
elif cmp -s "$work/before" "$work/after"; then
	pass "all $files files under XDG_DATA_HOME and XDG_CONFIG_HOME are still there, unchanged"
else
	fail "the data in the temporary HOME changed on remove:"
	diff "$work/before" "$work/after" | sed 's/^/      | /' || true
fi

# ---- h. the rpm repository ----
step "h. the signed rpm repository"
if [ ${#rpms[@]} -ne 1 ]; then
	fail "expected one .rpm in $dist, found ${#rpms[@]}: ${rpms[*]:-none}"
else
	rpm_file=${rpms[0]}
	rpm_repo=$work/rpm-repo
	if ! run publish rpm https://packages.example.com/userdesk/rpm "$rpm_repo" "$rpm_file"; then
		fail "package-repo.sh rpm could not build the repository from $(basename "$rpm_file")"
	else
		pass "package-repo.sh rpm built $rpm_repo from $(basename "$rpm_file")"
		mkdir -m 700 "$work/verify-gnupg"
		gpg --homedir "$work/verify-gnupg" --batch --quiet --import "$rpm_repo/RPM-GPG-KEY-userdesk" 2>/dev/null || true
		if run gpg --homedir "$work/verify-gnupg" --batch --verify "$rpm_repo/repodata/repomd.xml.asc" "$rpm_repo/repodata/repomd.xml"; then
			pass "gpg --verify repomd.xml.asc repomd.xml with RPM-GPG-KEY-userdesk"
		else
			fail "repomd.xml.asc does not verify with RPM-GPG-KEY-userdesk"
		fi
		listed=$(for primary in "$rpm_repo"/repodata/*primary.xml*; do
			case $primary in
			*.gz) zcat "$primary" ;;
			*.xz) xzcat "$primary" ;;
			*.zst) zstd -dc "$primary" ;;
			*.bz2) bzcat "$primary" ;;
			*) cat "$primary" ;;
			esac
		done | python3 -c 'import sys, xml.etree.ElementTree as ET
ns = {"c": "http://linux.duke.edu/metadata/common"}
for p in ET.parse(sys.stdin).getroot().findall("c:package", ns):
    v = p.find("c:version", ns)
    print(p.findtext("c:name", namespaces=ns), v.get("ver"), v.get("rel"))' 2>/dev/null || true)
		if printf '%s\n' "$listed" | grep -q "^$PACKAGE $version "; then
			pass "repodata primary.xml lists $PACKAGE $version ($(printf '%s\n' "$listed" | grep "^$PACKAGE " | head -n 1))"
		else
			fail "repodata primary.xml does not list $PACKAGE at version $version (it lists: ${listed:-nothing})"
		fi
		mkdir -p "$work/rpmdb"
		rpmkeys --dbpath "$work/rpmdb" --import "$rpm_repo/RPM-GPG-KEY-userdesk" 2>/dev/null || true
		signed=("$rpm_repo"/Packages/*.rpm)
		if rpmkeys --dbpath "$work/rpmdb" --checksig "${signed[@]}" 2>&1 | grep -q 'digests signatures OK'; then
			pass "the package in the repository is signed with RPM-GPG-KEY-userdesk (rpmkeys --checksig)"
		else
			fail "the package in the repository is not signed with RPM-GPG-KEY-userdesk: $(rpmkeys --dbpath "$work/rpmdb" --checksig "${signed[@]}" 2>&1)"
		fi
		repo_file=$rpm_repo/userdesk.repo
		if grep -qx 'gpgcheck=1' "$repo_file" && grep -qx 'repo_gpgcheck=1' "$repo_file" && grep -q '^gpgkey=' "$repo_file"; then
			pass "userdesk.repo has gpgcheck=1, repo_gpgcheck=1 and gpgkey"
		else
			fail "userdesk.repo lacks gpgcheck=1, repo_gpgcheck=1 or gpgkey"
		fi
	fi
fi
