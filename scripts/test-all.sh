#!/bin/sh
# scripts/test-all.sh - the README's test command: installs what is missing,
# then builds and runs every test three ways: gcc (warnings as errors),
# clang with AddressSanitizer and UndefinedBehaviorSanitizer, and valgrind
# over the unit tests and the binary. Exits non-zero on the first failure.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== gcc build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== clang + AddressSanitizer + UndefinedBehaviorSanitizer"
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSAMVAD_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== valgrind"
./scripts/valgrind-tests.sh build

echo "== embedding example against the installed library"
./tests/embed/run.sh build

echo "all tests passed"
