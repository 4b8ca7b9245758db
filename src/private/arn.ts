import { Fn, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { invalid } from './validation';

/**
 * A Kinesis Video Streams resource ARN: `arn:<partition>:kinesisvideo:<region>:<account>:<type>/<name>/<creation time>`
 * (the API Reference's `ResourceARN` pattern).
 */
const KVS_ARN = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:([a-z]+)\/([a-zA-Z0-9_.-]+)\/[0-9]+$/;

/** One kind of Kinesis Video Streams resource, as its imports name it. */
export interface KvsResourceKind {
  /** The ARN's resource type: `stream` or `channel`. */
  readonly resource: string;
  /** The attribute that carries the ARN, for messages: `streamArn`. */
  readonly arnProp: string;
  /** The attribute that carries the name, for messages: `streamName`. */
  readonly nameProp: string;
  /** Validates a concrete name; throws naming `propName`. */
  readonly validateName: (value: string, propName: string) => void;
}

/** The ARN and name of an imported resource. */
export interface ImportedIdentity {
  /** The exact ARN, or `.../<type>/<name>/*` when only the name is known. */
  readonly arn: string;
  readonly name: string;
}

/**
 * Works out the ARN and the name of an imported resource from whichever of the two the user gave.
 *
 * - An ARN alone: the name is the ARN's second `/`-separated part (parsed when concrete, `Fn::Select` over `Fn::Split`
 *   when a token).
 * - A name alone: the ARN ends in a creation time that cannot be known, so the ARN is the pattern
 *   `arn:<partition>:kinesisvideo:<region>:<account>:<type>/<name>/*`, which fits IAM policies.
 */
export function resolveImportedIdentity(scope: Construct, kind: KvsResourceKind, arn?: string, name?: string): ImportedIdentity {
  if (arn === undefined && name === undefined) {
    throw invalid('attributes', `without ${kind.arnProp} and ${kind.nameProp}`, `given ${kind.arnProp}, ${kind.nameProp} or both`);
  }
  if (name !== undefined) kind.validateName(name, kind.nameProp);
  if (arn === undefined) {
    return {
      arn: Stack.of(scope).formatArn({ service: 'kinesisvideo', resource: kind.resource, resourceName: `${name}/*` }),
      name: name!,
    };
  }
  if (Token.isUnresolved(arn)) {
    return { arn, name: name ?? Fn.select(1, Fn.split('/', arn)) };
  }
  const parsedName = parseArn(kind, arn);
  if (name !== undefined && !Token.isUnresolved(name) && name !== parsedName) {
    throw invalid(kind.nameProp, name, `the name in ${kind.arnProp} "${arn}" ("${parsedName}")`);
  }
  return { arn, name: name ?? parsedName };
}

/** The resource name in a concrete ARN of the given kind; throws when the ARN is not one. */
function parseArn(kind: KvsResourceKind, arn: string): string {
  const match = KVS_ARN.exec(arn);
  if (!match || match[1] !== kind.resource) {
    throw invalid(kind.arnProp, arn, `an ARN arn:<partition>:kinesisvideo:<region>:<account>:${kind.resource}/<name>/<creation time>`);
  }
  return match[2];
}

/**
 * Whether `arn` addresses one resource. An import by name has only the IAM pattern `.../<type>/<name>/*`, which no API
 * call takes: handlers that act by ARN need one of these.
 */
export function isExactArn(arn: string): boolean {
  return !arn.endsWith('/*');
}

/** Throws unless the stream's ARN is exact, for a construct whose handler addresses the stream by ARN. */
export function requireExactStreamArn(stream: { readonly streamArn: string; readonly node: { readonly path: string } }): void {
  if (isExactArn(stream.streamArn)) return;
  throw invalid('stream', stream.node.path, 'a stream whose ARN is known (a Stream of this app, or one imported with Stream.fromStreamArn): '
    + 'the handler addresses the stream by ARN, and a stream imported by name has only the pattern .../stream/<name>/*');
}
