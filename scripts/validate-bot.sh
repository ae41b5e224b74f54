#!/usr/bin/env bash
# `rasa data validate`, failing on any error or warning except "utterance not used
# in any story or rule" for responses that custom actions send (tests/bot/
# test_domain.py proves each of those is really sent by an action), and "intent not
# found in the NLU training data" for EXTERNAL_ intents, which only trigger_intent sends.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(.venv-bot/bin/rasa data validate --config bot/config.yml --domain bot/domain --data bot/data 2>&1)
status=$?
warnings=$(grep -E "UserWarning|ERROR" <<<"$out" | grep -vE "The utterance '[a-z_]+' is not used in any story or rule" \
  | grep -vE "The intent 'EXTERNAL_[a-z_]+' is listed in the domain file, but is not found in the NLU training data" || true)
if [ $status -ne 0 ] || [ -n "$warnings" ]; then
  echo "$out" | grep -vE "^\s*$" | tail -40
  echo "rasa data validate: not clean"; exit 1
fi
echo "rasa data validate: clean"
