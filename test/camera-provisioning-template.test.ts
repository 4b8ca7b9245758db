import { App, Aspects, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnPolicy } from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CameraFleetIdentity, CameraProvisioningTemplate, CameraProvisioningTemplateOptions, CameraStreamNaming } from '../src';
import { cfnLintErrors } from './support/cfn-lint';
import { decide, Decision, resolvedPolicyDocument } from './support/iam-evaluator';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const OTHER_ACCOUNT = '444455556666';
const OTHER_REGION = 'us-east-1';
const HOOK_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:check-serial`;

function provisioned(options: CameraProvisioningTemplateOptions = {}) {
  const app = new App();
  const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: REGION } });
  const fleet = new CameraFleetIdentity(stack, 'Cameras', { streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX });
  const template = fleet.addProvisioningTemplate('Provisioning', options);
  return { app, stack, fleet, template };
}

const idOf = (stack: Stack, construct: any) => stack.getLogicalId(construct.node.defaultChild ?? construct);

/** The template body as AWS IoT receives it, the fleet policy's name shown as `<Ref logicalId>`. */
function templateBody(stack: Stack, template: CameraProvisioningTemplate): any {
  const body = Template.fromStack(stack).findResources('AWS::IoT::ProvisioningTemplate')[idOf(stack, template)].Properties.TemplateBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : `<Ref ${part.Ref}>`)).join('');
  return JSON.parse(text);
}

function iotArn(resource: string, name: string, account = ACCOUNT, region = REGION): string {
  return `arn:aws:iot:${region}:${account}:${resource}/${name}`;
}

describe('CameraProvisioningTemplate resources', () => {
  test('a fleet provisioning template that registers the thing, activates the certificate and attaches the fleet\'s IoT policy', () => {
    const { stack, fleet, template } = provisioned({ templateName: 'site1-cameras', thingNamePrefix: 'site1-', description: 'Site 1 cameras' });
    const resources = Template.fromStack(stack);
    resources.resourceCountIs('AWS::IoT::ProvisioningTemplate', 1);
    const props = resources.findResources('AWS::IoT::ProvisioningTemplate')[idOf(stack, template)].Properties;
    expect({ ...props, TemplateBody: undefined }).toEqual({
      TemplateName: 'site1-cameras',
      Description: 'Site 1 cameras',
      Enabled: true,
      ProvisioningRoleArn: { 'Fn::GetAtt': [idOf(stack, template.provisioningRole), 'Arn'] },
      TemplateType: 'FLEET_PROVISIONING',
      TemplateBody: undefined,
    });
    expect(templateBody(stack, template)).toEqual({
      Parameters: {
        'SerialNumber': { Type: 'String' },
        'AWS::IoT::Certificate::Id': { Type: 'String' },
      },
      Resources: {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: {
            ThingName: { 'Fn::Join': ['', ['site1-', { Ref: 'SerialNumber' }]] },
            AttributePayload: { serialNumber: { Ref: 'SerialNumber' } },
          },
        },
        certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: `<Ref ${stack.getLogicalId(fleet.node.findChild('Policy') as CfnPolicy)}>` } },
      },
    });
    expect(stack.resolve(template.templateName)).toBe('site1-cameras');
    expect(stack.resolve(template.templateArn)).toEqual({ 'Fn::GetAtt': [idOf(stack, template), 'TemplateArn'] });
    expect(template.thingNamePrefix).toBe('site1-');
  });

  test('without a prefix the thing is named as the serial number; the template name defaults to a name unique in the app', () => {
    const { stack, template } = provisioned({ enabled: false });
    expect(templateBody(stack, template).Resources.thing.Properties.ThingName).toEqual({ Ref: 'SerialNumber' });
    expect(template.templateName).toBe('Site-Cameras-Provisioning-F5DBF9F7');
    expect(template.templateName).toMatch(/^[0-9A-Za-z_-]{1,36}$/);
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ProvisioningTemplate', { TemplateName: template.templateName, Enabled: false });
  });

  test('the provisioning role: only AWS IoT of the stack\'s account and region assumes it, with AWSIoTThingsRegistration', () => {
    const { stack, template } = provisioned();
    const role = Template.fromStack(stack).findResources('AWS::IAM::Role')[idOf(stack, template.provisioningRole)].Properties;
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'iot.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:${REGION}:${ACCOUNT}:*`]] } },
        },
      }],
    });
    expect(role.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSIoTThingsRegistration']] },
    ]);
  });

  test('a provisioning role of the user\'s replaces the default one', () => {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: REGION } });
    const role = iam.Role.fromRoleArn(stack, 'Provisioner', `arn:aws:iam::${ACCOUNT}:role/provisioner`);
    const template = new CameraFleetIdentity(stack, 'Cameras').addProvisioningTemplate('Provisioning', { provisioningRole: role });
    expect(template.provisioningRole).toBe(role);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ProvisioningTemplate', { ProvisioningRoleArn: `arn:aws:iam::${ACCOUNT}:role/provisioner` });
  });

  test('a pre-provisioning hook is called with the documented payload version, and AWS IoT may invoke it for this template only', () => {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: REGION } });
    const hook = lambda.Function.fromFunctionArn(stack, 'CheckSerial', HOOK_ARN);
    new CameraFleetIdentity(stack, 'Cameras').addProvisioningTemplate('Provisioning', { templateName: 'site1-cameras', preProvisioningHook: hook });
    const resources = Template.fromStack(stack);
    resources.hasResourceProperties('AWS::IoT::ProvisioningTemplate', { PreProvisioningHook: { TargetArn: HOOK_ARN, PayloadVersion: '2020-04-01' } });
    resources.resourceCountIs('AWS::Lambda::Permission', 1);
    expect(Object.values(resources.findResources('AWS::Lambda::Permission'))[0].Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: HOOK_ARN,
      Principal: 'iot.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:${REGION}:${ACCOUNT}:provisioningtemplate/site1-cameras`]] },
    });
  });

  test('no hook, no permission', () => {
    const { stack } = provisioned();
    const resources = Template.fromStack(stack);
    resources.resourceCountIs('AWS::Lambda::Permission', 0);
    const [props] = Object.values(resources.findResources('AWS::IoT::ProvisioningTemplate')).map((r: any) => r.Properties);
    expect(props.TemplateName).toBeDefined();
    expect(props.PreProvisioningHook).toBeUndefined();
  });
});

describe('the claim certificate\'s IoT policy', () => {
  function claimPolicy(stack: Stack, template: CameraProvisioningTemplate): any {
    return Template.fromStack(stack).findResources('AWS::IoT::Policy')[stack.getLogicalId(template.node.findChild('ClaimPolicy') as CfnPolicy)].Properties.PolicyDocument;
  }

  test('exactly the AWS IoT docs\' claim policy, in the stack\'s account and region, for this template', () => {
    const { stack, template } = provisioned({ templateName: 'site1-cameras' });
    const arn = (resource: string, name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iot:${REGION}:${ACCOUNT}:${resource}/${name}`]] });
    expect(claimPolicy(stack, template)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', '*') },
        {
          Effect: 'Allow',
          Action: ['iot:Publish', 'iot:Receive'],
          Resource: [arn('topic', '$aws/certificates/create/*'), arn('topic', '$aws/provisioning-templates/site1-cameras/provision/*')],
        },
        {
          Effect: 'Allow',
          Action: 'iot:Subscribe',
          Resource: [arn('topicfilter', '$aws/certificates/create/*'), arn('topicfilter', '$aws/provisioning-templates/site1-cameras/provision/*')],
        },
      ],
    });
    expect(stack.resolve(template.claimPolicyName)).toEqual({ Ref: stack.getLogicalId(template.node.findChild('ClaimPolicy') as CfnPolicy) });
  });

  test('evaluated: the claim certificate can create its certificate and register with this template, and nothing else', async () => {
    const { stack, template } = provisioned({ templateName: 'site1-cameras' });
    const policy = resolvedPolicyDocument(stack, claimPolicy(stack, template));
    const rows: Array<[string, string, Decision]> = [
      ['iot:Connect', iotArn('client', '0017'), 'Allowed'],
      ['iot:Publish', iotArn('topic', '$aws/certificates/create/json'), 'Allowed'],
      ['iot:Publish', iotArn('topic', '$aws/certificates/create/cbor'), 'Allowed'],
      ['iot:Receive', iotArn('topic', '$aws/certificates/create/json/accepted'), 'Allowed'],
      ['iot:Subscribe', iotArn('topicfilter', '$aws/certificates/create/json/rejected'), 'Allowed'],
      ['iot:Publish', iotArn('topic', '$aws/provisioning-templates/site1-cameras/provision/json'), 'Allowed'],
      ['iot:Receive', iotArn('topic', '$aws/provisioning-templates/site1-cameras/provision/json/accepted'), 'Allowed'],
      ['iot:Subscribe', iotArn('topicfilter', '$aws/provisioning-templates/site1-cameras/provision/json/accepted'), 'Allowed'],
      // Another template, another call, other topics.
      ['iot:Publish', iotArn('topic', '$aws/provisioning-templates/site2-cameras/provision/json'), 'ImplicitlyDenied'],
      ['iot:Publish', iotArn('topic', '$aws/provisioning-templates/site1-cameras-2/provision/json'), 'ImplicitlyDenied'],
      ['iot:Publish', iotArn('topic', '$aws/certificates/create-from-csr/json'), 'ImplicitlyDenied'],
      ['iot:Publish', iotArn('topic', '$aws/things/cam-17/shadow/update'), 'ImplicitlyDenied'],
      ['iot:Publish', iotArn('topic', 'cameras/cam-17'), 'ImplicitlyDenied'],
      ['iot:Subscribe', iotArn('topicfilter', '#'), 'ImplicitlyDenied'],
      // Other accounts and regions.
      ['iot:Connect', iotArn('client', '0017', ACCOUNT, OTHER_REGION), 'ImplicitlyDenied'],
      ['iot:Publish', iotArn('topic', '$aws/certificates/create/json', OTHER_ACCOUNT), 'ImplicitlyDenied'],
      ['iot:Publish', iotArn('topic', '$aws/certificates/create/json', ACCOUNT, OTHER_REGION), 'ImplicitlyDenied'],
      // Nothing of a camera: its shadow and its things are out of reach.
      ['iot:UpdateThingShadow', iotArn('thing', '0017'), 'ImplicitlyDenied'],
    ];
    const decisions = [];
    for (const [action, arn] of rows) decisions.push([action, arn, await decide(policy, action, arn)]);
    expect(decisions).toEqual(rows);
  });

  test('two templates of one fleet: each claim certificate registers with its own template only', async () => {
    const { stack, fleet, template } = provisioned({ templateName: 'site1-cameras' });
    const other = fleet.addProvisioningTemplate('Doorbells', { templateName: 'site1-doorbells', thingNamePrefix: 'bell-' });
    const topic = (name: string) => iotArn('topic', `$aws/provisioning-templates/${name}/provision/json`);
    const first = resolvedPolicyDocument(stack, claimPolicy(stack, template));
    const second = resolvedPolicyDocument(stack, claimPolicy(stack, other));
    expect(await decide(first, 'iot:Publish', topic('site1-cameras'))).toBe('Allowed');
    expect(await decide(first, 'iot:Publish', topic('site1-doorbells'))).toBe('ImplicitlyDenied');
    expect(await decide(second, 'iot:Publish', topic('site1-doorbells'))).toBe('Allowed');
    expect(await decide(second, 'iot:Publish', topic('site1-cameras'))).toBe('ImplicitlyDenied');
    Template.fromStack(stack).resourceCountIs('AWS::IoT::ProvisioningTemplate', 2);
    expect(templateBody(stack, other).Resources.policy).toEqual(templateBody(stack, template).Resources.policy);
  });
});

describe('CameraProvisioningTemplate validation', () => {
  test.each([
    ['site1.cameras'],
    ['site1 cameras'],
    ['x'.repeat(37)],
    [''],
  ])('fails with templateName "%s"', (templateName) => {
    expect(() => provisioned({ templateName })).toThrow(`Invalid templateName "${templateName}": must be 1-36 characters of [0-9A-Za-z_-]`);
  });

  test('accepts every character of a template name and 36 of them', () => {
    expect(() => provisioned({ templateName: 'Site_1-cams' })).not.toThrow();
    expect(() => provisioned({ templateName: 'x'.repeat(36) })).not.toThrow();
  });

  test.each([
    ['site1.'],
    ['site1:'],
    ['site 1-'],
    ['x'.repeat(128)],
  ])('fails with thingNamePrefix "%s"', (thingNamePrefix) => {
    expect(() => provisioned({ thingNamePrefix })).toThrow(
      `Invalid thingNamePrefix "${thingNamePrefix}": must be at most 127 characters of [a-zA-Z0-9_-], so that every thing name it starts can name streams (no "." and no ":")`);
  });

  test('accepts a prefix of 127 characters', () => {
    expect(() => provisioned({ thingNamePrefix: 'x'.repeat(127) })).not.toThrow();
  });

  test('fails with a description over 500 characters', () => {
    expect(() => provisioned({ description: 'd'.repeat(501) })).toThrow('Invalid description "501 characters": must be at most 500 characters');
    expect(() => provisioned({ description: 'd'.repeat(500) })).not.toThrow();
  });

  test('skips a template name and a prefix that are tokens', () => {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: REGION } });
    const templateName = new CfnParameter(stack, 'TemplateName').valueAsString;
    const thingNamePrefix = new CfnParameter(stack, 'Prefix').valueAsString;
    new CameraFleetIdentity(stack, 'Cameras').addProvisioningTemplate('Provisioning', { templateName, thingNamePrefix });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::ProvisioningTemplate', {
      TemplateName: { Ref: 'TemplateName' },
      TemplateBody: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: 'Prefix' }])]) }),
    });
  });
});

describe('CameraProvisioningTemplate compliance', () => {
  test('cfn-lint passes on a fleet with a provisioning template and a hook', () => {
    const { app, stack, fleet } = provisioned({ templateName: 'site1-cameras', thingNamePrefix: 'site1-' });
    const hook = lambda.Function.fromFunctionArn(stack, 'CheckSerial', HOOK_ARN);
    fleet.addProvisioningTemplate('Hooked', { templateName: 'site1-hooked', preProvisioningHook: hook });
    expect(cfnLintErrors(app)).toBe('');
  });

  test('cdk-nag: the provisioning role\'s AWS managed policy is suppressed by name only', () => {
    const { app, stack, template } = provisioned();
    (template.provisioningRole as iam.Role).addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    Aspects.of(app).add(new AwsSolutionsChecks());
    const findings = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^AwsSolutions-'))
      .map((m) => `${m.id} ${/^(AwsSolutions-\w+(?:\[.*?\])?): /.exec(String(m.entry.data))![1]}`);
    expect(findings).toEqual([
      '/Site/Cameras/Provisioning/ProvisioningRole/Resource AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]',
    ]);
  });
});
