import { CfnCondition, CfnOutput, CfnResource, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeployHarness, OperationResult } from '.';
import { customEventLines, fixtureCalls, fixtureProvider, fixtureResource, TempDirs } from './fixtures/apps';

let dirs: TempDirs;
let harness: DeployHarness;

beforeEach(() => {
  dirs = new TempDirs();
  harness = new DeployHarness({ timeScale: 0.01 });
});

afterEach(async () => {
  await harness.close();
  dirs.removeAll();
});

describe('before any resource is touched', () => {
  test('fails when the Rules assertion of the default synthesizer does not hold, and creates no stack', async () => {
    const old = new DeployHarness({ ssmParameters: { '/cdk-bootstrap/hnb659fds/version': '5' } });
    try {
      await expect(old.deploy(dirs.synth((stack) => new sns.Topic(stack, 'T'))))
        .rejects.toThrow("CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.");
      expect(old.status('HarnessFixture')).toBeUndefined();
    } finally {
      await old.close();
    }
  });

  test('resolves the bootstrap version SSM parameter to a current version by default', async () => {
    const result = await harness.deploy(dirs.synth((stack) => new sns.Topic(stack, 'T')));
    expect(result.status).toBe('CREATE_COMPLETE');
  });

  test('fails on a resource type the harness does not emulate', async () => {
    await expect(harness.deploy(dirs.synth((stack) => new CfnResource(stack, 'Q', { type: 'AWS::SQS::Queue' }))))
      .rejects.toThrow('The harness does not emulate resource types: [AWS::SQS::Queue] (it emulates custom resources and ');
  });

  test('fails on an intrinsic function the harness does not resolve', async () => {
    await expect(harness.deploy(dirs.synth((stack) => new sns.Topic(stack, 'T', { displayName: Fn.importValue('Shared') }))))
      .rejects.toThrow('Unsupported intrinsic function Fn::ImportValue at Resources.TD925BC7E.Properties.DisplayName');
  });

  test('fails on an attribute the resource type does not have', async () => {
    await expect(harness.deploy(dirs.synth((stack) => {
      const topic = new sns.Topic(stack, 'T');
      new CfnOutput(stack, 'Bad', { value: Fn.getAtt((topic.node.defaultChild as sns.CfnTopic).logicalId, 'Nope').toString() });
    }))).rejects.toThrow('Template error: resource TD925BC7E does not support attribute type Nope in Fn::GetAtt');
  });
});

describe('native placeholders', () => {
  test('get physical ids and attributes of the right shape from the region, account and partition', async () => {
    const china = new DeployHarness({ region: 'cn-north-1', accountId: '111122223333', partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' });
    try {
      const result = await china.deploy(dirs.synth((stack) => {
        const out = (id: string, value: string) => new CfnOutput(stack, id, { value });
        const topic = new sns.Topic(stack, 'Topic', { topicName: 'alerts' });
        const bucket = new s3.Bucket(stack, 'Bucket', { bucketName: 'thumbs' });
        const role = new iam.Role(stack, 'Role', { roleName: 'cams', path: '/video/', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        const key = new kms.Key(stack, 'Key');
        const fn = new lambda.Function(stack, 'Fn', {
          functionName: 'fn', code: lambda.Code.fromInline('exports.handler = async () => 1'), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X,
        });
        const secret = new secretsmanager.Secret(stack, 'Secret', { secretName: 'rtsp' });
        const thing = new iot.CfnThing(stack, 'Thing', { thingName: 'hub' });
        const group = new logs.LogGroup(stack, 'Logs', { logGroupName: '/cams' });
        const unnamed = new sns.Topic(stack, 'Unnamed');
        out('TopicRef', topic.topicArn);
        out('TopicName', topic.topicName);
        out('BucketRef', bucket.bucketName);
        out('BucketArn', bucket.bucketArn);
        out('BucketRegional', bucket.bucketRegionalDomainName);
        out('RoleRef', role.roleName);
        out('RoleArn', role.roleArn);
        out('KeyArn', key.keyArn);
        out('KeyRef', key.keyId);
        out('FnArn', fn.functionArn);
        out('SecretArn', secret.secretArn);
        out('ThingArn', thing.attrArn);
        out('LogsArn', group.logGroupArn);
        out('UnnamedName', unnamed.topicName);
      }));
      const o = result.outputs;
      expect(o).toMatchObject({
        TopicRef: 'arn:aws-cn:sns:cn-north-1:111122223333:alerts',
        TopicName: 'alerts',
        BucketRef: 'thumbs',
        BucketArn: 'arn:aws-cn:s3:::thumbs',
        BucketRegional: 'thumbs.s3.cn-north-1.amazonaws.com.cn',
        RoleRef: 'cams',
        RoleArn: 'arn:aws-cn:iam::111122223333:role/video/cams',
        FnArn: 'arn:aws-cn:lambda:cn-north-1:111122223333:function:fn',
        ThingArn: 'arn:aws-cn:iot:cn-north-1:111122223333:thing/hub',
        LogsArn: 'arn:aws-cn:logs:cn-north-1:111122223333:log-group:/cams:*',
      });
      expect(o.KeyArn).toBe(`arn:aws-cn:kms:cn-north-1:111122223333:key/${o.KeyRef}`);
      expect(o.KeyRef).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(o.SecretArn).toMatch(/^arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:rtsp-[a-z0-9]{6}$/);
      expect(o.UnnamedName).toMatch(/^HarnessFixture-Unnamed[0-9A-F]{8}-[A-Z0-9]{12}$/);
    } finally {
      await china.close();
    }
  });
});

describe('order and concurrency', () => {
  test('runs independent resources at the same time, and a dependent one only after both', async () => {
    const result = await harness.deploy(dirs.synth((stack) => {
      const provider = fixtureProvider(stack);
      const a = fixtureResource(stack, 'A', provider, { SleepMs: 300, Value: 'from-a' });
      const b = fixtureResource(stack, 'B', provider, { SleepMs: 300 });
      fixtureResource(stack, 'C', provider, { FromA: a.getAttString('Value'), FromB: b.ref });
    }));

    const onEvent = (id: string) => result.invocations.find((i) => i.handler === 'index.onEvent' && (i.payload as { LogicalResourceId: string }).LogicalResourceId === id)!;
    const done = (id: string) => result.events.find((e) => e.logicalId === id && e.status === 'CREATE_COMPLETE')!.timestamp;
    expect(onEvent('A').startedAt).toBeLessThan(onEvent('B').endedAt);
    expect(onEvent('B').startedAt).toBeLessThan(onEvent('A').endedAt);
    expect(onEvent('C').startedAt).toBeGreaterThanOrEqual(Math.max(done('A'), done('B')));
    expect((onEvent('C').payload as { ResourceProperties: Record<string, string> }).ResourceProperties).toMatchObject({
      FromA: 'from-a',
      FromB: result.resources.find((r) => r.logicalId === 'B')!.physicalId,
    });
  });

  test('fails: a resource still in flight when another fails ends "cancelled" and is deleted by the rollback', async () => {
    const result = await harness.deploy(dirs.synth((stack) => {
      const provider = fixtureProvider(stack);
      fixtureResource(stack, 'Slow', provider, { PhysicalId: 'slow-1', SleepMs: 300 });
      fixtureResource(stack, 'Broken', provider, { FailOn: 'Create', FailMessage: 'broken' });
    }));
    const lines = customEventLines(result.events);
    expect(lines.filter((l) => l.startsWith('Slow') || l.startsWith('HarnessFixture ROLLBACK'))).toEqual([
      'Slow CREATE_IN_PROGRESS',
      'Slow CREATE_FAILED [slow-1] — Resource creation cancelled',
      'HarnessFixture ROLLBACK_IN_PROGRESS — The following resource(s) failed to create: [Broken, Slow]. Rollback requested by user.',
      'Slow DELETE_IN_PROGRESS [slow-1]',
      'Slow DELETE_COMPLETE [slow-1]',
      'HarnessFixture ROLLBACK_COMPLETE',
    ]);
  });
});

describe('policies on rollback', () => {
  test('fails: a create rollback skips Retain and deletes RetainExceptOnCreate', async () => {
    const result = await harness.deploy(dirs.synth((stack) => {
      const provider = fixtureProvider(stack);
      const kept = fixtureResource(stack, 'Kept', provider, { PhysicalId: 'kept-1' });
      kept.applyRemovalPolicy(RemovalPolicy.RETAIN);
      const onCreate = fixtureResource(stack, 'OnCreate', provider, { PhysicalId: 'on-create-1' });
      onCreate.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
      const broken = fixtureResource(stack, 'Broken', provider, { FailOn: 'Create' });
      broken.node.addDependency(kept, onCreate);
    }));
    expect(customEventLines(result.events).filter((l) => /^(Kept|OnCreate) DELETE/.test(l)).sort()).toEqual([
      'Kept DELETE_SKIPPED [kept-1]',
      'OnCreate DELETE_COMPLETE [on-create-1]',
      'OnCreate DELETE_IN_PROGRESS [on-create-1]',
    ]);
    expect(fixtureCalls(result.invocations).filter((c) => c.event.RequestType === 'Delete').map((c) => c.event.PhysicalResourceId))
      .toEqual(['on-create-1', 'on-create-1']);
  });

  test('a resource removed from the template goes by its DeletionPolicy: Retain skips it', async () => {
    const build = (withKept: boolean) => dirs.synth((stack) => {
      const provider = fixtureProvider(stack);
      fixtureResource(stack, 'Stays', provider, {});
      if (withKept) fixtureResource(stack, 'Kept', provider, { PhysicalId: 'kept-1' }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    });
    await harness.deploy(build(true));
    const result = await harness.deploy(build(false));
    expect(customEventLines(result.events)).toEqual([
      'HarnessFixture UPDATE_IN_PROGRESS — User Initiated',
      'HarnessFixture UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'Kept DELETE_SKIPPED [kept-1]',
      'HarnessFixture UPDATE_COMPLETE',
    ]);
    expect(fixtureCalls(result.invocations)).toEqual([]);
  });

  test('fails: a rollback that fails leaves the stack in UPDATE_ROLLBACK_FAILED, which refuses updates', async () => {
    const build = (value: string) => dirs.synth((stack) => {
      fixtureResource(stack, 'Stuck', fixtureProvider(stack), { Value: value, FailOn: 'Update', FailMessage: 'stuck' });
    });
    await harness.deploy(build('1'));
    const result = await harness.deploy(build('2'));
    const failed = fixtureCalls(result.invocations).filter((c) => c.handler === 'index.onEvent').map((c) => c.event.RequestId);
    expect(customEventLines(result.events).slice(-3)).toEqual([
      'Stuck UPDATE_IN_PROGRESS [' + result.resources.find((r) => r.logicalId === 'Stuck')!.physicalId + ']',
      `Stuck UPDATE_FAILED [${result.resources.find((r) => r.logicalId === 'Stuck')!.physicalId}] — `
        + `Received response status [FAILED] from custom resource. Message returned: stuck (RequestId: ${failed[1]})`,
      'HarnessFixture UPDATE_ROLLBACK_FAILED — The following resource(s) failed to update: [Stuck]. ',
    ]);
    await expect(harness.deploy(build('3'))).rejects.toThrow(`Stack:${result.stackId} is in UPDATE_ROLLBACK_FAILED state and can not be updated.`);
  });
});

describe('update rollback', () => {
  test('fails: a resource that failed before its handler was called gets no Update on rollback', async () => {
    const build = (attribute: string) => dirs.synth((stack) => {
      const provider = fixtureProvider(stack);
      const source = fixtureResource(stack, 'Source', provider, { Value: 'v' });
      fixtureResource(stack, 'Reader', provider, { Read: source.getAttString(attribute) });
    });
    await harness.deploy(build('Value'));
    const result = await harness.deploy(build('Nope'));
    // Reader's lines without its physical id and reason.
    expect(customEventLines(result.events).map((l) => (l.startsWith('Reader') ? l.replace(/ \[.*$/, '') : l))).toEqual([
      'HarnessFixture UPDATE_IN_PROGRESS — User Initiated',
      'Reader UPDATE_IN_PROGRESS',
      'Reader UPDATE_FAILED',
      'HarnessFixture UPDATE_ROLLBACK_IN_PROGRESS — The following resource(s) failed to update: [Reader].',
      'Reader UPDATE_IN_PROGRESS',
      'Reader UPDATE_COMPLETE',
      'HarnessFixture UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'HarnessFixture UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(fixtureCalls(result.invocations)).toEqual([]);
  });
});

describe('conditions and attributes', () => {
  test('a resource whose Condition is false is not created, and Fn::If picks the property', async () => {
    const result: OperationResult = await harness.deploy(dirs.synth((stack: Stack) => {
      const isProd = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'eu-west-3') });
      const topic = new sns.Topic(stack, 'OnlyInProd');
      (topic.node.defaultChild as sns.CfnTopic).cfnOptions.condition = isProd;
      new sns.Topic(stack, 'Always', { topicName: Fn.conditionIf(isProd.logicalId, 'prod', 'dev').toString() });
    }));
    expect(result.resources.map((r) => [r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.physicalId?.split(':').pop()])).toEqual([['Always', 'dev']]);
  });

  test('fails a resource that reads an attribute its custom resource did not return', async () => {
    const result = await harness.deploy(dirs.synth((stack) => {
      const provider = fixtureProvider(stack);
      const source = fixtureResource(stack, 'Source', provider, {});
      fixtureResource(stack, 'Reader', provider, { Missing: source.getAttString('Nope') });
    }));
    const source = result.events.find((e) => e.logicalId === 'Source' && e.status === 'CREATE_COMPLETE')!;
    expect(result.events.find((e) => e.logicalId === 'Reader' && e.status === 'CREATE_FAILED')?.reason)
      .toBe(`CustomResource attribute error: Vendor response doesn't contain Nope key in object ${result.stackId}|Source`);
    expect(source.physicalId).toBeDefined();
  });
});
