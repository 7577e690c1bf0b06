#!/bin/sh
# scripts/test-all.sh - the README's test command: installs what is missing,
# then builds and runs every test three ways: gcc (warnings as errors),
# clang with AddressSanitizer and UndefinedBehaviorSanitizer, and valgrind
# over the unit tests and the binary, plus the fuzz targets over their saved
# regressions. Exits non-zero on the first failure.
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

echo "== fuzz regressions (libFuzzer targets over tests/fuzz/regressions)"
CC=clang cmake -S . -B build-fuzz -DSAMVAD_FUZZ=ON -DSAMVAD_BUILD_TESTS=OFF -DSAMVAD_BUILD_HOST=OFF >/dev/null
cmake --build build-fuzz -j"$jobs"
ctest --test-dir build-fuzz --output-on-failure -R _regressions

echo "== valgrind"
./scripts/valgrind-tests.sh build

echo "== embedding example against the installed library"
./tests/embed/run.sh build

echo "all tests passed"
