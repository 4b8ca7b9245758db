import { CfnResource } from 'aws-cdk-lib';

/*
 * cdk-nag suppressions written as CloudFormation metadata, so that users of cdk-nag see none of this library's
 * findings while the library does not depend on cdk-nag (a dev dependency only).
 *
 * The format is the one cdk-nag 2.x reads and writes (`NagSuppressionHelper` in its source): resource metadata
 * `cdk_nag: { rules_to_suppress: [{ reason, id, applies_to? }] }`, with a `reason` of at least 10 characters (cdk-nag
 * base64-encodes reasons outside Latin-1; ours are plain ASCII, so they need no encoding). Entries are appended to whatever the resource
 * already carries and deduplicated by their JSON, as `NagSuppressions.addResourceSuppressions` does, so the user's
 * own suppressions and ours coexist on the same resource.
 */

/** The metadata key cdk-nag reads on each resource. */
const METADATA_KEY = 'cdk_nag';

/** A finding of a granular rule (such as `AwsSolutions-IAM5`): exact, or a `/regex/flags` string. */
export type NagFinding = string | { readonly regex: string };

/** One suppression: the rule, why the resource is safe, and for granular rules the findings it covers. */
export interface NagSuppression {
  /** The rule id, for example `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is safe on this resource. */
  readonly reason: string;
  /** The findings suppressed; absent only for rules that are not granular. */
  readonly appliesTo?: NagFinding[];
}

interface CfnSuppression {
  readonly reason: string;
  readonly id: string;
  readonly applies_to?: NagFinding[];
}

/** Adds `suppressions` to the cdk-nag metadata of `resource`, keeping what it already has. */
export function addNagSuppressions(resource: CfnResource, suppressions: NagSuppression[]): void {
  const existing: CfnSuppression[] = resource.getMetadata(METADATA_KEY)?.rules_to_suppress ?? [];
  const serialized = [...existing, ...suppressions.map(toCfnFormat)].map((rule) => JSON.stringify(rule));
  const rules = Array.from(new Set(serialized)).map((rule) => JSON.parse(rule) as CfnSuppression);
  resource.addMetadata(METADATA_KEY, { rules_to_suppress: rules });
}

/** cdk-nag's own key order (reason, id, applies_to), so that its deduplication recognises our entries. */
function toCfnFormat(suppression: NagSuppression): CfnSuppression {
  if (suppression.reason.length < 10 || !/^[\x20-\x7e]+$/.test(suppression.reason)) {
    throw new Error(`The cdk-nag suppression of ${suppression.id} needs a reason of at least 10 printable ASCII characters`);
  }
  const appliesTo = suppression.appliesTo ? { applies_to: suppression.appliesTo } : {};
  return { reason: suppression.reason, id: suppression.id, ...appliesTo };
}
