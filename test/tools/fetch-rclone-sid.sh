#!/usr/bin/env bash
# Fetches the current rclone from Debian sid's package into test/tools/rclone-sid/, without
# touching the machine's own apt sources: apt reads a sources list naming only sid, with
# its own lists and cache folders. The binary needs only libc6 >= 2.34, so it runs on
# bookworm. Prints the path of the binary. Tests read it from PLOWBOARD_TEST_RCLONE_CURRENT
# or from this folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/rclone-sid"
bin="$dest/usr/bin/rclone"
if [[ -x "$bin" ]] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

apt_dir="$(mktemp -d)"
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main' >"$apt_dir/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o APT::Sandbox::User=root
)
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download rclone >&2)
rm -rf "$dest"
mkdir -p "$dest"
dpkg-deb -x "$apt_dir"/rclone_*.deb "$dest"
# Read whole, not through head: head closing the pipe early kills rclone with SIGPIPE, which pipefail reports.
version="$("$bin" version)"
echo "${version%%$'\n'*}" >&2
echo "$bin"
