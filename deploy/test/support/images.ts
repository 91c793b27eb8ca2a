/** name[:tag][@digest] (a registry host may carry a port: host:5000/name:tag). */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const [ref, digest] = image.split('@', 2) as [string, string | undefined];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { name: ref.slice(0, colon), tag: ref.slice(colon + 1), digest } : { name: ref, digest };
}

/**
 * Why an image reference is not pinned, or undefined when it is: a digest, or a tag naming at least
 * major.minor (`17.5-alpine`, `v3.5.0`) or a release date (`RELEASE.2025-04-22T22-12-26Z`). Not `latest`, not
 * untagged, not a bare major (`24-slim`), not a variable.
 */
export function imageProblem(image: string): string | undefined {
  if (image.includes('${')) return `${image} is interpolated: pin it in the file`;
  const { tag, digest } = splitImage(image);
  if (digest) return /^sha256:[0-9a-f]{64}$/.test(digest) ? undefined : `${image} has a malformed digest`;
  if (!tag) return `${image} has no tag`;
  if (/^(latest|stable|edge|main|master|nightly)$/i.test(tag)) return `${image} uses the floating tag ${tag}`;
  if (!/\d+\.\d+/.test(tag) && !/\d{4}-\d{2}-\d{2}/.test(tag)) return `${image}: tag ${tag} is not a pinned version (major.minor at least, or a release date)`;
  return undefined;
}
