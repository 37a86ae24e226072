#!/bin/sh
# Installer for OASYS, the accounting server in one executable.
#
#   sh install.sh                        build this checkout (cargo) and install to ~/.local/bin
#   sh install.sh --from ./oasys         install a binary you already have (no network, no cargo)
#   sudo sh install.sh --system --from target/release/oasys
#                                        install to /usr/local/bin as a systemd service
#
# Run `sh install.sh --help` for every option. It never edits PATH or your shell profile.
#
# Conventions follow rustup-init.sh: the whole body is the function `main`, called on the last
# line, so a truncated copy of this file does nothing; every command that can fail is checked.

set -eu

INSTALLER_VERSION="0.1.0"

usage() {
    cat <<EOF
oasys-install ${INSTALLER_VERSION}
Install the OASYS server binary, \`oasys\`.

USAGE:
    sh install.sh [OPTIONS]

OPTIONS:
    --from PATH      Install this oasys binary (no network, no cargo needed).
                     Without --from, build the checkout that holds this script with
                     \`cargo build --release --locked\` and install the result
                     (\$CARGO_TARGET_DIR is respected).
    --sha256 HEX     Refuse to install unless the binary's SHA-256 is HEX.
    --prefix DIR     Install into DIR (default: \$OASYS_INSTALL, else ~/.local/bin;
                     with --system: /usr/local/bin).
    --system         Install for the whole machine (needs root): binary in /usr/local/bin,
                     system user \`oasys\`, /etc/systemd/system/oasys.service,
                     /etc/oasys/oasys.toml (kept if it exists), data in /var/lib/oasys.
    -y, --yes        Do not ask for confirmation.
    -h, --help       Print this help.
    -V, --version    Print the installer's version.

ENVIRONMENT:
    OASYS_INSTALL    Default install directory (instead of ~/.local/bin).
    CARGO_TARGET_DIR Where cargo puts build output when building from the checkout.
EOF
}

main() {
    need_cmd uname
    need_cmd mkdir
    need_cmd cp
    need_cmd mv
    need_cmd rm
    need_cmd chmod
    need_cmd dirname

    _from=""
    _sha256=""
    _prefix=""
    _system=no
    _yes=no

    while [ $# -gt 0 ]; do
        case "$1" in
            --from)
                [ $# -ge 2 ] || err "--from needs a path"
                _from="$2"
                shift 2
                ;;
            --from=*)
                _from="${1#--from=}"
                shift
                ;;
            --sha256)
                [ $# -ge 2 ] || err "--sha256 needs a hex digest"
                _sha256="$2"
                shift 2
                ;;
            --sha256=*)
                _sha256="${1#--sha256=}"
                shift
                ;;
            --prefix)
                [ $# -ge 2 ] || err "--prefix needs a directory"
                _prefix="$2"
                shift 2
                ;;
            --prefix=*)
                _prefix="${1#--prefix=}"
                shift
                ;;
            --system)
                _system=yes
                shift
                ;;
            -y | --yes)
                _yes=yes
                shift
                ;;
            -h | --help)
                usage
                return 0
                ;;
            -V | --version)
                say_raw "oasys-install ${INSTALLER_VERSION}"
                return 0
                ;;
            *)
                err "unknown option '$1' (see: sh install.sh --help)"
                ;;
        esac
    done

    _os="$(uname -s)"
    _arch="$(uname -m)"
    case "$_os" in
        Linux | Darwin | FreeBSD) ;;
        *) warn "untested operating system: $_os" ;;
    esac

    # The checkout this script sits in (for building and for packaging/), if any.
    _src_dir=""
    case "$0" in
        */*) _script_dir="$(dirname -- "$0")" ;;
        *) _script_dir="." ;;
    esac
    if [ -f "$_script_dir/install.sh" ] && [ -f "$_script_dir/Cargo.toml" ]; then
        _src_dir="$(cd -- "$_script_dir" && pwd)" || err "cannot enter $_script_dir"
    fi

    if [ "$_system" = yes ]; then
        [ "$_os" = Linux ] || err "--system is for Linux with systemd; on $_os use --prefix"
        [ "$(id -u)" = 0 ] || err "--system needs root (try: sudo sh install.sh --system ...)"
        [ -n "$_src_dir" ] || err "--system needs the packaging/ folder: run the install.sh of an OASYS checkout"
        [ -f "$_src_dir/packaging/oasys.service" ] || err "missing $_src_dir/packaging/oasys.service"
        [ -f "$_src_dir/packaging/oasys.toml" ] || err "missing $_src_dir/packaging/oasys.toml"
        need_cmd id
        need_cmd sed
        need_cmd install
        [ -n "$_prefix" ] || _prefix="/usr/local/bin"
    fi
    if [ -z "$_prefix" ]; then
        if [ -n "${OASYS_INSTALL:-}" ]; then
            _prefix="$OASYS_INSTALL"
        else
            [ -n "${HOME:-}" ] || err "HOME is not set; pass --prefix DIR"
            _prefix="$HOME/.local/bin"
        fi
    fi
    _dest="$_prefix/oasys"

    # 1. The binary to install: given, or built from this checkout.
    _build=no
    if [ -n "$_from" ]; then
        [ -f "$_from" ] || err "no such file: $_from"
        [ -x "$_from" ] || err "not executable: $_from"
    else
        [ -n "$_src_dir" ] || err "no --from given and no OASYS checkout beside this script; pass --from PATH"
        if ! check_cmd cargo; then
            err "cargo not found. Install Rust (https://rustup.rs) or pass --from PATH with a built oasys binary"
        fi
        _target_dir="${CARGO_TARGET_DIR:-target}"
        case "$_target_dir" in
            /*) ;;
            *) _target_dir="$_src_dir/$_target_dir" ;;
        esac
        _from="$_target_dir/release/oasys"
        _build=yes
    fi

    # 2. Say what will happen and ask.
    say "installing OASYS ($_os $_arch)"
    if [ "$_build" = yes ]; then
        say "  build:    cargo build --release --locked   (in $_src_dir)"
    fi
    say "  binary:   $_from"
    say "  to:       $_dest"
    if [ "$_system" = yes ]; then
        say "  user:     oasys (system user, home /var/lib/oasys)"
        say "  unit:     /etc/systemd/system/oasys.service"
        say "  config:   /etc/oasys/oasys.toml (kept if it exists)"
    fi
    if [ "$_yes" != yes ]; then
        confirm "Continue?" || err "cancelled"
    fi

    # 3. Build if needed.
    if [ "$_build" = yes ]; then
        say "building (this takes a few minutes the first time)"
        (cd -- "$_src_dir" && cargo build --release --locked) || err "cargo build failed"
        [ -x "$_from" ] || err "cargo build finished but $_from is missing"
    fi

    # 4. Check the digest, if one was given.
    if [ -n "$_sha256" ]; then
        _actual="$(sha256_of "$_from")" || err "cannot compute SHA-256 of $_from"
        _want="$(printf '%s' "$_sha256" | tr 'A-F' 'a-f')"
        [ "$_actual" = "$_want" ] || err "SHA-256 mismatch for $_from: expected $_want, got $_actual"
        say "SHA-256 ok"
    fi

    # 5. Install: copy beside the target, check that the copy runs, then rename it over the
    #    target, so a running oasys is never overwritten in place and a bad binary never
    #    replaces a good one.
    ensure mkdir -p -- "$_prefix"
    _tmp="$_prefix/.oasys.install.$$"
    ensure cp -- "$_from" "$_tmp"
    if ! chmod 0755 "$_tmp"; then
        rm -f -- "$_tmp"
        err "cannot chmod $_tmp"
    fi
    if ! _ver="$("$_tmp" --version 2>&1)"; then
        rm -f -- "$_tmp"
        err "$_from does not run on this machine ($_os $_arch): '$_from --version' failed: $_ver"
    fi
    if ! mv -f -- "$_tmp" "$_dest"; then
        rm -f -- "$_tmp"
        err "cannot install $_dest"
    fi

    # 6. The installed binary must run.
    if ! _ver="$("$_dest" --version 2>&1)"; then
        err "installed $_dest but it does not run: $_ver"
    fi
    say "installed $_dest ($_ver)"

    if [ "$_system" = yes ]; then
        install_system "$_src_dir" "$_dest"
    fi

    print_next_steps "$_system" "$_prefix" "$_dest"
}

# Users, service unit and configuration for `--system`.
install_system() {
    _is_src="$1"
    _is_bin="$2"

    case "$_is_bin" in
        *'|'* | *'&'* | *\\*) err "install path may not contain '|', '&' or '\\': $_is_bin" ;;
    esac

    if id oasys >/dev/null 2>&1; then
        say "system user oasys exists"
    else
        need_cmd useradd
        _nologin=/usr/sbin/nologin
        [ -x "$_nologin" ] || _nologin=/sbin/nologin
        [ -x "$_nologin" ] || _nologin=/bin/false
        ensure useradd --system --user-group --home-dir /var/lib/oasys --no-create-home \
            --shell "$_nologin" --comment "OASYS accounting server" oasys
        say "created system user oasys"
    fi
    ensure install -d -m 0700 -o oasys -g oasys /var/lib/oasys

    ensure install -d -m 0755 /etc/systemd/system
    _unit=/etc/systemd/system/oasys.service
    sed "s|^ExecStart=/usr/bin/oasys|ExecStart=$_is_bin|" "$_is_src/packaging/oasys.service" >"$_unit.tmp" ||
        err "cannot write $_unit.tmp"
    ensure chmod 0644 "$_unit.tmp"
    ensure mv -f -- "$_unit.tmp" "$_unit"
    say "installed $_unit (ExecStart=$_is_bin serve)"

    ensure install -d -m 0755 /etc/oasys
    if [ -e /etc/oasys/oasys.toml ]; then
        say "kept existing /etc/oasys/oasys.toml"
    else
        ensure install -m 0640 -o root -g oasys "$_is_src/packaging/oasys.toml" /etc/oasys/oasys.toml
        say "created /etc/oasys/oasys.toml"
    fi

    if [ -d /run/systemd/system ] && check_cmd systemctl; then
        ensure systemctl daemon-reload
        say "systemctl daemon-reload done"
    else
        say "systemd is not running here; skipped systemctl daemon-reload"
    fi
}

print_next_steps() {
    _nx_system="$1"
    _nx_prefix="$2"
    _nx_dest="$3"

    say_raw ""
    say_raw "OASYS is installed."
    say_raw ""
    if [ "$_nx_system" = yes ]; then
        say_raw "Next steps:"
        say_raw "  systemctl enable --now oasys     start it now and at every boot"
        say_raw "  journalctl -u oasys              the first start prints a one-time setup link"
        say_raw "  open http://127.0.0.1:8000       (settings: /etc/oasys/oasys.toml)"
    else
        _nx_cmd=oasys
        case ":${PATH:-}:" in
            *":$_nx_prefix:"*) ;;
            *)
                _nx_cmd="$_nx_dest"
                say_raw "Note: $_nx_prefix is not on your PATH. Run oasys as $_nx_dest,"
                say_raw "or add the folder to PATH in your shell profile yourself."
                say_raw ""
                ;;
        esac
        say_raw "Next steps:"
        say_raw "  $_nx_cmd serve"
        say_raw "  open http://127.0.0.1:8000"
        say_raw "The first start prints a one-time setup link; open it to create the first administrator."
    fi
}

# Ask a yes/no question on the terminal, even when this script is piped into sh.
confirm() {
    if ! (true </dev/tty) 2>/dev/null; then
        err "no terminal to ask on; run again with -y to install unattended"
    fi
    printf '%s [y/N] ' "$1" >/dev/tty
    _answer=""
    read -r _answer </dev/tty || _answer=""
    case "$_answer" in
        y | Y | yes | YES | Yes) return 0 ;;
        *) return 1 ;;
    esac
}

sha256_of() {
    if check_cmd sha256sum; then
        sha256sum -- "$1" | cut -d ' ' -f 1
    elif check_cmd shasum; then
        shasum -a 256 -- "$1" | cut -d ' ' -f 1
    else
        err "need sha256sum or shasum to check --sha256"
    fi
}

say() {
    printf 'oasys-install: %s\n' "$1"
}

say_raw() {
    printf '%s\n' "$1"
}

warn() {
    printf 'oasys-install: warning: %s\n' "$1" >&2
}

err() {
    printf 'oasys-install: error: %s\n' "$1" >&2
    exit 1
}

need_cmd() {
    if ! check_cmd "$1"; then
        err "need '$1' (command not found)"
    fi
}

check_cmd() {
    command -v "$1" >/dev/null 2>&1
}

# Run a command and stop the installer if it fails. `main "$@" || exit 1` turns off `set -e`
# inside main, so failures are checked explicitly.
ensure() {
    if ! "$@"; then
        err "command failed: $*"
    fi
}

main "$@" || exit 1
