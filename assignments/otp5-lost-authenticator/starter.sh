#!/usr/bin/env bash
# OTP Assignment 5: roll-forward --force, for a lost authenticator or a broken volume.
# Read the lesson first.
#
# Start from your script of OTP Assignment 4: copy it here over this file
# (cp ../otp4-add-authenticator/solution.sh solution.sh), then work through the TODOs.
set -euo pipefail

# TODO 1: keep VOLUME_VERSION (starting at 0) in state.env.
# TODO 2: name the secret otp_secret_$VOLUME_VERSION and the volume
#         single_run_$VOLUME_VERSION everywhere in both policies.
# TODO 3: in create, when CAS has a policy whose text lacks single_run_$VOLUME_VERSION,
#         update it: `predecessor: <hash from scone session verify>` + the new policy.
# TODO 4: roll-forward --force (refuse without --force): increment VOLUME_VERSION, save
#         state.env, empty single_run/, then create.

echo "Nothing done yet: work through the TODOs."
