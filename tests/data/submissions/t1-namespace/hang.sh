#!/usr/bin/env bash
# Broken: hangs on a command that never ends.
echo "waiting for Godot"
sleep 1000
