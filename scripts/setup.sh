#!/usr/bin/env bash
# Installs what factgraph needs beyond the Rust toolchain. Does nothing that is already done.
#
#   scripts/setup.sh                    what a build needs: libclang, which bindgen loads when
#                                       oxigraph's bundled RocksDB is compiled
#   scripts/setup.sh --test             that, plus what the tests drive: headless Chromium (the
#                                       pages of `factgraph serve`), and a Python virtualenv at
#                                       ~/.cache/factgraph/venv with the Oxigraph server (the
#                                       target of `push`), pySHACL and rdflib (independent
#                                       checks of SHACL verdicts and of conformance outputs),
#                                       PostgreSQL's server binaries (the RML-IO SQL source is
#                                       tested against a server the test starts on 127.0.0.1),
#                                       PySpark (and Java) for scripts/spark-map, and Virtuoso
#                                       (virtuoso-opensource-7-bin: bulk load and push tests)
#   scripts/setup.sh --detect-libclang [DIR...]
#                                       only report: prints "found: <file>" or "missing" for
#                                       libclang in DIRs (default: where bindgen looks), exit 0/1
#
# With --test every install is required: when one fails the script fails, so a missing step
# shows up as a red CI run rather than as tests that quietly skip.
set -euo pipefail

# What bindgen (clang-sys) actually loads: libclang.so, libclang.so.N, libclang-N.so or
# libclang-N.so.N. Not libclang-cpp.so.N, the C++ library Debian ships on its own, which
# bindgen cannot use.
is_libclang_name() {
  case "$1" in
    libclang-cpp*) return 1 ;;
    libclang.so | libclang.so.[0-9]* | libclang-[0-9]*.so | libclang-[0-9]*.so.[0-9]*) return 0 ;;
    *) return 1 ;;
  esac
}

# Prints the first libclang found in the given directories; fails when there is none.
find_libclang_in() {
  local dir f
  for dir in "$@"; do
    [ -d "$dir" ] || continue
    for f in "$dir"/libclang*; do
      [ -e "$f" ] || continue
      if is_libclang_name "$(basename "$f")"; then
        echo "$f"
        return 0
      fi
    done
  done
  return 1
}

# The directories clang-sys searches on Linux, LIBCLANG_PATH first.
default_libclang_dirs() {
  if [ -n "${LIBCLANG_PATH:-}" ]; then
    if [ -f "$LIBCLANG_PATH" ]; then dirname "$LIBCLANG_PATH"; else echo "$LIBCLANG_PATH"; fi
  fi
  local d
  for d in /usr/lib/llvm-*/lib /usr/local/llvm*/lib /usr/lib64/llvm /usr/lib/*-linux-gnu \
    /usr/lib64 /usr/lib /usr/local/lib /usr/local/lib64; do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}

detect_libclang() {
  local found
  if found=$(find_libclang_in "$@"); then
    echo "found: $found"
    return 0
  fi
  echo "missing"
  return 1
}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: cannot install $* without apt-get; install them with your package manager" >&2
    return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

setup_build() {
  mapfile -t dirs < <(default_libclang_dirs)
  if find_libclang_in "${dirs[@]}" >/dev/null; then
    return 0
  fi
  echo "setup: installing clang and libclang-dev (bindgen needs libclang.so to build RocksDB's bindings)" >&2
  apt_install clang libclang-dev
  mapfile -t dirs < <(default_libclang_dirs)
  if ! find_libclang_in "${dirs[@]}" >/dev/null; then
    echo "setup: libclang is still missing after installing libclang-dev; set LIBCLANG_PATH" >&2
    return 1
  fi
}

VENV="${FACTGRAPH_VENV:-$HOME/.cache/factgraph/venv}"

# --- PostgreSQL (tests/common/postgres.rs starts its own server on 127.0.0.1 for the RML-IO
# SQL cases; the package's own cluster is never started).
pg_initdb() {
  ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1
}

setup_postgres() {
  if [ -z "$(pg_initdb)" ] || ! command -v psql >/dev/null 2>&1; then
    echo "setup: installing PostgreSQL (the RML-IO SQL source is tested against a real server)" >&2
    apt_install postgresql
  fi
  local initdb
  initdb="$(pg_initdb)"
  [ -n "$initdb" ] || { echo "setup: PostgreSQL's initdb is missing after the install" >&2; exit 1; }
  "$initdb" --version >/dev/null
  "$(dirname "$initdb")/pg_ctl" --version >/dev/null
  psql --version >/dev/null
  # As root the test runs the server as the postgres user (PostgreSQL refuses root).
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "setup: the postgres user is missing" >&2; exit 1; }
    command -v runuser >/dev/null || { echo "setup: runuser (util-linux) is missing" >&2; exit 1; }
  fi
}
# --- end PostgreSQL

setup_test() {
  setup_postgres
  if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    echo "setup: installing chromium (tests/browser.rs drives the pages of factgraph serve)" >&2
    apt_install chromium fonts-liberation
  fi
  if ! "$VENV/bin/python" -c 'import pyshacl, rdflib' >/dev/null 2>&1 \
    || [ ! -x "$VENV/bin/oxigraph" ]; then
    echo "setup: installing the Oxigraph server, pySHACL and rdflib into $VENV" >&2
    if [ ! -x "$VENV/bin/pip" ]; then
      python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; }
    fi
    "$VENV/bin/pip" install -q 'oxigraph==0.5.*' 'pyshacl==0.30.*' 'rdflib==7.*'
  fi
  # Each tool must run, not only be present.
  chromium --version >/dev/null 2>&1 || chromium-browser --version >/dev/null
  "$VENV/bin/oxigraph" --version >/dev/null
  "$VENV/bin/python" -c 'import pyshacl, rdflib' >/dev/null
}

# ---- Virtuoso (tests/virtuoso.rs, bench/virtuoso.sh) -------------------------------- begin
# Debian's virtuoso-opensource-7-bin: the server (virtuoso-t) and isql-vt, nothing else. Not
# the virtuoso-opensource metapackage: its virtuoso-opensource-7 postinst asks for a dba
# password through debconf and starts a system service on ports 1111 and 8890 with
# invoke-rc.d (refused in containers whose policy-rc.d exits 101, and then reported as an
# error). The -bin package has no maintainer scripts, so nothing starts; the tests and the
# benchmark start their own server on 127.0.0.1 with a temporary database.
setup_virtuoso() {
  if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then
    echo "setup: installing virtuoso-opensource-7-bin (tests/virtuoso.rs: bulk load and push into Virtuoso)" >&2
    apt_install --no-install-recommends virtuoso-opensource-7-bin
  fi
  # Both must run (virtuoso-t --help prints its usage, then exits 1).
  local usage
  usage=$(virtuoso-t --help 2>&1 || true)
  case "$usage" in
    *"Virtuoso Open Source"*) ;;
    *) echo "setup: virtuoso-t does not run: $usage" >&2; return 1 ;;
  esac
  isql-vt --help >/dev/null 2>&1 || { echo "setup: isql-vt does not run" >&2; return 1; }
}
# ---- Virtuoso ------------------------------------------------------------------------- end

# ---- BEGIN spark (scripts/spark-map and tests/spark.rs) ----
# PySpark in the project venv, and a Java runtime for it (Spark 3.5 runs on Java 8/11/17).
setup_spark() {
  if ! command -v java >/dev/null 2>&1; then
    echo "setup: installing a Java runtime (PySpark runs the Spark JVM; scripts/spark-map)" >&2
    apt_install openjdk-17-jre-headless
  fi
  if ! "$VENV/bin/python" -c 'import pyspark' >/dev/null 2>&1; then
    echo "setup: installing PySpark into $VENV (scripts/spark-map, tests/spark.rs)" >&2
    if [ ! -x "$VENV/bin/pip" ]; then
      python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; }
    fi
    "$VENV/bin/pip" install -q 'pyspark==3.5.*'
  fi
  java -version >/dev/null 2>&1
  "$VENV/bin/python" -c 'import pyspark' >/dev/null
}
# ---- END spark ----

case "${1:-}" in
  --detect-libclang)
    shift
    if [ "$#" -eq 0 ]; then mapfile -t dirs < <(default_libclang_dirs); set -- "${dirs[@]}"; fi
    detect_libclang "$@"
    ;;
  --test)
    setup_build
    setup_test
    setup_virtuoso # Virtuoso block
    setup_spark # spark block
    ;;
  "")
    setup_build
    ;;
  -h | --help)
    # The comment at the top, however long it grows.
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
    ;;
  *)
    echo "setup: unknown option $1 (try --help)" >&2
    exit 2
    ;;
esac
