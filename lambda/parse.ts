/**
 * The one place where strings become numbers and booleans. CloudFormation delivers every scalar property of a custom
 * resource as a string (`DataRetentionInHours: "24"`, `DeleteAfterUpload: "true"`), and environment variables are strings
 * too. Every reader names the property path, the value received and what is allowed. The constructs write them with
 * src/private/cfn-scalars.ts.
 */

import { RawProperties } from './types';

/** A property that does not have the expected shape. */
export class PropertyError extends Error {
  constructor(path: string, expected: string, received: unknown) {
    super(`Invalid ${path}: expected ${expected}, received ${describe(received)}`);
    this.name = 'PropertyError';
  }
}

/**
 * The members of a contract interface `P` (src/private/custom-resource-contract.ts), not read yet: a member renamed
 * in the contract fails to compile where a handler reads it.
 */
export type Unread<P> = { readonly [K in keyof P]-?: unknown };

/** A resource's properties as the contract interface `P` names them. */
export function propertiesOf<P>(raw: RawProperties): Unread<P> {
  return raw as Unread<P>;
}

/** An object whose members `P` names (by default any). */
export function readObject<P = { readonly [key: string]: unknown }>(value: unknown, path: string): Unread<P> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PropertyError(path, 'an object', value);
  return value as Unread<P>;
}

export function readList(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new PropertyError(path, 'a list', value);
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new PropertyError(path, 'a non-empty string', value);
  return value;
}

export function readEnum<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new PropertyError(path, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** An integer given as a decimal string (as CloudFormation sends it) or as a number, within `[min, max]`. */
export function readInteger(value: unknown, path: string, min: number = 0, max?: number): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || (max !== undefined && parsed > max)) {
    throw new PropertyError(path, max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`, value);
  }
  return parsed;
}

/** A positive finite number given as a decimal string, e.g. a scale factor read from the environment. */
export function readPositiveNumber(value: unknown, path: string): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(parsed) || parsed <= 0) throw new PropertyError(path, 'a positive number', value);
  return parsed;
}

/** `"true"` or `"false"` (CloudFormation's rendering of a boolean); a JSON boolean is accepted as well. */
export function readBoolean(value: unknown, path: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new PropertyError(path, '"true" or "false"', value);
}

/** Reads `value` with `read` unless it is absent (`undefined`). */
export function optional<T>(value: unknown, path: string, read: (v: unknown, p: string) => T): T | undefined {
  return value === undefined ? undefined : read(value, path);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
