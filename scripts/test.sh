#!/usr/bin/env bash
# The whole test suite: static checks, every package's tests with the race
# detector, and bounded fuzzing of the decoder/validator and the auth parser.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== go test -race"
go test -race -count=1 -timeout 40m ./...
echo "== fuzz (bounded)"
FUZZTIME=${FUZZTIME:-15s}
go test -run '^$' -fuzz '^FuzzDecodeValidate$' -fuzztime "$FUZZTIME" ./internal/protocol
go test -run '^$' -fuzz '^FuzzServe$' -fuzztime "$FUZZTIME" ./internal/protocol
go test -run '^$' -fuzz '^FuzzParseAuthorization$' -fuzztime "$FUZZTIME" ./internal/auth
echo "== all tests passed"
