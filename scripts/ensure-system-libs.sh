#!/bin/sh
# Installs the system libraries Qt needs when they are missing. Usage: ensure-system-libs.sh test|run|screenshot
# "test" runs Qt offscreen; "run" opens a real window (xcb); "screenshot" adds Xvfb and ImageMagick.
set -eu
mode="${1:-test}"

# library soname -> Debian package
libs_test="libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1 libxkbcommon.so.0:libxkbcommon0 libglib-2.0.so.0:libglib2.0-0 libdbus-1.so.3:libdbus-1-3 libfreetype.so.6:libfreetype6"
libs_run="$libs_test libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0 libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-image.so.0:libxcb-image0 libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0 libxcb-randr.so.0:libxcb-randr0 libxcb-xinerama.so.0:libxcb-xinerama0 libxcb-xkb.so.1:libxcb-xkb1 libX11-xcb.so.1:libx11-xcb1"

case "$mode" in
  test) libs="$libs_test" ;;
  run) libs="$libs_run" ;;
  screenshot) libs="$libs_run" ;;
  *) echo "usage: $0 test|run|screenshot" >&2; exit 2 ;;
esac

missing=""
for pair in $libs; do
  lib="${pair%%:*}"; pkg="${pair#*:}"
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    missing="$missing $pkg"
  fi
done
if [ "$mode" = screenshot ]; then
  command -v Xvfb >/dev/null 2>&1 || missing="$missing xvfb"
  command -v import >/dev/null 2>&1 || missing="$missing imagemagick"
  command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
fi
[ -z "$missing" ] && exit 0

echo "Cài các thư viện hệ thống còn thiếu:$missing"
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "Cần quyền root để cài:$missing (apt-get install$missing)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
