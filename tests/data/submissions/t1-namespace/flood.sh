#!/usr/bin/env bash
# Broken: floods its output.
yes "all work and no play makes jack a dull boy" | head -c 5000000
