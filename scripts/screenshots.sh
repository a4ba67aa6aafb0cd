#!/bin/sh
# Runs scripts/screenshots.py in real X windows on a private Xvfb display.
set -eu
display=":$(( 90 + $$ % 9 ))"
Xvfb "$display" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do
  xdpyinfo -display "$display" >/dev/null 2>&1 && break
  [ -e "/tmp/.X11-unix/X${display#:}" ] && break
  sleep 0.3
done
DISPLAY="$display" QT_QPA_PLATFORM=xcb .venv/bin/python scripts/screenshots.py
