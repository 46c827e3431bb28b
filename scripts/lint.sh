#!/usr/bin/env bash
# Lint: the code must be formatted with the project's swift-format configuration (.swift-format).
# Fix with: swift format format --in-place --recursive --parallel Sources Tests Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --recursive --parallel Sources Tests Package.swift
echo "lint: Sources, Tests and Package.swift are formatted (.swift-format)"
