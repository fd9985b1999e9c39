#!/usr/bin/env bash
# Builds the release binary with the Swift standard library linked in (--static-swift-stdlib: the
# server needs no Swift toolchain) and packs it with the systemd unit and proxy examples:
#   scripts/release.sh            ->  dist/flipside-<version>-linux-<arch>.tar.gz
# The binary carries its pages, styles and OpenAPI document (see ResourcePaths), so it runs from any
# folder. SCRATCH=.build-release keeps this build apart from the development one.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
ARCH="$(uname -m)"
swift build -c release --static-swift-stdlib --product flipside ${SCRATCH:+--scratch-path "$SCRATCH"}
BIN="$(swift build -c release --static-swift-stdlib --product flipside ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/flipside"
NAME="flipside-$VERSION-linux-$ARCH"
rm -rf "dist/$NAME" && mkdir -p "dist/$NAME"
cp "$BIN" "dist/$NAME/flipside"
strip "dist/$NAME/flipside" 2>/dev/null || true
cp README.md deploy/flipside.service deploy/Caddyfile deploy/nginx.conf "dist/$NAME/"
tar -C dist -czf "dist/$NAME.tar.gz" "$NAME"
echo "dist/$NAME.tar.gz ($(du -h "dist/$NAME.tar.gz" | cut -f1); the binary $(du -h "dist/$NAME/flipside" | cut -f1))"
ldd "dist/$NAME/flipside" | sed 's/^/  needs: /'
