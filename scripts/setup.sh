#!/usr/bin/env bash
# Installs what building factgraph needs beyond the Rust toolchain: libclang, used by
# bindgen when oxigraph's RocksDB is compiled. Does nothing when it is already there.
set -euo pipefail
have_libclang() {
  ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || ldconfig -p 2>/dev/null | grep -q 'libclang[-.0-9]*\.so'
}
if have_libclang; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: libclang is missing; install clang and libclang (e.g. libclang-dev) with your package manager" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing clang and libclang-dev (needed to build RocksDB's bindings)" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq clang libclang-dev >/dev/null
