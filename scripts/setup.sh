#!/usr/bin/env bash
# Installs, idempotently, every Debian package the project needs (CPU path, OpenCL path, tests).
# Usage: bash scripts/setup.sh        (as root, or with sudo available)
set -euo pipefail
PKGS=(pkg-config libopenblas-dev ocl-icd-opencl-dev opencl-headers libclblast-dev pocl-opencl-icd clinfo
      zlib1g-dev  # ZIPFoundation (Bruker .brml files are zip archives) links zlib
      librsvg2-bin)  # librsvg2-bin: rsvg-convert, SVG pictures to PNG (optional for drnet)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${PKGS[*]})" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
