// Runs Parley's app processes for `npm start`: spawn, prefix their output, wait for each one's
// "ready" log line, restart a process that dies unexpectedly once, stop them all with a deadline.
// Each app has an IPC channel to the launcher and stops when it closes (libs/platform bootstrap).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatLine, prefixFor } from './log-format.mjs';

const TAIL_LINES = 60;
const SHOWN_TAIL_LINES = 15;
const RESTART_DELAY_MS = 1_000;
const MAX_RESTARTS = 1;

export class Supervisor {
  /** @type {Array<{ app: string, index: number, label: string, child: import('node:child_process').ChildProcess | null, exited: Promise<void>, tail: string[], restarts: number, port: number | null }>} */
  slots = [];
  stopping = false;

  /**
   * @param {{ root: string, env: (app: string, index: number) => NodeJS.ProcessEnv, raw: boolean, readyTimeoutMs: number, labelWidth: number, log: (line: string) => void }} options
   */
  constructor(options) {
    this.options = options;
  }

  /** Starts one process and resolves with its port once it logged "ready"; rejects if it dies or times out first. */
  start(app, index) {
    const slot = { app, index, label: `${app}#${index}`, child: null, exited: Promise.resolve(), tail: [], restarts: 0, port: null };
    this.slots.push(slot);
    return this.#spawn(slot);
  }

  /** The app's Node/V8 flags (deploy/docker/node-flags.json, as the image runs it), or PARLEY_NODE_FLAGS. */
  #nodeFlags(app) {
    const override = process.env.PARLEY_NODE_FLAGS;
    if (override !== undefined) return override.split(' ').filter(Boolean);
    const flags = JSON.parse(readFileSync(`${this.options.root}/deploy/docker/node-flags.json`, 'utf8'));
    return Array.isArray(flags[app]) ? flags[app] : [];
  }

  #spawn(slot) {
    const main = `${this.options.root}/dist/apps/${slot.app}/main.js`;
    const child = spawn(process.execPath, ['--enable-source-maps', ...this.#nodeFlags(slot.app), main], {
      cwd: this.options.root,
      env: this.options.env(slot.app, slot.index),
      // The IPC channel is only a lifeline: an app exits when it closes (the launcher died, even by SIGKILL).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    slot.child = child;
    const prefix = prefixFor(slot.label, this.slots.indexOf(slot), this.options.labelWidth + 2);
    let exitCode;
    slot.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        exitCode = signal ?? code;
        resolve();
      }),
    );
    return new Promise((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        reject(new Error(`${slot.label} did not log "ready" within ${this.options.readyTimeoutMs / 1000} s`));
      }, this.options.readyTimeoutMs);
      const onLine = (line) => {
        slot.tail.push(line);
        if (slot.tail.length > TAIL_LINES) slot.tail.shift();
        const shown = formatLine(line, { raw: this.options.raw });
        if (shown !== null)
          this.options.log(
            shown
              .split('\n')
              .map((l) => `${prefix} ${l}`)
              .join('\n'),
          );
        if (ready || !line.includes('"ready"')) return;
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'ready' && typeof entry.port === 'number') {
            ready = true;
            slot.port = entry.port;
            clearTimeout(timer);
            resolve(entry.port);
          }
        } catch {
          /* not a JSON log line */
        }
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.once('error', (err) => this.options.log(`${prefix} could not start: ${err.message}`));
      void slot.exited.then(() => {
        clearTimeout(timer);
        if (!ready) reject(new Error(`${slot.label} exited (${exitCode}) before it was ready`));
        else this.#onUnexpectedExit(slot, exitCode);
      });
    });
  }

  #onUnexpectedExit(slot, exitCode) {
    if (this.stopping) return;
    const { log } = this.options;
    log(`\n!! ${slot.label} exited unexpectedly (${exitCode}). Its last lines:`);
    this.printTail(slot);
    slot.tail = [];
    if (slot.restarts >= MAX_RESTARTS) {
      log(`!! ${slot.label} was already restarted once: leaving it stopped (the rest keeps running).\n`);
      slot.child = null;
      return;
    }
    slot.restarts += 1;
    log(`!! restarting ${slot.label} in ${RESTART_DELAY_MS / 1000} s\n`);
    setTimeout(() => {
      if (this.stopping) return;
      this.#spawn(slot).then(
        (port) => log(`== ${slot.label} is back (port ${port})`),
        (err) => log(`!! ${slot.label} failed to restart: ${err.message}`),
      );
    }, RESTART_DELAY_MS);
  }

  /** The process's last lines (compact unless raw), e.g. why it died. */
  printTail(slot) {
    const lines = slot.tail.map((line) => formatLine(line, { raw: this.options.raw })).filter((line) => line !== null);
    for (const line of lines.slice(-SHOWN_TAIL_LINES)) this.options.log(`   ${line.replace(/\n/g, '\n   ')}`);
  }

  /** SIGTERM to every running process; SIGKILL to those still running after the deadline. */
  async stopAll(deadlineMs) {
    this.stopping = true;
    const running = this.slots.filter((s) => s.child && s.child.exitCode === null && s.child.signalCode === null);
    for (const s of running) s.child.kill('SIGTERM');
    let timer;
    const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
    const outcome = await Promise.race([Promise.all(running.map((s) => s.exited)), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      const stuck = running.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
      this.options.log(`!! ${stuck.map((s) => s.label).join(', ')} still running after ${deadlineMs / 1000} s: SIGKILL`);
      for (const s of stuck) s.child.kill('SIGKILL');
      await Promise.all(stuck.map((s) => s.exited));
    }
  }

  /** Last resort on process exit: nothing may outlive `npm start`. */
  killAllNow() {
    for (const s of this.slots) if (s.child && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }
}
