import { notImplemented } from '../errors';
import { VERSION } from '../version';

/**
 * Placeholder of an API that a later Parley version fills in (each in its own src/features file):
 * it rejects with an RtmUnknownError "not implemented yet in Parley <VERSION>".
 * `args` are the call's arguments, unused until the feature exists.
 */
export function notYet<T>(method: string, ...args: unknown[]): Promise<T> {
  void args;
  return Promise.reject(notImplemented(method, VERSION));
}
