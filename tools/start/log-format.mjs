// Child output for `npm start`: every line prefixed with its process ("[gateway#0]"); pino JSON
// lines shown compactly as "time LEVEL context: msg key=value" unless raw output was asked for.

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS = { 10: 90, 20: 90, 30: 32, 40: 33, 50: 31, 60: 35 };
const PREFIX_COLORS = [36, 35, 34, 33, 32, 96, 95, 94];
/** Fields every line carries, or that the compact form shows elsewhere. */
const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'service', 'context', 'pid', 'hostname', 'err']);
/** Nest's boot chatter (one line per module and route, ×12 processes); --raw shows it. */
const NOISY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);

/** "[gateway#0]" padded to `width` characters, coloured per process. */
export function prefixFor(label, slot, width = 0) {
  return paint(PREFIX_COLORS[slot % PREFIX_COLORS.length], `[${label}]`.padEnd(width));
}

function formatValue(value) {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

function hhmmss(ms) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The compact form of one line, or null to drop it. Non-JSON lines (stack traces, Node warnings)
 * come back unchanged.
 */
export function formatLine(line, { raw = false } = {}) {
  if (raw || !line.startsWith('{')) return line;
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number') return line;
  if (entry.level <= 30 && NOISY_CONTEXTS.has(entry.context)) return null;
  const level = paint(LEVEL_COLORS[entry.level] ?? 0, (LEVELS[entry.level] ?? String(entry.level)).padEnd(5));
  const context = entry.context ? `${entry.context}: ` : '';
  const msg = typeof entry.msg === 'string' ? entry.msg : JSON.stringify(entry.msg ?? '');
  const extras = Object.entries(entry)
    .filter(([key]) => !HIDDEN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  let text = [`${typeof entry.time === 'number' ? hhmmss(entry.time) : ''} ${level} ${context}${msg}`, ...extras].join(' ');
  if (entry.err && typeof entry.err === 'object') text += `\n${entry.err.stack ?? entry.err.message ?? JSON.stringify(entry.err)}`;
  return text;
}
