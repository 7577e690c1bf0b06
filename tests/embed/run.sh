#!/bin/sh
# tests/embed/run.sh BUILD_DIR - installs libsamvad into a scratch prefix,
# extracts the C program shown in docs/embedding.md, builds it with
# pkg-config and with find_package(samvad), and runs both on the bundled
# specs. Proves that the documented embedding works as written.
set -eu
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build="$src/$build" ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(find "$work/prefix" -name 'libsamvad.so' -printf '%h\n' | head -n1)

# The program is the first ```c block of docs/embedding.md.
awk '/^```c$/ {on=1; next} /^```$/ && on {exit} on' "$src/docs/embedding.md" > "$work/hello-samvad.c"
test -s "$work/hello-samvad.c"

export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -std=c11 -Wall -Wextra -Werror "$work/hello-samvad.c" \
  $(pkg-config --cflags --libs samvad) -Wl,-rpath,"$libdir" -o "$work/hello-pc"

mkdir -p "$work/cm"
awk '/^```cmake$/ {on=1; next} /^```$/ && on {exit} on' "$src/docs/embedding.md" > "$work/cm/CMakeLists.txt"
cp "$work/hello-samvad.c" "$work/cm/"
cmake -S "$work/cm" -B "$work/cm/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cm/build" >/dev/null

for exe in "$work/hello-pc" "$work/cm/build/hello-samvad"; do
  out=$("$exe" "$work/prefix/share/samvad/fsm-specs")
  echo "$out" | grep -q '^samvad \[hi\]: ' || { echo "embed: no Hindi reply from $exe:"; echo "$out"; exit 1; }
  echo "$out" | grep -q '^session: marriage-registration / ' || { echo "embed: first service not started by $exe:"; echo "$out"; exit 1; }
done
echo "embed: pkg-config and CMake builds ran the documented program"
