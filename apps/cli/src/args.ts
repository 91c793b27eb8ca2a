import { APP_ID_PATTERN, isUid, type AppId, type Uid } from '@parley/contracts';
import { CliError } from './cli-error';

/** What util.parseArgs returned for one command (a `multiple` option gives an array). */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

const NAME_MAX = 200; // apps.name is varchar(200)
const HEX32 = /^[0-9a-fA-F]{32}$/;
const CUSTOMER_KEY = /^[0-9a-f]{32}$/;

/** Typed, validated access to a command's options and positional arguments; every problem is a CliError (exit 2). */
export class Args {
  constructor(
    private readonly values: OptionValues,
    /** Positional arguments by their name in the command's usage (`<appid>`). */
    private readonly positionals: Readonly<Record<string, string | undefined>> = {},
  ) {}

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw new CliError(`--${name} is required`);
    return v;
  }

  /** An app id: 32 letters or digits, like agora-rtm-sdk 1.x accepts. */
  appId(name: string): AppId {
    const v = this.required(name);
    if (!APP_ID_PATTERN.test(v)) throw new CliError(`--${name} must be 32 letters or digits, got "${v}"`);
    return v as AppId;
  }

  /** Every value of a `multiple` option, each an app id; [] when absent. */
  appIds(name: string): AppId[] {
    const v = this.values[name];
    const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
    return list.map((item) => {
      if (typeof item !== 'string' || !APP_ID_PATTERN.test(item)) throw new CliError(`--${name} must be 32 letters or digits, got "${String(item)}"`);
      return item as AppId;
    });
  }

  /** The positional argument `<name>`, required. */
  argument(name: string): string {
    const v = this.positionals[name];
    if (v === undefined || v === '') throw new CliError(`<${name}> is required`);
    return v;
  }

  /** The positional argument `<name>`: an app id. */
  appIdArgument(name: string): AppId {
    const v = this.argument(name);
    if (!APP_ID_PATTERN.test(v)) throw new CliError(`<${name}> must be 32 letters or digits, got "${v}"`);
    return v as AppId;
  }

  /** The positional argument `<name>`: a customer key (32 lowercase hex digits). */
  customerKeyArgument(name: string): string {
    const v = this.argument(name);
    if (!CUSTOMER_KEY.test(v)) throw new CliError(`<${name}> must be a customer key (32 lowercase hex digits), got "${v}"`);
    return v;
  }

  optionalAppId(name: string): AppId | undefined {
    return this.string(name) === undefined ? undefined : this.appId(name);
  }

  uid(name: string): Uid {
    const v = this.required(name);
    if (!isUid(v)) throw new CliError(`--${name} must be 1-64 printable ASCII characters (agora-rtm-sdk 1.x user id rules), got "${v}"`);
    return v;
  }

  /** App display name (optional); null when absent. */
  appName(name: string): string | null {
    const v = this.string(name);
    if (v === undefined) return null;
    const trimmed = v.trim();
    if (trimmed === '' || trimmed.length > NAME_MAX || /\p{Cc}/u.test(trimmed)) {
      throw new CliError(`--${name} must be 1-${NAME_MAX} characters without control characters`);
    }
    return trimmed;
  }

  /** An App Certificate: 32 hex digits (kept as typed: the token signature uses the text). */
  hex32(name: string): string | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!HEX32.test(v)) throw new CliError(`--${name} must be 32 hex digits`);
    return v;
  }

  /** A whole number in [min, max], with a default when absent. */
  integer(name: string, def: number, min: number, max: number): number {
    const v = this.string(name);
    if (v === undefined) return def;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got "${v}"`);
    return n;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], def: T): T {
    const v = this.string(name);
    if (v === undefined) return def;
    if (!(choices as readonly string[]).includes(v)) throw new CliError(`--${name} must be one of ${choices.join(', ')}, got "${v}"`);
    return v as T;
  }
}

export const isHex32 = (v: string): boolean => HEX32.test(v);
