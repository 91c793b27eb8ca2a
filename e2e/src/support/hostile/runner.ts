import { ErrorCode, errorCodeName } from '@parley/contracts';
import type { HostileClient } from './client';
import { expectedAnswers, isTypedCode, type ExpectedAnswer } from './matrix';

/** One input: the bytes of one WebSocket message, and what it was, for reports. */
export interface Case {
  label: string;
  bytes: Uint8Array;
}

/** Counts over the whole suite (printed at the end: the closing note's numbers). */
export class Tally {
  inputs = 0;
  /** Answers with a protocol code other than UNKNOWN (success included). */
  typed = 0;
  successes = 0;
  /** Inputs that must not be answered and were not. */
  silent = 0;
  unknown = 0;
  missing = 0;
  duplicates = 0;
  wrongCode = 0;
  /** Sockets the gateway closed although nothing called for it. */
  closedSockets = 0;
  /** Parley processes that exited during the run. */
  crashes = 0;
  /** Runs of the fast-check property (inputs it skipped included). */
  propertyRuns = 0;
  readonly failures: string[] = [];

  fail(message: string): void {
    this.failures.push(message);
  }

  summary(): string {
    return (
      `hostile-input: inputs=${this.inputs} typedAnswers=${this.typed} (ok=${this.successes}) silentByDesign=${this.silent} ` +
      `unknown=${this.unknown} missing=${this.missing} duplicates=${this.duplicates} wrongCode=${this.wrongCode} ` +
      `closedSockets=${this.closedSockets} crashes=${this.crashes} propertyRuns=${this.propertyRuns} failures=${this.failures.length}`
    );
  }
}

const codeName = (c: unknown) => (typeof c === 'number' ? `${errorCodeName(c)}(${c})` : String(c));

/** Checks one answer against what the model expects; returns a failure line or null. */
export function judge(exp: ExpectedAnswer, answer: unknown[] | undefined, tally: Tally, label: string): string | null {
  if (!answer) {
    tally.missing++;
    return `${label}: no answer to request ${exp.id} (expected ${exp.code === undefined ? 'a typed answer' : codeName(exp.code)})`;
  }
  const code = answer[2];
  if (code === ErrorCode.UNKNOWN) tally.unknown++;
  if (isTypedCode(code) || code === 0) tally.typed++;
  if (code === 0) tally.successes++;
  if (code !== 0) {
    const body = answer[3] as { message?: unknown } | undefined;
    if (typeof body?.message !== 'string') return `${label}: error answer without a message: ${JSON.stringify(answer)}`;
  }
  if (exp.code !== undefined && code !== exp.code) {
    tally.wrongCode++;
    return `${label}: expected ${codeName(exp.code)}, got ${codeName(code)} ${JSON.stringify((answer[3] as { message?: string })?.message ?? answer[3])}`;
  }
  if (code !== 0 && !isTypedCode(code)) return `${label}: untyped answer ${codeName(code)}: ${JSON.stringify(answer[3])}`;
  return null;
}

/**
 * Sends the cases on one socket (at most `inFlight` awaiting answers), judges every answer against
 * the model, and at the end checks the socket: still open, every request answered exactly once,
 * nothing answered that should not have been.
 */
export async function runCases(
  client: HostileClient,
  cases: Case[],
  tally: Tally,
  opts: { authenticated: boolean; inFlight?: number; timeoutMs?: number; where: string; settleMs?: number },
): Promise<void> {
  const state = { authenticated: opts.authenticated };
  const expectedIds = new Set<number>();
  const silentCases: Case[] = [];
  const inFlight = opts.inFlight ?? 40;
  let batch: Promise<void>[] = [];
  for (const c of cases) {
    tally.inputs++;
    const expected = expectedAnswers(c.bytes, state);
    for (const e of expected) expectedIds.add(e.id);
    if (!expected.length) silentCases.push(c);
    client.sendBytes(c.bytes);
    for (const e of expected) {
      batch.push(
        client.answerOf(e.id, opts.timeoutMs ?? 20_000).then((a) => {
          const failure = judge(e, a, tally, `${opts.where} ${c.label}`);
          if (failure) tally.fail(failure);
        }),
      );
    }
    if (batch.length >= inFlight) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await settle(client, tally, expectedIds, opts.where, opts.settleMs);
  if (client.isOpen) tally.silent += silentCases.length;
}

/** After a socket's cases: it is open, answered a fence PING, and no request id got two answers or an unexpected one. */
export async function settle(client: HostileClient, tally: Tally, expectedIds: Set<number>, where: string, waitMs = 200): Promise<void> {
  const fenced = await client.fence();
  // a second answer to a request would come about as fast as the first: give it a moment
  await new Promise((r) => setTimeout(r, waitMs));
  if (!fenced || !client.isOpen) {
    tally.closedSockets++;
    tally.fail(`${where}: the socket did not stay open (closed: ${JSON.stringify(client.closed)})`);
  }
  if (client.undecodable) tally.fail(`${where}: ${client.undecodable} messages from the gateway were not MessagePack`);
  for (const [id, list] of client.answers) {
    if (list.length > 1) {
      tally.duplicates++;
      tally.fail(`${where}: request ${id} answered ${list.length} times: ${JSON.stringify(list.map((f) => f[2]))}`);
    }
    if (!expectedIds.has(id) && !client.ownIds.has(id))
      tally.fail(`${where}: request ${id} answered although nothing asked for an answer: ${JSON.stringify(list[0])}`);
  }
}
