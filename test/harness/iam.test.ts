import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeployHarness } from '.';
import { TempDirs } from './fixtures/apps';
import { IamAccount, IamResourceView } from './iam';

const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/Handler`;
const STREAM = `arn:aws:kinesisvideo:us-east-1:${ACCOUNT}:stream/cam-a/1700000000000`;
const OTHER_STREAM = `arn:aws:kinesisvideo:us-east-1:${ACCOUNT}:stream/cam-b/1700000000000`;

const document = (effect: 'Allow' | 'Deny', action: string, resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: effect, Action: action, Resource: resource }],
});
const role = (properties: Record<string, unknown> = {}): IamResourceView => ({
  type: 'AWS::IAM::Role', physicalId: 'Handler', properties, attributes: { Arn: ROLE_ARN },
});
const managed = (arn: string, properties: Record<string, unknown>): IamResourceView => ({
  type: 'AWS::IAM::ManagedPolicy', physicalId: arn, properties, attributes: { PolicyArn: arn },
});

describe('IamAccount.authorize', () => {
  const account = (resources: IamResourceView[]) => new IamAccount(ACCOUNT, () => resources);

  test('allows what a policy attached to the caller\'s role allows, and denies the rest with the service\'s message', async () => {
    const iamAccount = account([
      role(),
      { type: 'AWS::IAM::Policy', physicalId: 'p', properties: { PolicyName: 'p', Roles: ['Handler'], PolicyDocument: document('Allow', 'kinesisvideo:DescribeStream', 'arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam-a/*') }, attributes: {} },
    ]);
    const key = iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent');

    expect(await iamAccount.authorize({ accessKeyId: key, action: 'kinesisvideo:DescribeStream', resource: STREAM })).toEqual({ allowed: true });
    expect(await iamAccount.authorize({ accessKeyId: key, action: 'kinesisvideo:DescribeStream', resource: OTHER_STREAM })).toEqual({
      allowed: false,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Handler/OnEvent is not authorized to perform: kinesisvideo:DescribeStream on resource: ${OTHER_STREAM} `
        + 'because no identity-based policy allows the kinesisvideo:DescribeStream action',
    });
  });

  test('counts the role\'s own inline policies and its managed policies, attached by Roles or by ManagedPolicyArns; an explicit deny wins', async () => {
    const byArn = `arn:aws:iam::${ACCOUNT}:policy/by-arn`;
    const iamAccount = account([
      role({ Policies: [{ PolicyName: 'own', PolicyDocument: document('Allow', 'kinesisvideo:DescribeStream', '*') }], ManagedPolicyArns: [byArn] }),
      managed(byArn, { PolicyDocument: document('Allow', 'kinesisvideo:TagStream', '*') }),
      managed(`arn:aws:iam::${ACCOUNT}:policy/by-roles`, { Roles: ['Handler'], PolicyDocument: document('Deny', 'kinesisvideo:DescribeStream', OTHER_STREAM) }),
      managed(`arn:aws:iam::${ACCOUNT}:policy/someone-else`, { Roles: ['Other'], PolicyDocument: document('Allow', 'kinesisvideo:DeleteStream', '*') }),
    ]);
    const key = iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent');
    const decide = async (action: string, resource: string) => (await iamAccount.authorize({ accessKeyId: key, action, resource })).allowed;

    expect(await decide('kinesisvideo:DescribeStream', STREAM)).toBe(true);
    expect(await decide('kinesisvideo:TagStream', STREAM)).toBe(true);
    expect(await decide('kinesisvideo:DescribeStream', OTHER_STREAM)).toBe(false);
    expect(await decide('kinesisvideo:DeleteStream', STREAM)).toBe(false);
    expect(await iamAccount.authorize({ accessKeyId: key, action: 'kinesisvideo:DescribeStream', resource: OTHER_STREAM })).toEqual({
      allowed: false,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Handler/OnEvent is not authorized to perform: kinesisvideo:DescribeStream on resource: ${OTHER_STREAM} `
        + 'with an explicit deny in an identity-based policy',
    });
  });

  test('allows calls signed with keys it did not issue: the tests\' own clients and CloudFormation\'s calls', async () => {
    expect(await account([]).authorize({ accessKeyId: 'AKIDHARNESS', action: 'kinesisvideo:DeleteStream', resource: STREAM })).toEqual({ allowed: true });
  });

  test('issues one key per role and function', () => {
    const iamAccount = account([]);
    expect(iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent')).toBe(iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent'));
    expect(iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent')).not.toBe(iamAccount.accessKeyFor(ROLE_ARN, 'IsComplete'));
  });
});

describe('IamAccount decisions within a policy version', () => {
  const stream = (name: string) => `arn:aws:kinesisvideo:us-east-1:${ACCOUNT}:stream/${name}/1700000000000`;
  const prefixPolicy = (resource: string, extra: Record<string, unknown> = {}): IamResourceView => ({
    type: 'AWS::IAM::Policy',
    physicalId: 'p',
    attributes: {},
    properties: { PolicyName: 'p', Roles: ['Handler'], PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kinesisvideo:DescribeStream', Resource: resource, ...extra }] } },
  });

  test('reuses the evaluator\'s verdict for resources no pattern tells apart, and still evaluates every call with its own message', async () => {
    const resources = [role(), prefixPolicy(`arn:aws:kinesisvideo:us-east-1:${ACCOUNT}:stream/site1-*`)];
    const iamAccount = new IamAccount(ACCOUNT, () => resources);
    const key = iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent');
    const decide = (resource: string) => iamAccount.authorize({ accessKeyId: key, action: 'kinesisvideo:DescribeStream', resource });

    for (let i = 0; i < 5; i++) expect(await decide(stream(`site1-cam-${i}`))).toEqual({ allowed: true });
    expect(await decide(stream('site2-cam-0'))).toMatchObject({ allowed: false });
    // The other site's second camera shares the first one's verdict, and its message names its own ARN.
    expect(await decide(stream('site2-cam-1'))).toEqual({
      allowed: false,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Handler/OnEvent is not authorized to perform: kinesisvideo:DescribeStream on resource: ${stream('site2-cam-1')} `
        + 'because no identity-based policy allows the kinesisvideo:DescribeStream action',
    });
    // Case matters to the whole-ARN match, so a camera that differs only in case is a class of its own.
    expect(await decide(stream('SITE1-cam-9'))).toMatchObject({ allowed: expect.any(Boolean) });
    expect(iamAccount.decisions).toMatchObject({ evaluated: 8, denied: expect.any(Number), simulated: 3 });
  });

  test('evaluates afresh after a role or policy changes', async () => {
    const resources = [role(), prefixPolicy(stream('cam-a'))];
    const iamAccount = new IamAccount(ACCOUNT, () => resources);
    const key = iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent');
    const decide = async () => (await iamAccount.authorize({ accessKeyId: key, action: 'kinesisvideo:DescribeStream', resource: stream('cam-a') })).allowed;

    expect(await decide()).toBe(true);
    resources.splice(1, 1, prefixPolicy(stream('cam-b')));
    iamAccount.invalidate();
    expect(await decide()).toBe(false);
    expect(iamAccount.decisions.simulated).toBe(2);
  });

  test('does not group resources when a statement has a Condition: every resource is evaluated on its own', async () => {
    const resources = [role(), prefixPolicy(`arn:aws:kinesisvideo:us-east-1:${ACCOUNT}:stream/*`, { Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } })];
    const iamAccount = new IamAccount(ACCOUNT, () => resources);
    const key = iamAccount.accessKeyFor(ROLE_ARN, 'OnEvent');
    for (const name of ['cam-a', 'cam-b', 'cam-a']) await iamAccount.authorize({ accessKeyId: key, action: 'kinesisvideo:DescribeStream', resource: stream(name) });
    expect(iamAccount.decisions).toMatchObject({ evaluated: 3, simulated: 2 });
  });
});

describe('IAM quotas in a deployment', () => {
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

  /** `count` statements of about 100 characters each, on distinct topics. */
  const statements = (count: number) => Array.from({ length: count }, (_, i) => new iam.PolicyStatement({
    actions: ['sns:Publish'], resources: [`arn:aws:sns:us-east-1:123456789012:${'t'.repeat(40)}-${i}`],
  }));

  test('fails an inline policy that takes a role over 10,240 characters, as IAM answers LimitExceeded', async () => {
    const result = await harness.deploy(dirs.synth((stack) => {
      const r = new iam.Role(stack, 'Role', { roleName: 'Big', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      new iam.Policy(stack, 'First', { roles: [r], statements: statements(60) });
      new iam.Policy(stack, 'Second', { roles: [r], statements: statements(60) }).node.addDependency(stack.node.findChild('First'));
      new sns.Topic(stack, 'Unrelated');
    }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const failed = result.events.find((e) => e.status === 'CREATE_FAILED' && e.logicalId.startsWith('Second'));
    expect(failed?.reason).toMatch(/^Maximum policy size of 10240 bytes exceeded for role Big \(its inline policies have \d+\) \(Service: Iam, Status Code: 409, Error Code: LimitExceeded\)$/);
  });

  test('fails a managed policy over 6,144 characters', async () => {
    const result = await harness.deploy(dirs.synth((stack) => {
      new iam.ManagedPolicy(stack, 'Managed', { managedPolicyName: 'big', statements: statements(70) });
    }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.events.find((e) => e.status === 'CREATE_FAILED')?.reason)
      .toMatch(/^Cannot exceed quota for PolicySize: 6144 \(policy arn:aws:iam::123456789012:policy\/big has \d+\) \(Service: Iam, Status Code: 409, Error Code: LimitExceeded\)$/);
  });
});
