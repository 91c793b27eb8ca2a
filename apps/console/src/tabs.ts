/** The tab a key moves to in a WAI-ARIA tab list (arrows wrap around; Home, End); undefined for other keys. */
export function nextTab<T>(tabs: readonly T[], current: T, key: string): T | undefined {
  const i = tabs.indexOf(current);
  switch (key) {
    case 'ArrowRight':
      return tabs[(i + 1) % tabs.length];
    case 'ArrowLeft':
      return tabs[(i + tabs.length - 1) % tabs.length];
    case 'Home':
      return tabs[0];
    case 'End':
      return tabs[tabs.length - 1];
    default:
      return undefined;
  }
}
