#!/usr/bin/env bash
# Builds a signed package repository from the packages `make dist` writes, as a directory of plain
# files any static web host can serve (docs/packages.md):
#
#   scripts/package-repo.sh apt OUT_DIR DEB...   # apt: dists/stable/main/binary-<arch>/, pool/
#   scripts/package-repo.sh rpm OUT_DIR RPM...   # dnf, yum, zypper: repodata/, Packages/
#
# Packages already in OUT_DIR stay: publishing a release into the same OUT_DIR puts it next to the
# earlier ones, and the indexes are rebuilt and signed again over all of them. A file already
# published is never replaced by different contents (managers' package managers keep its checksum).
#
# apt: the repository's Release is signed (InRelease, Release.gpg); the public key is written as
# OUT_DIR/userdesk-archive-keyring.gpg (binary, for `Signed-By:`), and OUT_DIR/userdesk.sources is
# the deb822 sources file a manager's machine installs.
# rpm: every package is signed (rpmsign) and repodata/repomd.xml too (repomd.xml.asc); the public key
# is written as OUT_DIR/RPM-GPG-KEY-userdesk (ASCII armour), and OUT_DIR/userdesk.repo is the file
# for /etc/yum.repos.d (gpgcheck=1, repo_gpgcheck=1).
#
# The signing key, from the environment:
#   USERDESK_REPO_GPG_KEY         the ASCII-armoured private key; imported into a temporary GnuPG
#                                 home that is removed at exit
#   USERDESK_REPO_GPG_PASSPHRASE  its passphrase, if it has one
#   USERDESK_REPO_GPG_KEY_ID      which secret key signs, when there are several
#   USERDESK_REPO_GNUPGHOME       a GnuPG home to use (and keep) instead of a temporary one: the key
#                                 already there signs, unless USERDESK_REPO_GPG_KEY is given too
# or, for tests only:
#   --test-key                    a throw-away key generated on the spot. With USERDESK_REPO_GNUPGHOME
#                                 it is generated there the first time and reused by later calls
#                                 (publishing a second version into the same OUT_DIR needs the same
#                                 key); the caller removes that directory.
# A repository keeps its key: signing OUT_DIR with another key than the one it was published with is
# refused (see docs/packages.md to change it on purpose).
#
#   --url URL   the address OUT_DIR will be served at, written into userdesk.sources/userdesk.repo
#               (default: $USERDESK_REPO_URL; without either, a file written earlier is kept, and
#               a new one gets a placeholder to edit)
#
# Needs apt-utils and gnupg (apt), createrepo-c, rpm and gnupg (rpm): installed when missing if run
# as root, else named in the error.
set -euo pipefail
umask 022

PROG=package-repo.sh
# The user id of --test-key keys: says what they are wherever the key is shown.
TEST_UID="Userdesk THROW-AWAY TEST KEY, not for releases <repo-test-key@userdesk.invalid>"
SUITE=stable
COMPONENT=main

usage() {
	cat <<'EOF'
usage: scripts/package-repo.sh [--test-key] [--url URL] apt OUT_DIR DEB...
       scripts/package-repo.sh [--test-key] [--url URL] rpm OUT_DIR RPM...

Builds (or adds to) a signed apt or rpm repository in OUT_DIR, ready for any static web host.
Packages already in OUT_DIR are kept; indexes are rebuilt over all of them and signed.

  apt OUT_DIR DEB...  dists/stable/main/binary-<arch>/ + pool/; Release, InRelease, Release.gpg;
                      userdesk-archive-keyring.gpg (public key, binary) and userdesk.sources
  rpm OUT_DIR RPM...  Packages/ (each package signed) + repodata/ (repomd.xml.asc);
                      RPM-GPG-KEY-userdesk (public key, armoured) and userdesk.repo
  --url URL           where OUT_DIR will be served (default $USERDESK_REPO_URL, else a placeholder)
  --test-key          sign with a throw-away key generated now: for tests only
  -h, --help          this help

Signing key (environment):
  USERDESK_REPO_GPG_KEY         ASCII-armoured private key (imported into a temporary GnuPG home)
  USERDESK_REPO_GPG_PASSPHRASE  its passphrase, if any
  USERDESK_REPO_GPG_KEY_ID      the secret key to sign with, when there are several
  USERDESK_REPO_GNUPGHOME       a GnuPG home to use and keep instead of a temporary one (with
                                --test-key: where the throw-away key is kept between calls)
EOF
}

log() { echo "$PROG: $*" >&2; }
die() {
	echo "$PROG: error: $*" >&2
	exit 1
}
usage_error() {
	echo "$PROG: error: $*" >&2
	echo "usage: scripts/package-repo.sh [--test-key] [--url URL] apt|rpm OUT_DIR PACKAGE... (--help for more)" >&2
	exit 2
}

# ---- arguments ----
test_key=false
url=${USERDESK_REPO_URL:-}
args=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		usage
		exit 0
		;;
	--test-key) test_key=true ;;
	--url)
		[ $# -ge 2 ] || usage_error "--url needs the address OUT_DIR will be served at"
		url=$2
		shift
		;;
	--url=*) url=${1#--url=} ;;
	--)
		shift
		args+=("$@")
		break
		;;
	-*) usage_error "unknown option: $1" ;;
	*) args+=("$1") ;;
	esac
	shift
done
[ ${#args[@]} -ge 1 ] || usage_error "no subcommand given (apt or rpm)"
kind=${args[0]}
case $kind in
apt | rpm) ;;
*) usage_error "unknown subcommand: '$kind' (expected apt or rpm)" ;;
esac
[ ${#args[@]} -ge 2 ] || usage_error "no OUT_DIR given"
out=${args[1]}
packages=("${args[@]:2}")
ext=$([ "$kind" = apt ] && echo deb || echo rpm)
[ ${#packages[@]} -ge 1 ] || usage_error "no packages given: name at least one .$ext file after OUT_DIR"
if [ -z "$url" ]; then
	url="https://packages.example.com/userdesk/$kind"
	url_placeholder=true
else
	url=${url%/}
	url_placeholder=false
fi

# ---- tools ----
# need COMMAND:DEBIAN_PACKAGE...: installs the missing ones when root, else says which are missing.
need() {
	local pair missing=() commands=()
	for pair in "$@"; do
		if ! command -v "${pair%%:*}" >/dev/null 2>&1; then
			commands+=("${pair%%:*}")
			[[ " ${missing[*]} " == *" ${pair#*:} "* ]] || missing+=("${pair#*:}")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing Debian packages: ${missing[*]} (for ${commands[*]})"
		local apt_log
		apt_log=$(mktemp)
		if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
			cat "$apt_log" >&2
			rm -f "$apt_log"
			die "installing ${missing[*]} failed"
		fi
		rm -f "$apt_log"
		for pair in "$@"; do
			command -v "${pair%%:*}" >/dev/null || die "${pair%%:*} still missing after installing ${pair#*:}"
		done
	else
		die "missing ${commands[*]}: install the Debian package(s) ${missing[*]} (sudo apt-get install ${missing[*]}), or run this script as root to have them installed"
	fi
}
if [ "$kind" = apt ]; then
	need dpkg-deb:dpkg apt-ftparchive:apt-utils gpg:gnupg gpgv:gpgv gzip:gzip
else
	need rpm:rpm rpmsign:rpm rpmkeys:rpm createrepo_c:createrepo-c gpg:gnupg gpgv:gpgv
fi

# write_client_file NAME: the file a manager's machine installs, from stdin; without --url an
# existing one (with the address given earlier) is kept rather than replaced by a placeholder.
client_file=
write_client_file() {
	client_file=$1
	if $url_placeholder && [ -e "$1" ]; then
		cat >/dev/null
		url_placeholder=false
		log "kept $1 as it was (no --url given)"
	else
		cat >"$1"
	fi
}

# ---- apt ----
plan_apt() {
	local file fields pkg ver arch rel
	for file in "${packages[@]}"; do
		# shellcheck disable=SC2016 # dpkg-deb's own ${Field} format
		fields=$(dpkg-deb --show --showformat='${Package}\t${Version}\t${Architecture}' "$file" 2>/dev/null) ||
			die "not a Debian package (dpkg-deb cannot read it): $file"
		IFS=$'\t' read -r pkg ver arch <<<"$fields"
		[ -n "$pkg" ] && [ -n "$ver" ] && [ -n "$arch" ] || die "$file lacks Package, Version or Architecture in its control file"
		rel="pool/$COMPONENT/${pkg:0:1}/$pkg/${pkg}_${ver#*:}_${arch}.deb"
		if [ -n "${planned[$rel]:-}" ] && ! cmp -s "${planned[$rel]}" "$file"; then
			die "$file and ${planned[$rel]} are both $pkg $ver ($arch) with different contents"
		fi
		if [ -e "$out/$rel" ] && ! cmp -s "$out/$rel" "$file"; then
			die "$pkg $ver ($arch) is already published with other contents ($out/$rel): a published version never changes; give the new build a new version"
		fi
		planned[$rel]=$file
	done
}
publish_apt() {
	local file rel all=() arches=() a
	for rel in "${!planned[@]}"; do
		if [ -e "$out/$rel" ]; then
			log "already published, kept: $rel"
		else
			mkdir -p "$out/$(dirname "$rel")"
			cp "${planned[$rel]}" "$out/$rel.tmp"
			mv "$out/$rel.tmp" "$out/$rel"
			log "added: $rel"
		fi
	done

	# Every architecture in the pool gets its index ("all" packages go into each).
	cd "$out"
	mapfile -t all < <(find pool -name '*.deb' -type f | LC_ALL=C sort)
	mapfile -t arches < <(for file in "${all[@]}"; do dpkg-deb --field "$file" Architecture; done | grep -vx all | LC_ALL=C sort -u)
	[ ${#arches[@]} -gt 0 ] || arches=(amd64)

	# The new dists/stable is built beside the old one and swapped in whole.
	mkdir -p dists
	staged=$out/dists/.$SUITE.new
	rm -rf "$staged"
	for a in "${arches[@]}"; do
		mkdir -p "$staged/$COMPONENT/binary-$a"
		apt-ftparchive --arch "$a" packages pool >"$staged/$COMPONENT/binary-$a/Packages"
		gzip -9n <"$staged/$COMPONENT/binary-$a/Packages" >"$staged/$COMPONENT/binary-$a/Packages.gz"
	done
	apt-ftparchive \
		-o APT::FTPArchive::Release::Origin=Userdesk \
		-o APT::FTPArchive::Release::Label=Userdesk \
		-o APT::FTPArchive::Release::Suite=$SUITE \
		-o APT::FTPArchive::Release::Codename=$SUITE \
		-o APT::FTPArchive::Release::Components=$COMPONENT \
		-o "APT::FTPArchive::Release::Architectures=${arches[*]}" \
		-o "APT::FTPArchive::Release::Description=Userdesk desktop app" \
		release "$staged" >"$scratch/Release"
	mv "$scratch/Release" "$staged/Release"
	sign --clearsign --output "$staged/InRelease" "$staged/Release" || die "signing InRelease failed$sign_hint"
	sign --armor --detach-sign --output "$staged/Release.gpg" "$staged/Release" || die "signing Release.gpg failed$sign_hint"
	gpgv --quiet --keyring "$scratch/key.gpg" "$staged/InRelease" 2>/dev/null || die "InRelease does not verify with the exported key"
	gpgv --quiet --keyring "$scratch/key.gpg" "$staged/Release.gpg" "$staged/Release" 2>/dev/null ||
		die "Release.gpg does not verify with the exported key"

	rm -rf "dists/.$SUITE.old"
	[ -d "dists/$SUITE" ] && mv "dists/$SUITE" "dists/.$SUITE.old"
	mv "$staged" "dists/$SUITE"
	staged=
	rm -rf "dists/.$SUITE.old"
	cp "$scratch/key.gpg" "$key_file"

	write_client_file userdesk.sources <<EOF
Types: deb
URIs: $url
Suites: $SUITE
Components: $COMPONENT
Architectures: ${arches[*]}
Signed-By: /etc/apt/keyrings/userdesk-archive-keyring.gpg
EOF
	echo "apt repository $out (signed by $fpr): ${#all[@]} package file(s)"
	for file in "${all[@]}"; do echo "  $file"; done
}

# ---- rpm ----
plan_rpm() {
	local file fields name ver rel arch digest target have
	for file in "${packages[@]}"; do
		[ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')" = edabeedb ] || die "not an rpm package (no rpm lead): $file"
		fields=$(rpm -qp --nosignature --nodigest --qf '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SHA256HEADER}\n' "$file" 2>/dev/null) ||
			die "not an rpm package (rpm cannot read it): $file"
		IFS=$'\t' read -r name ver rel arch digest <<<"$fields"
		target="Packages/$name-$ver-$rel.$arch.rpm"
		if [ -n "${planned[$target]:-}" ]; then
			[ "${planned[$target]%%$'\t'*}" = "$digest" ] || die "$file and ${planned[$target]#*$'\t'} are both $name $ver-$rel ($arch) with different contents"
			continue
		fi
		# Compared by the header's digest, which covers the payload and not the signature: the
		# published copy is the same package signed.
		if [ -e "$out/$target" ]; then
			have=$(rpm -qp --nosignature --nodigest --qf '%{SHA256HEADER}' "$out/$target" 2>/dev/null || true)
			if [ "$digest" = "(none)" ] || [ "$have" != "$digest" ]; then
				die "$name $ver-$rel ($arch) is already published with other contents ($out/$target): a published version never changes; give the new build a new version"
			fi
		fi
		planned[$target]="$digest"$'\t'"$file"
	done
}
publish_rpm() {
	local file target signed passphrase_args all=()
	# rpm's own key store, for checking the signatures this script makes.
	mkdir -p "$scratch/rpmdb"
	rpmkeys --dbpath "$scratch/rpmdb" --import "$scratch/key.asc" || die "rpmkeys cannot import the public key"
	mkdir -p "$out/Packages"
	for target in "${!planned[@]}"; do
		if [ -e "$out/$target" ]; then
			log "already published, kept: $target"
			continue
		fi
		file=${planned[$target]#*$'\t'}
		signed="$scratch/$(basename "$target")"
		cp "$file" "$signed"
		passphrase_args=--batch
		[ -n "${USERDESK_REPO_GPG_PASSPHRASE:-}" ] && passphrase_args="--batch --pinentry-mode loopback --passphrase-file $scratch/passphrase"
		# rpm's own idea of where gpg is (Debian's rpm says gpg2) is not used.
		if ! rpmsign --define "__gpg $(command -v gpg)" --define "_gpg_name $fpr" --define "_gpg_path $gnupg" \
			--define "_gpg_sign_cmd_extra_args $passphrase_args" --addsign "$signed" >"$scratch/rpmsign.log" 2>&1; then
			grep -v 'Could not set GPG_TTY' "$scratch/rpmsign.log" >&2
			die "signing $file failed$sign_hint"
		fi
		rpmkeys --dbpath "$scratch/rpmdb" --checksig "$signed" | grep -q 'signatures OK' ||
			die "the signature on $signed does not verify with the exported key"
		cp "$signed" "$out/$target.tmp"
		mv "$out/$target.tmp" "$out/$target"
		log "added (signed): $target"
	done

	cd "$out"
	update=()
	[ -e repodata/repomd.xml ] && update=(--update)
	# gzip-compressed metadata: read by every dnf, yum and zypper.
	createrepo_c --quiet "${update[@]}" --general-compress-type gz --checksum sha256 . >&2 ||
		die "createrepo_c failed"
	sign --armor --detach-sign --output repodata/repomd.xml.asc repodata/repomd.xml || die "signing repomd.xml failed$sign_hint"
	gpgv --quiet --keyring "$scratch/key.gpg" repodata/repomd.xml.asc repodata/repomd.xml 2>/dev/null ||
		die "repomd.xml.asc does not verify with the exported key"
	cp "$scratch/key.asc" "$key_file"

	write_client_file userdesk.repo <<EOF
[userdesk]
name=Userdesk
baseurl=$url
enabled=1
gpgcheck=1
repo_gpgcheck=1
gpgkey=$url/$key_file
EOF
	mapfile -t all < <(find Packages -name '*.rpm' -type f | LC_ALL=C sort)
	echo "rpm repository $out (signed by $fpr): ${#all[@]} package file(s)"
	for file in "${all[@]}"; do echo "  $file"; done
}

# ---- the packages: all checked before anything is written ----
for file in "${packages[@]}"; do
	[ -e "$file" ] || die "no such file: $file"
	[ -f "$file" ] || die "not a file: $file"
	case $file in
	*."$ext") ;;
	*) die "not a .$ext file: $file (the $kind subcommand takes .$ext packages)" ;;
	esac
done

if [ -e "$out" ] && [ ! -d "$out" ]; then
	die "OUT_DIR exists and is not a directory: $out"
fi
if [ "$kind" = apt ] && [ -e "$out/repodata" ]; then
	die "$out holds an rpm repository (repodata/): give the apt repository a directory of its own"
fi
if [ "$kind" = rpm ] && [ -e "$out/dists" ]; then
	die "$out holds an apt repository (dists/): give the rpm repository a directory of its own"
fi

# Absolute paths, and the packages' own checks (readable, and no published version changed).
for i in "${!packages[@]}"; do
	packages[i]=$(cd "$(dirname "${packages[i]}")" && pwd)/$(basename "${packages[i]}")
done
declare -A planned=()
"plan_$kind"

# ---- cleanup ----
scratch=$(mktemp -d)
own_home=false
gnupg=
agent_was_running=true
staged=
writing=false
cleanup() {
	local status=$?
	if [ -n "$gnupg" ] && { $own_home || ! $agent_was_running; }; then
		gpgconf --homedir "$gnupg" --kill all >/dev/null 2>&1 || true
	fi
	if $own_home && [ -n "$gnupg" ]; then rm -rf "$gnupg"; fi
	if [ -n "$staged" ]; then rm -rf "$staged"; fi
	rm -rf "$scratch"
	if [ "$status" != 0 ] && $writing; then
		log "failed: $out may hold new package files, but its signed indexes are as they were"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the signing key ----
if $test_key && [ -n "${USERDESK_REPO_GPG_KEY:-}" ]; then
	die "--test-key and USERDESK_REPO_GPG_KEY both given: choose the real key or the throw-away one"
fi
if [ -n "${USERDESK_REPO_GNUPGHOME:-}" ]; then
	mkdir -p "$USERDESK_REPO_GNUPGHOME"
	chmod 700 "$USERDESK_REPO_GNUPGHOME"
	gnupg=$(cd "$USERDESK_REPO_GNUPGHOME" && pwd)
	# Stop the agent at exit only if this script started it.
	gpg-connect-agent --homedir "$gnupg" --no-autostart 'GETINFO pid' /bye 2>/dev/null | grep -q '^D ' ||
		agent_was_running=false
else
	gnupg=$(mktemp -d)
	own_home=true
fi
export GNUPGHOME=$gnupg
gpg_batch=(gpg --batch --no-tty --quiet)

# Fingerprints of the usable secret keys (primary keys), one a line; $1 filters by user id.
secret_keys() {
	{ "${gpg_batch[@]}" --with-colons --list-secret-keys ${1:+"$1"} 2>/dev/null || true; } |
		awk -F: '$1 == "sec" { want = ($2 != "r" && $2 != "e" && $2 != "d") } $1 == "fpr" && want { print $10; want = 0 }'
}

if [ -n "${USERDESK_REPO_GPG_KEY:-}" ]; then
	printf '%s\n' "$USERDESK_REPO_GPG_KEY" >"$scratch/key.asc"
	imported=$({ gpg --batch --no-tty --with-colons --import-options show-only --import "$scratch/key.asc" 2>/dev/null || true; } |
		awk -F: '$1 == "sec" { s = 1 } $1 == "fpr" && s { print $10; s = 0 }')
	[ -n "$imported" ] || die "USERDESK_REPO_GPG_KEY holds no private key (expected the output of gpg --armor --export-secret-keys KEY)"
	import_opts=()
	[ -n "${USERDESK_REPO_GPG_PASSPHRASE:-}" ] && import_opts=(--pinentry-mode loopback --passphrase-fd 3)
	"${gpg_batch[@]}" "${import_opts[@]}" --import "$scratch/key.asc" 3<<<"${USERDESK_REPO_GPG_PASSPHRASE:-}" ||
		die "importing USERDESK_REPO_GPG_KEY failed"
	rm -f "$scratch/key.asc"
	candidates=$imported
elif $test_key; then
	echo "$PROG: WARNING: signing with a THROW-AWAY TEST KEY (--test-key): nobody should trust this repository; for tests only" >&2
	candidates=$(secret_keys "<repo-test-key@userdesk.invalid>")
	if [ -z "$candidates" ]; then
		log "generating the throw-away test key in ${USERDESK_REPO_GNUPGHOME:-a temporary GnuPG home}"
		"${gpg_batch[@]}" --pinentry-mode loopback --passphrase '' \
			--quick-generate-key "$TEST_UID" rsa3072 sign 1d >/dev/null 2>&1 ||
			die "generating the test key failed"
		candidates=$(secret_keys "<repo-test-key@userdesk.invalid>")
	fi
elif [ -n "${USERDESK_REPO_GNUPGHOME:-}" ]; then
	candidates=$(secret_keys)
	[ -n "$candidates" ] || die "no usable secret key in USERDESK_REPO_GNUPGHOME=$USERDESK_REPO_GNUPGHOME"
else
	die "no signing key: set USERDESK_REPO_GPG_KEY to the ASCII-armoured private key (and USERDESK_REPO_GPG_PASSPHRASE if it has one), or USERDESK_REPO_GNUPGHOME to a GnuPG home holding it; --test-key signs with a throw-away key, for tests only"
fi
if [ -n "${USERDESK_REPO_GPG_KEY_ID:-}" ]; then
	fpr=$(secret_keys "${USERDESK_REPO_GPG_KEY_ID}" | head -n 1)
	[ -n "$fpr" ] || die "no usable secret key matches USERDESK_REPO_GPG_KEY_ID=$USERDESK_REPO_GPG_KEY_ID"
else
	count=$(printf '%s\n' "$candidates" | grep -c . || true)
	[ "$count" -ge 1 ] || die "no usable (unexpired, unrevoked) secret key to sign with"
	[ "$count" -eq 1 ] || die "$count secret keys to choose from: set USERDESK_REPO_GPG_KEY_ID to the one that signs"
	fpr=$candidates
fi
log "signing key: $fpr"

sign_opts=(--pinentry-mode loopback --local-user "$fpr" --digest-algo SHA512)
if [ -n "${USERDESK_REPO_GPG_PASSPHRASE:-}" ]; then
	printf '%s' "$USERDESK_REPO_GPG_PASSPHRASE" >"$scratch/passphrase"
	chmod 600 "$scratch/passphrase"
	sign_opts+=(--passphrase-file "$scratch/passphrase")
else
	sign_opts+=(--passphrase '')
fi
sign() { "${gpg_batch[@]}" --yes "${sign_opts[@]}" "$@"; }
sign_hint=
[ -n "${USERDESK_REPO_GPG_KEY:-}" ] && sign_hint=" (if the key has a passphrase, is USERDESK_REPO_GPG_PASSPHRASE set, and right?)"

# The key's public part, and the rule that a repository keeps its key.
"${gpg_batch[@]}" --export --export-options export-minimal "$fpr" >"$scratch/key.gpg"
"${gpg_batch[@]}" --armor --export --export-options export-minimal "$fpr" >"$scratch/key.asc"
[ -s "$scratch/key.gpg" ] || die "exporting the public key of $fpr failed"
if [ "$kind" = apt ]; then key_file=userdesk-archive-keyring.gpg; else key_file=RPM-GPG-KEY-userdesk; fi
if [ -e "$out/$key_file" ]; then
	published=$("${gpg_batch[@]}" --with-colons --show-keys "$out/$key_file" 2>/dev/null |
		awk -F: '$1 == "pub" { p = 1 } $1 == "fpr" && p { print $10; p = 0 }')
	if ! printf '%s\n' "$published" | grep -qx "$fpr"; then
		die "$out was published with key ${published:-(unreadable $key_file)}, not $fpr: managers' machines trust that key only. Sign with it, or, to change the repository's key on purpose, delete $out/$key_file first and tell managers to install the new one"
	fi
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

writing=true
"publish_$kind"
writing=false
if $url_placeholder; then
	log "note: no --url given: $client_file names the placeholder $url; pass --url with the address $out will be served at"
fi
if $test_key; then
	log "WARNING: $out is signed with a THROW-AWAY TEST KEY ($fpr): for tests only, never publish it"
fi
