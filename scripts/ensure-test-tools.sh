#!/usr/bin/env bash
# Installs the Debian packages that the tests run and that a fresh CI machine lacks: ffmpeg (the archived-media test
# server makes its fMP4 segments, clips and images with it) and chromium (the viewer's end-to-end test).
# Idempotent: when both commands exist it does nothing, so it is fast on a machine that has them.
set -euo pipefail

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
echo "ensure-test-tools: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
