// Sums the per-project lines SummaryReporter wrote and prints the closing line CI reads.
// Exit status: non-zero when anything failed, when nx failed, or when no test ran at all.
const fs = require('node:fs');

const [file, nxStatus] = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
  const counts = JSON.parse(line);
  for (const k of Object.keys(totals)) totals[k] += counts[k] ?? 0;
}
// nx failing without a failed test (a suite that could not start) still counts as a failure.
if (Number(nxStatus) !== 0 && totals.failed === 0) totals.failed = 1;
console.log(`\njest: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
