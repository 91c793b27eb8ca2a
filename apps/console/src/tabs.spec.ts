import { nextTab } from './tabs';

describe('nextTab', () => {
  const tabs = ['Playground', 'Operator', 'Settings'];
  it('moves with the arrow keys (wrapping), Home and End', () => {
    expect(nextTab(tabs, 'Playground', 'ArrowRight')).toBe('Operator');
    expect(nextTab(tabs, 'Settings', 'ArrowRight')).toBe('Playground');
    expect(nextTab(tabs, 'Playground', 'ArrowLeft')).toBe('Settings');
    expect(nextTab(tabs, 'Operator', 'Home')).toBe('Playground');
    expect(nextTab(tabs, 'Operator', 'End')).toBe('Settings');
    expect(nextTab(tabs, 'Operator', 'Enter')).toBeUndefined();
  });
});
