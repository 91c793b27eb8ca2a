// Container health check: GET http://127.0.0.1:$PORT<path> (default /health/live); exit 0 on a 2xx.
// The image has no curl or wget; node is there anyway.
const path = process.argv[2] ?? '/health/live';
const port = process.env.PORT || '8080';
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_500) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
