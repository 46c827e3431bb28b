#!/usr/bin/env bash
# The README's test command: builds and runs every test (debug build, all backends available
# here). Tests that need ../shared skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
