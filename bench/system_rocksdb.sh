#!/usr/bin/env bash
# Can factgraph build against the system's RocksDB instead of compiling the bundled one?
# Tries Oxigraph's `rocksdb-pkg-config` feature against Debian's librocksdb-dev in a scratch
# crate (nothing in the repository changes), in two steps:
#   1. as is: does the build script accept the system library's version?
#   2. with a pkg-config file that claims the version Oxigraph asks for: does Oxigraph's code
#      compile against the system library's C API?
# Prints what each step says. Needs apt-get (installs librocksdb-dev and pkg-config).
#
#   bench/system_rocksdb.sh
set -uo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^oxigraph = { version = "\([^"]*\)".*/\1/p' Cargo.toml)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! pkg-config --exists rocksdb 2>/dev/null; then
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq librocksdb-dev pkg-config >/dev/null
fi
echo "system RocksDB: $(pkg-config --modversion rocksdb) ($(dpkg-query -W -f '${Package} ${Version}' librocksdb-dev 2>/dev/null))"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "system-rocksdb-probe"
version = "0.0.0"
edition = "2021"
[dependencies]
oxigraph = { version = "=$version", default-features = false, features = ["rocksdb", "rocksdb-pkg-config"] }
TOML
echo 'fn main() { let _ = oxigraph::store::Store::open("db"); }' > "$work/src/main.rs"
export CARGO_TARGET_DIR="$work/target"

echo "step 1: oxigraph $version with rocksdb-pkg-config, against the system library as it is"
start=$(date +%s)
if (cd "$work" && cargo build --release 2>"$work/log1"); then
  echo "  builds ($(( $(date +%s) - start )) s)"
else
  echo "  fails after $(( $(date +%s) - start )) s:"
  grep -E "required version|^error" "$work/log1" | sort -u | sed 's/^/    /'
fi

echo "step 2: the same, with a pkg-config file that claims the version Oxigraph asks for"
required=$(grep -o "required version is '>= [0-9.]*'" "$work/log1" | grep -o "[0-9][0-9.]*" | head -1)
required=${required:-9.10.0}
mkdir -p "$work/pc"
sed "s/^Version:.*/Version: $required/" "$(pkg-config --variable=pcfiledir rocksdb)/rocksdb.pc" > "$work/pc/rocksdb.pc"
start=$(date +%s)
if (cd "$work" && PKG_CONFIG_PATH="$work/pc" cargo build --release 2>"$work/log2"); then
  echo "  builds ($(( $(date +%s) - start )) s)"
else
  echo "  fails after $(( $(date +%s) - start )) s:"
  grep -E "^error" "$work/log2" | sort | uniq -c | sed 's/^/    /'
fi
