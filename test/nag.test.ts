import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { Stream } from '../src';
import { buildAllConstructs, SCENARIOS } from './support/all-constructs';
import { constructAtPath, isLibraryConstruct } from './support/library-constructs';
import { addNagSuppressions } from '../src/private/nag';
import { KinesisVideoProvider } from '../src/private/provider';

/** One cdk-nag finding: the resource's path and `AwsSolutions-<rule>[<finding>]`. */
interface Finding {
  readonly path: string;
  readonly rule: string;
  readonly level: 'error' | 'warning';
}

/**
 * Findings that this library's grants cause on users' roles, with the text that docs/compliance.md uses for each.
 * Each comes from a wildcard the service or aws-cdk-lib forces; the docs give the reason.
 */
const USER_ROLE_FINDINGS: Array<{ readonly doc: string; readonly pattern: RegExp }> = [
  { doc: 'stream/<name>/*', pattern: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:kinesisvideo:[^\]]+:stream\/[^/\]]+\/\*\]$/ },
  { doc: 'channel/<name>/*', pattern: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:kinesisvideo:[^\]]+:channel\/[^/\]]+\/\*\]$/ },
  { doc: '<bucket ARN>/<keyPrefix>*', pattern: /^AwsSolutions-IAM5\[Resource::<[A-Za-z0-9]+\.Arn>\/[^\]]*\*\]$/ },
  { doc: 'Resource::*', pattern: /^AwsSolutions-IAM5\[Resource::\*\]$/ },
  { doc: '<api>/$default/GET/streams/<name>/*', pattern: /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:execute-api:[^\]]+\/\$default\/GET\/streams\/[^\]]+\*\]$/ },
];

/** The compliance guide, which the README's Compliance section links to. */
const COMPLIANCE_DOC = join(__dirname, '..', 'docs', 'compliance.md');

/** Applies the AwsSolutions pack to `app` and returns every finding in `stacks`, errors and warnings. */
function nagFindings(app: App, stacks: Stack[]): Finding[] {
  Aspects.of(app).add(new AwsSolutionsChecks());
  return stacks.flatMap((stack) => {
    const annotations = Annotations.fromStack(stack);
    const nag = Match.stringLikeRegexp('^AwsSolutions-');
    const found = [
      ...annotations.findError('*', nag).map((m) => ({ m, level: 'error' as const })),
      ...annotations.findWarning('*', nag).map((m) => ({ m, level: 'warning' as const })),
    ];
    return found.map(({ m, level }) => ({ path: m.id, rule: ruleOf(String(m.entry.data)), level }));
  });
}

/** `AwsSolutions-IAM5[Resource::*]` from `AwsSolutions-IAM5[Resource::*]: The IAM entity ...`. */
function ruleOf(message: string): string {
  return /^(AwsSolutions-\w+(?:\[.*?\])?): /.exec(message)![1];
}

/** The cdk_nag metadata of every resource of `stack`, by construct. */
function suppressionsOf(stack: Stack): Array<{ construct: IConstruct; rules: any[] }> {
  return stack.node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
    .filter((resource) => resource.getMetadata('cdk_nag') !== undefined)
    .map((resource) => ({ construct: resource, rules: resource.getMetadata('cdk_nag').rules_to_suppress }));
}

describe('cdk-nag AwsSolutions on stacks that use every construct', () => {
  const app = new App();
  const stacks = buildAllConstructs(app);
  let findings: Finding[];

  beforeAll(() => {
    findings = nagFindings(app, stacks);
  });

  test.each(SCENARIOS.map((scenario) => scenario.id))('the library\'s resources in %s have no unsuppressed errors or warnings', (stackId) => {
    const onLibrary = findings
      .filter((f) => f.path.startsWith(`/${stackId}/`))
      .filter((f) => isLibraryConstruct(constructAtPath(app, f.path)))
      .map((f) => `${f.level} ${f.path} ${f.rule}`);
    expect(onLibrary).toEqual([]);
  });

  test('the only findings on users\' resources are the grant wildcards that docs/compliance.md lists', () => {
    const onUsers = findings.filter((f) => !isLibraryConstruct(constructAtPath(app, f.path)));
    // The scenarios grant on imports by name, to an image bucket and with KMS keys: each documented finding occurs.
    const unexplained = onUsers.filter((f) => !USER_ROLE_FINDINGS.some(({ pattern }) => pattern.test(f.rule)));
    expect(unexplained).toEqual([]);
    for (const { pattern } of USER_ROLE_FINDINGS) {
      expect(onUsers.some((f) => pattern.test(f.rule))).toBe(true);
    }
    expect(onUsers.every((f) => /\/(DefaultPolicy|Policy)\/Resource$/.test(f.path))).toBe(true);

    const doc = readFileSync(COMPLIANCE_DOC, 'utf8');
    const undocumented = USER_ROLE_FINDINGS.map((f) => f.doc).filter((text) => !doc.includes(`\`${text}\``));
    expect(undocumented).toEqual([]);
  });

  test('suppressions sit on the library\'s resources only, each with a reason, and none on a stack', () => {
    for (const stack of stacks) {
      expect(stack.templateOptions.metadata?.cdk_nag).toBeUndefined();
      for (const { construct, rules } of suppressionsOf(stack)) {
        expect(isLibraryConstruct(construct)).toBe(true);
        for (const rule of rules) {
          expect(rule.reason.length).toBeGreaterThanOrEqual(40);
          // Wildcard findings are granular: a suppression names the findings it covers.
          if (rule.id === 'AwsSolutions-IAM5') expect(rule.applies_to?.length).toBeGreaterThan(0);
        }
      }
    }
  });

  test('docs/compliance.md explains every suppression of the library', () => {
    const doc = readFileSync(COMPLIANCE_DOC, 'utf8');
    const rules = new Set(stacks.flatMap((stack) => suppressionsOf(stack).flatMap(({ rules: r }) => r.map((rule: any) => rule.id as string))));
    expect([...rules].sort()).toEqual(['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-S1', 'AwsSolutions-SF2']);
    for (const rule of rules) expect(doc).toContain(`\`${rule}\``);
  });

  test('the waiter role\'s only statement on "*" is CloudWatch Logs delivery, the one its suppression covers', () => {
    const stack = stacks[0];
    const waiterPolicy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .map((policy: any) => policy.Properties)
      .find((props: any) => JSON.stringify(props.Roles).includes('waiterstatemachineRole'));
    const onEverything = waiterPolicy.PolicyDocument.Statement.filter((s: any) => s.Resource === '*');
    expect(onEverything).toHaveLength(1);
    expect(onEverything[0].Action.every((action: string) => action.startsWith('logs:'))).toBe(true);
  });
});

describe('the provider\'s fixes for cdk-nag', () => {
  function providerTemplate(): Template {
    const stack = new Stack(new App(), 'Stack');
    new Stream(stack, 'Camera');
    return Template.fromStack(stack);
  }

  test('every function of the provider, the framework\'s included, runs on nodejs24.x and logs to the provider\'s log group', () => {
    const template = providerTemplate();
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(5);
    const [logGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    for (const fn of functions as any[]) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: logGroupId });
    }
  });

  test('the one log group is under /aws/vendedlogs/, kept a month and deleted with the stack', () => {
    const template = providerTemplate();
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: { 'Fn::Join': ['', ['/aws/vendedlogs/cdk-kinesis-video/', { Ref: 'AWS::StackName' }]] },
        RetentionInDays: 30,
      },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('the waiter state machine logs ALL events without execution data', () => {
    providerTemplate().hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  test('no role of the provider uses an AWS managed policy', () => {
    const roles = Object.values(providerTemplate().findResources('AWS::IAM::Role')) as any[];
    expect(roles).toHaveLength(4);
    expect(roles.filter((role) => role.Properties.ManagedPolicyArns !== undefined)).toEqual([]);
  });
});

describe('addNagSuppressions', () => {
  /** A stack with one role whose policy allows an action on "*" (AwsSolutions-IAM5[Resource::*]). */
  function stackWithWildcard(): { app: App; stack: Stack; policy: CfnResource } {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kinesisvideo:ListStreams'], resources: ['*'] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws-cn:s3:::bucket/*'] }));
    return { app, stack, policy: role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource };
  }

  test('cdk-nag honours the metadata, for the named findings only', () => {
    const { app, stack, policy } = stackWithWildcard();
    addNagSuppressions(policy, [{ id: 'AwsSolutions-IAM5', reason: 'ListStreams supports no resource-level permissions.', appliesTo: ['Resource::*'] }]);
    expect(nagFindings(app, [stack]).map((f) => f.rule)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws-cn:s3:::bucket/*]']);
  });

  test('a regex finding covers what it matches and nothing else', () => {
    const { app, stack, policy } = stackWithWildcard();
    addNagSuppressions(policy, [{ id: 'AwsSolutions-IAM5', reason: 'Objects of the one bucket this role reads.', appliesTo: [{ regex: '/^Resource::arn:aws-cn:s3:::bucket\\/\\*$/' }] }]);
    expect(nagFindings(app, [stack]).map((f) => f.rule)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  test('keeps suppressions that NagSuppressions added before, and adding the same one twice stores it once', () => {
    const { policy } = stackWithWildcard();
    const ours = { id: 'AwsSolutions-IAM5', reason: 'ListStreams supports no resource-level permissions.', appliesTo: ['Resource::*'] };
    NagSuppressions.addResourceSuppressions(policy, [{ id: 'AwsSolutions-IAM4', reason: 'The user\'s own suppression.' }]);
    addNagSuppressions(policy, [ours]);
    addNagSuppressions(policy, [ours]);
    NagSuppressions.addResourceSuppressions(policy, [ours]);
    expect(policy.getMetadata('cdk_nag')).toEqual({
      rules_to_suppress: [
        { reason: 'The user\'s own suppression.', id: 'AwsSolutions-IAM4' },
        { reason: 'ListStreams supports no resource-level permissions.', id: 'AwsSolutions-IAM5', applies_to: ['Resource::*'] },
      ],
    });
  });

  test('fails with a reason shorter than 10 characters', () => {
    const { policy } = stackWithWildcard();
    expect(() => addNagSuppressions(policy, [{ id: 'AwsSolutions-IAM5', reason: 'too short' }]))
      .toThrow('The cdk-nag suppression of AwsSolutions-IAM5 needs a reason of at least 10 printable ASCII characters');
  });

  test('the handler policy\'s suppression does not cover a wildcard outside Kinesis Video Streams', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    new Stream(stack, 'Camera');
    KinesisVideoProvider.getOrCreate(stack).policy.allowStatement(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [stack.formatArn({ service: 's3', region: '', account: '', resource: 'bucket', resourceName: '*' })],
    }));
    expect(nagFindings(app, [stack])).toEqual([{
      path: '/Stack/CdkKinesisVideoProvider/HandlerPolicy/Resource',
      rule: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::bucket/*]',
      level: 'error',
    }]);
  });
});
