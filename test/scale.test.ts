import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { cameraName, fleetStack, limitViolations, PROMISED_STREAMS, templateShape } from '../bench/fleet-app';
import { Stream } from '../src';
import { KinesisVideoProvider } from '../src/private/provider';
import { MANAGED_POLICY_LIMIT, resolvedPolicySize } from '../src/private/scoped-policy';

/** The provider's own 15 resources, the retention guard, the topic and the bucket. */
const FIXED_RESOURCES = 15 + 1 + 2;

function synthFleet(count: number, app = new App()) {
  const stack = fleetStack(app, count);
  return { stack, template: Template.fromStack(stack).toJSON() };
}

function handlerPolicyId(template: { [section: string]: any }): string {
  return Object.keys(template.Resources).find((id) => id.startsWith('CdkKinesisVideoProviderHandlerPolicy'))!;
}

describe('the largest stack the README promises', () => {
  let stack: Stack;
  let template: { [section: string]: any };
  let shape: ReturnType<typeof templateShape>;

  beforeAll(() => {
    // One synth of 240 streams serves every assertion.
    ({ stack, template } = synthFleet(PROMISED_STREAMS));
    shape = templateShape(template);
  });

  test('fits every limit a deployment meets: resources, one provider, every IAM policy resolved', () => {
    expect(limitViolations(shape)).toEqual([]);
  });

  test('holds exactly 2 resources per stream plus the fixed ones, 498 of CloudFormation\'s 500', () => {
    expect(shape.resources).toBe(2 * PROMISED_STREAMS + FIXED_RESOURCES);
    expect(shape.resources).toBe(498);
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::KinesisVideo::Stream')).toHaveLength(PROMISED_STREAMS);
    expect(types.filter((t) => t === 'Custom::KinesisVideoStreamConfiguration')).toHaveLength(PROMISED_STREAMS);
    expect(types.filter((t) => t === 'Custom::KinesisVideoRetentionGuard')).toHaveLength(1);
  });

  test('serves every custom resource through one provider', () => {
    expect(shape.serviceTokens).toBe(1);
    expect(shape.providerFrameworks).toBe(1);
  });

  test('measures the handler policy in the template as the policy measures itself, under the managed policy limit', () => {
    const id = handlerPolicyId(template);
    const measured = resolvedPolicySize(template.Resources[id].Properties.PolicyDocument);
    expect(measured).toBe(KinesisVideoProvider.getOrCreate(stack).policy.resolvedSize());
    expect(shape.managedPolicies).toEqual([{ policy: id, size: measured }]);
    expect(measured).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    // 240 exact names do not fit: the streams share the fleet's name prefix instead.
    const streamStatement = JSON.stringify(template.Resources[id].Properties.PolicyDocument.Statement[0].Resource);
    expect(streamStatement).toContain(':stream/site1-camera-0*');
    expect(streamStatement).not.toContain(cameraName(1));
  });

  test('measures the inline policies of every role of the stack; the handler role has none, only its managed policy', () => {
    const roles = Object.entries(template.Resources as Record<string, { Type: string }>).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id]) => id);
    const handlerRole = template.Resources[handlerPolicyId(template)].Properties.Roles[0].Ref;
    expect(shape.inlinePolicies.map((r) => r.role).sort()).toEqual(roles.sort());
    expect(shape.inlinePolicies.find((r) => r.role === handlerRole)).toEqual({ role: handlerRole, policies: [], total: 0 });
  });
});

describe('the limit check', () => {
  test('fails at 242 streams: 502 resources, over CloudFormation\'s 500', () => {
    // aws-cdk-lib refuses it too; its own check is turned off to show that this one fails independently.
    const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
    expect(limitViolations(templateShape(synthFleet(PROMISED_STREAMS + 2, app).template))).toEqual([
      '502 resources, over CloudFormation\'s 500',
    ]);
  });

  test('fails on a second provider and on policies over IAM\'s limits, measured with ARNs resolved', () => {
    // 100 statements naming a role by Arn: each Fn::GetAtt counts as a realistic ARN, not as its short token.
    const arnStatements = (n: number) => ({
      Version: '2012-10-17',
      Statement: Array.from({ length: n }, (_, i) => ({ Effect: 'Allow', Action: 'sns:Publish', Resource: { 'Fn::GetAtt': [`Topic${i}`, 'Arn'] } })),
    });
    const shape = templateShape({
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'a', PolicyDocument: arnStatements(40) }] } },
        Extra: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: arnStatements(40) } },
        Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: arnStatements(40) } },
        A: { Type: 'Custom::A', Properties: { ServiceToken: { 'Fn::GetAtt': ['P1', 'Arn'] } } },
        B: { Type: 'Custom::B', Properties: { ServiceToken: { 'Fn::GetAtt': ['P2', 'Arn'] } } },
      },
    });
    const one = resolvedPolicySize(arnStatements(40));
    // Measured with its tokens unresolved, the same document would pass.
    expect(JSON.stringify(arnStatements(40)).length).toBeLessThan(6_144);
    expect(one).toBeGreaterThan(6_144);
    expect(limitViolations(shape)).toEqual([
      '2 service tokens: more than one provider',
      `role Role: inline policies of ${2 * one} characters, over IAM's 10240`,
      `managed policy Managed: ${one} characters, over IAM's 6144`,
    ]);
  });

  test('streams whose names share no prefix fall back to every stream of the account and region, and still fit', () => {
    const stack = new Stack(new App(), 'Unrelated');
    for (let i = 0; i < PROMISED_STREAMS; i++) {
      new Stream(stack, `S${i}`, { streamName: `${String.fromCharCode(97 + (i % 26))}${i}-camera` });
    }
    const template = Template.fromStack(stack).toJSON();
    expect(limitViolations(templateShape(template))).toEqual([]);
    const document = template.Resources[handlerPolicyId(template)].Properties.PolicyDocument;
    expect(JSON.stringify(document.Statement[0].Resource)).toContain(':stream/*');
  });

  test('counts every inline policy a role gets, including a grant\'s default policy', () => {
    const stack = new Stack(new App(), 'Grants');
    const role = new iam.Role(stack, 'Camera', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new Stream(stack, 'Cam', { streamName: 'cam' }).grantWrite(role);
    const template = Template.fromStack(stack).toJSON();
    const shape = templateShape(template);
    const [policy] = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles[0].Ref.startsWith('Camera'));
    const size = resolvedPolicySize(policy.Properties.PolicyDocument);
    expect(shape.inlinePolicies.find((r) => r.role.startsWith('Camera'))).toEqual({
      role: policy.Properties.Roles[0].Ref,
      policies: [size],
      total: size,
    });
  });
});
