import { createHash } from 'crypto';

/*
 * Where a camera of a `CameraFleet` goes, and how the fleet's grants name its streams. Pure functions of the names,
 * so that the same inventory always gives the same placement and the same policies, in any order.
 */

/** Arithmetic modulo 2^64, and the top 31 bits of a 64-bit key, in BigInt division (the linter forbids bitwise operators). */
const TWO_64 = 2n ** 64n;
const TWO_33 = 2n ** 33n;
/** The 64-bit linear congruential generator of Lamping and Veach's jump consistent hash. */
const JUMP_MULTIPLIER = 2862933555777941757n;

/** The first 64 bits of the SHA-256 of the camera's name: the same on every machine and every Node.js version. */
function nameKey(name: string): bigint {
  return createHash('sha256').update(name, 'utf8').digest().readBigUInt64BE(0);
}

/**
 * The shard of a camera among `shards`: jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory, Consistent
 * Hash Algorithm", 2014) of the name's SHA-256.
 *
 * The shard depends on the name and the shard count only, never on the other cameras or their order. And when the
 * count grows from `n` to `m`, a camera either stays where it was or goes to one of the new shards `n..m-1` (about
 * `(m - n) / m` of them do): cameras never move between existing shards.
 */
export function shardOfName(name: string, shards: number): number {
  let key = nameKey(name);
  let bucket = -1;
  let next = 0;
  while (next < shards) {
    bucket = next;
    key = (key * JUMP_MULTIPLIER + 1n) % TWO_64;
    next = Math.floor((bucket + 1) * (2 ** 31 / (Number(key / TWO_33) + 1)));
  }
  return bucket;
}

/**
 * The resource names (after `stream/`) that cover exactly `names`, as tightly as `fits` allows: each name exactly
 * (`<name>/*`, the `/*` being the creation time of the ARN) when they fit, otherwise the names grouped by their first
 * `L` characters (`<prefix>*`, a group of one staying exact) for the longest `L` that fits. `L = 0` is `*`, which always
 * fits.
 *
 * @param fits whether a list of patterns fits the policy
 */
export function namePatterns(names: readonly string[], fits: (patterns: string[]) => boolean): string[] {
  const longest = Math.max(0, ...names.map((name) => name.length));
  for (let length = longest; length > 0; length--) {
    const patterns = patternsAt(names, length);
    if (fits(patterns)) return patterns;
  }
  return ['*'];
}

/** The names grouped by their first `length` characters, sorted. */
function patternsAt(names: readonly string[], length: number): string[] {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const prefix = name.slice(0, length);
    const group = groups.get(prefix);
    if (group) group.push(name);
    else groups.set(prefix, [name]);
  }
  return [...groups].map(([prefix, group]) => (group.length === 1 ? `${group[0]}/*` : `${prefix}*`)).sort();
}

/** The longest prefix that every string of `values` starts with. */
export function commonPrefix(values: readonly string[]): string {
  if (values.length === 0) return '';
  let prefix = values[0];
  for (const value of values) {
    while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}
