const { TestEnvironment } = require('jest-environment-node');

/**
 * jest's node environment, plus: when a test or hook fails, the harness (support/failures.ts) gets
 * the error before jest reports it, to append the pages' console log and page errors and to take
 * screenshots while the pages are still open.
 */
class BrowserTestEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name !== 'test_fn_failure' && event.name !== 'hook_failure') return;
    const onFailure = this.global.__parleyBrowserFailure;
    if (typeof onFailure !== 'function') return;
    const title = event.test ? testTitle(event.test) : `${event.hook?.type ?? 'hook'} hook`;
    try {
      await onFailure(event.error, title);
    } catch (err) {
      process.stderr.write(`browser failure report failed: ${err && err.stack ? err.stack : err}\n`);
    }
  }
}

function testTitle(test) {
  const names = [];
  for (let t = test; t && t.name !== 'ROOT_DESCRIBE_BLOCK'; t = t.parent) names.unshift(t.name);
  return names.join(' ');
}

module.exports = BrowserTestEnvironment;
