#!/usr/bin/env bash
# Proves the boundary lint works: a domain library (money) and the contracts library that
# import a framework (@nestjs/common, typeorm, kafkajs, class-validator) must fail lint.
# Run by `npm run lint`, so by CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
probes=()
trap 'rm -f "${probes[@]}"' EXIT
for lib in money contracts; do
  i=0
  for banned in "@nestjs/common" "typeorm" "kafkajs" "class-validator"; do
    i=$((i + 1))
    probe="libs/$lib/src/__boundary_probe_${i}__.ts"
    probes+=("$probe")
    printf "import * as banned from '%s';\nexport const probe = banned;\n" "$banned" > "$probe"
  done
done
report=$(npx eslint --no-warn-ignored --format json "${probes[@]}" || true)
node -e '
  const results = JSON.parse(process.argv[1]);
  const missed = results.filter((r) => !r.messages.some((m) => m.ruleId === "@nx/enforce-module-boundaries"));
  if (missed.length) { console.error("boundary lint did NOT reject:", missed.map((r) => r.filePath).join(", ")); process.exit(1); }
  console.log(`module boundaries: ${results.length}/${results.length} framework imports in domain/contract libraries rejected`);
' "$report"
