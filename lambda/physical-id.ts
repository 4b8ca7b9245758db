/**
 * Physical ids: the configuration kind followed by the resolved ARNs it targets, joined by `|` (which ARNs of streams,
 * channels and stacks never contain). Examples:
 *
 *   StreamConfiguration|arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1700000000000
 *   MediaStorage|arn:…:channel/door/1700000000000|arn:…:stream/cam/1700000000000
 *
 * Only a change of target yields a new id, so only a change of target makes CloudFormation replace the resource and
 * send Delete for the old id. A Delete acts on the ARNs in its id, never on names from the properties.
 */

const SEPARATOR = '|';

export function formatPhysicalId(kind: string, targets: readonly string[]): string {
  return [kind, ...targets].join(SEPARATOR);
}

/**
 * The targets in `physicalId` if it was formatted for `kind` with `arity` targets; otherwise `undefined` (for example
 * the framework's marker for a Create that failed before returning an id).
 */
export function parsePhysicalId(physicalId: string | undefined, kind: string, arity: number): string[] | undefined {
  const parts = (physicalId ?? '').split(SEPARATOR);
  if (parts[0] !== kind || parts.length !== arity + 1 || parts.slice(1).some((p) => p === '')) return undefined;
  return parts.slice(1);
}
