import { CfnResource, CustomResource, Duration, IResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { isExactArn } from './arn';
import { cfnBoolean, cfnNumber } from './cfn-scalars';
import { SettingsProperties, TagMap } from './custom-resource-contract';
import { KinesisVideoProvider, TOTAL_TIMEOUT } from './provider';
import { KvsResourceKind } from './scoped-policy';
import { invalid, validateTags, validateWholeSeconds } from './validation';

/**
 * The longest a Create may wait for a stream or channel that no device has created yet: the provider gives a custom
 * resource one hour in all, and the settings still have to be applied once it appears.
 */
const MAX_WAIT_SECONDS = TOTAL_TIMEOUT.toSeconds() - Duration.minutes(10).toSeconds();

/** The stack-level bookkeeping construct's id: public contract only in that it appears in the construct tree. */
const REGISTRY_ID = 'CdkKinesisVideoSettingsRegistry';

/** How one kind of settings construct names its target, for messages and IAM. */
export interface SettingsKind {
  /** `stream` or `channel`, as the provider's scoped policy takes it. */
  readonly resource: KvsResourceKind;
  /** The prop that takes the target, as the user writes it: `stream`, `channel`. */
  readonly prop: string;
  /** The construct: `StreamSettings`. */
  readonly construct: string;
  /** The imports that give a target this stack does not own. */
  readonly imports: string;
  /** The owned construct whose props hold the settings instead: `Stream`. */
  readonly owned: string;
  /** The option that waits for a missing target: `waitForStream`. */
  readonly waitOption: string;
  /** The import by name, which a missing target needs: `Stream.fromStreamName`. */
  readonly importByName: string;
  /** The settings the construct may manage, for the message when none is set. */
  readonly settingNames: string;
  /** The handler's calls on the target; the policy names exactly these. */
  readonly actions: string[];
}

/** A stream or channel to manage. */
export interface SettingsTarget {
  /** The import (or the owned construct, which is refused). */
  readonly resource: IResource;
  readonly arn: string;
  readonly name: string;
  /** Whether this app owns it (`new Stream`), in which case CloudFormation manages its settings. */
  readonly owned: boolean;
}

/** The resource's properties `P`, as the contract names them: a renamed member fails to compile. */
export interface SettingsResourceOptions<P extends SettingsProperties> {
  readonly kind: SettingsKind;
  readonly target: SettingsTarget;
  readonly resourceType: string;
  /** The declared settings, by property; undefined: not managed. */
  readonly settings: Partial<P>;
  /** Properties that are always present, such as options of the handler. */
  readonly options?: Partial<P>;
  readonly tags?: TagMap;
  readonly restoreOnDelete?: boolean;
  readonly waitFor?: Duration;
  /** The property that carries the wait, in seconds. */
  readonly waitProperty: keyof P & string;
  /** The target's ARN and name, as the properties name them. */
  readonly arnProperty: keyof P & string;
  readonly nameProperty: keyof P & string;
  /** Statements the handler needs besides the target's actions. */
  readonly statements?: iam.PolicyStatement[];
}

/**
 * Validates what every settings construct shares and adds its custom resource. The target must be an import (its owner
 * manages its settings), in the stack's account and region (the stack's handler calls the service there), and managed
 * by one settings construct per stack.
 */
export function addSettingsResource<P extends SettingsProperties>(scope: Construct, options: SettingsResourceOptions<P>): CustomResource {
  const { kind, target } = options;
  if (target.owned) {
    throw invalid(kind.prop, target.resource.node.path, `a ${kind.resource} this app does not own (imported with ${kind.imports}); `
      + `set the settings of a new ${kind.owned} through its props`);
  }
  const stack = Stack.of(scope);
  const env = target.resource.env;
  if (differ(env.account, stack.account) || differ(env.region, stack.region)) {
    throw invalid(kind.prop, target.arn, `in the stack's account and region (${stack.account}, ${stack.region}): `
      + `the stack's handler applies the settings there (the ${kind.resource} is in ${env.account}, ${env.region})`);
  }
  SettingsRegistry.of(stack).register(kind, target, scope);

  const declared = Object.values(options.settings).some((value) => value !== undefined);
  if (!declared && options.tags === undefined) {
    throw new Error(`${kind.construct} ${scope.node.path} declares nothing to manage: set at least one of ${kind.settingNames} or tags`);
  }
  if (options.tags) validateTags(options.tags);
  // A name-only import's ARN is the IAM pattern `…/<name>/*`, which no API call takes: the handler finds it by name.
  const exactArn = isExactArn(target.arn) ? target.arn : undefined;
  const wait = options.waitFor;
  if (wait !== undefined) {
    if (exactArn !== undefined) {
      throw invalid(kind.waitOption, wait.toHumanString(), `unset for a ${kind.resource} imported by ARN: one that does not exist yet has no ARN; `
        + `import it by name (${kind.importByName})`);
    }
    validateWholeSeconds(wait, kind.waitOption, 1, MAX_WAIT_SECONDS);
  }

  const provider = KinesisVideoProvider.getOrCreate(scope);
  // Every action, whatever is declared: dropping a setting later may restore it, with the same calls.
  provider.policy.allow(kind.resource, target.name, kind.actions);
  options.statements?.forEach((statement) => provider.policy.allowStatement(statement));
  const shared: SettingsProperties = { Tags: options.tags, RestoreOnDelete: cfnBoolean(options.restoreOnDelete ?? false) };
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: options.resourceType,
    properties: {
      [options.arnProperty]: exactArn,
      [options.nameProperty]: target.name,
      ...options.settings,
      ...options.options,
      ...shared,
      [options.waitProperty]: wait === undefined ? undefined : cfnNumber(wait.toSeconds()),
    },
  });
  provider.policy.requiredBy(resource.node.defaultChild as CfnResource);
  return resource;
}

/** Whether two values are both known and different. */
function differ(a: string, b: string): boolean {
  return !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
}

/**
 * The targets that settings constructs manage in one stack: two constructs on one target would overwrite each other,
 * and the Delete of one would undo the other.
 */
class SettingsRegistry extends Construct {
  public static of(stack: Stack): SettingsRegistry {
    return (stack.node.tryFindChild(REGISTRY_ID) as SettingsRegistry | undefined) ?? new SettingsRegistry(stack, REGISTRY_ID);
  }

  private readonly managers = new Map<string, IConstruct>();

  public register(kind: SettingsKind, target: SettingsTarget, manager: IConstruct): void {
    // A name known only at deploy time cannot be compared: the import itself stands for it.
    const key = `${kind.resource}:${Token.isUnresolved(target.name) ? target.resource.node.path : target.name}`;
    const existing = this.managers.get(key);
    if (existing) {
      throw invalid(kind.prop, Token.isUnresolved(target.name) ? target.resource.node.path : target.name,
        `managed by one ${kind.construct} only (${existing.node.path} already manages it)`);
    }
    this.managers.set(key, manager);
  }
}
