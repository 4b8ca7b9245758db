import {
  assertSupportedIntrinsics,
  CfnTemplate,
  evaluateConditions,
  evaluateRules,
  NO_VALUE,
  ResolveContext,
  resolveParameters,
  resolveValue,
  TemplateError,
  ValidationError,
} from './template';

const PSEUDO = {
  region: 'eu-west-1',
  accountId: '111122223333',
  partition: 'aws-cn',
  urlSuffix: 'amazonaws.com.cn',
  stackName: 'Cams',
  stackId: 'arn:aws-cn:cloudformation:eu-west-1:111122223333:stack/Cams/1234',
};

/** Resources: Topic (Ref = ARN) and Bucket (Ref = name, GetAtt Arn and a dotted attribute). */
function context(overrides: Partial<ResolveContext> = {}): ResolveContext {
  const refs: Record<string, string> = { Topic: 'arn:topic', Bucket: 'my-bucket' };
  const atts: Record<string, unknown> = { 'Bucket.Arn': 'arn:bucket', 'Bucket.Endpoint.Address': 'host.example', 'Bucket.List': ['a', 'b'] };
  return {
    pseudo: PSEUDO,
    parameters: { Env: 'prod', Zones: ['z1', 'z2'] },
    conditions: { IsProd: true, IsDev: false },
    mappings: { Regions: { 'eu-west-1': { Ami: 'ami-123' } } },
    ref: (id) => {
      if (!(id in refs)) throw new TemplateError(`no resource ${id}`);
      return refs[id];
    },
    getAtt: (id, attr) => {
      if (!(`${id}.${attr}` in atts)) throw new TemplateError(`no attribute ${id}.${attr}`);
      return atts[`${id}.${attr}`];
    },
    ...overrides,
  };
}

const resolve = (value: unknown) => resolveValue(value, context(), 'P');

describe('Ref', () => {
  test('resolves every pseudo parameter', () => {
    expect(resolve({
      r: { Ref: 'AWS::Region' },
      a: { Ref: 'AWS::AccountId' },
      p: { Ref: 'AWS::Partition' },
      u: { Ref: 'AWS::URLSuffix' },
      n: { Ref: 'AWS::StackName' },
      i: { Ref: 'AWS::StackId' },
      x: { Ref: 'AWS::NotificationARNs' },
    })).toEqual({
      r: 'eu-west-1',
      a: '111122223333',
      p: 'aws-cn',
      u: 'amazonaws.com.cn',
      n: 'Cams',
      i: 'arn:aws-cn:cloudformation:eu-west-1:111122223333:stack/Cams/1234',
      x: [],
    });
  });

  test('resolves parameters and resources', () => {
    expect(resolve([{ Ref: 'Env' }, { Ref: 'Zones' }, { Ref: 'Topic' }])).toEqual(['prod', ['z1', 'z2'], 'arn:topic']);
  });

  test('AWS::NoValue removes the property and the list item', () => {
    expect(resolve({ Keep: 1, Drop: { Ref: 'AWS::NoValue' }, List: ['a', { Ref: 'AWS::NoValue' }, 'b'] })).toEqual({ Keep: 1, List: ['a', 'b'] });
    expect(resolve({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
  });

  test('fails on an unknown pseudo parameter', () => {
    expect(() => resolve({ Ref: 'AWS::Whatever' })).toThrow('Unsupported pseudo parameter AWS::Whatever at P.Ref');
  });

  test('fails when the resource has no value', () => {
    expect(() => resolve({ Ref: 'Missing' })).toThrow('no resource Missing');
  });
});

describe('Fn::GetAtt', () => {
  test('takes a list or a dotted string, and attributes with dots', () => {
    expect(resolve([
      { 'Fn::GetAtt': ['Bucket', 'Arn'] },
      { 'Fn::GetAtt': 'Bucket.Arn' },
      { 'Fn::GetAtt': 'Bucket.Endpoint.Address' },
    ])).toEqual(['arn:bucket', 'arn:bucket', 'host.example']);
  });

  test('fails on a malformed string', () => {
    expect(() => resolve({ 'Fn::GetAtt': 'Bucket' })).toThrow('Template error: Fn::GetAtt at P.Fn::GetAtt must be "LogicalId.Attribute", got "Bucket"');
  });
});

describe('Fn::Join', () => {
  test('joins resolved items, including a list that is itself resolved', () => {
    expect(resolve({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 's3', '', '', { Ref: 'Bucket' }]] })).toBe('arn:aws-cn:s3:::my-bucket');
    expect(resolve({ 'Fn::Join': ['-', { Ref: 'Zones' }] })).toBe('z1-z2');
    expect(resolve({ 'Fn::Join': [',', [1, true]] })).toBe('1,true');
  });

  test('fails when an item is not a string', () => {
    expect(() => resolve({ 'Fn::Join': ['', [{ Ref: 'Zones' }]] })).toThrow('Template error: P.Fn::Join.1.0 must resolve to a string, got ["z1","z2"]');
  });

  test('fails on the wrong number of arguments', () => {
    expect(() => resolve({ 'Fn::Join': ['', ['a'], 'b'] })).toThrow('Template error: Fn::Join at P.Fn::Join takes a list of 2 arguments, got ["",["a"],"b"]');
  });
});

describe('Fn::Sub', () => {
  test('substitutes pseudo parameters, parameters, resources, attributes, variables and escapes', () => {
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Env}/${Bucket}/${Bucket.Arn}/${!Literal}' }))
      .toBe('arn:aws-cn:sns:eu-west-1:111122223333:prod/my-bucket/arn:bucket/${Literal}');
    expect(resolve({ 'Fn::Sub': ['${Name}-${AWS::StackName}', { Name: { Ref: 'Topic' } }] })).toBe('arn:topic-Cams');
  });

  test('variables take precedence over resources of the same name', () => {
    expect(resolve({ 'Fn::Sub': ['${Bucket}', { Bucket: 'override' }] })).toBe('override');
  });

  test('fails on an unknown name', () => {
    expect(() => resolve({ 'Fn::Sub': '${Nope}' })).toThrow('no resource Nope');
  });
});

describe('Fn::Select and Fn::Split', () => {
  test('select an item, by number or numeric string, from a literal or split list', () => {
    expect(resolve({ 'Fn::Select': [1, ['a', 'b', 'c']] })).toBe('b');
    expect(resolve({ 'Fn::Select': ['0', { Ref: 'Zones' }] })).toBe('z1');
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Bucket', 'Arn'] }] }] })).toBe('bucket');
    expect(resolve({ 'Fn::Split': ['/', 'a/b//c'] })).toEqual(['a', 'b', '', 'c']);
  });

  test('fails on an index out of range', () => {
    expect(() => resolve({ 'Fn::Select': [3, ['a', 'b']] })).toThrow('Template error: Fn::Select at P.Fn::Select cannot select index 3 of a list of 2');
  });
});

describe('conditions', () => {
  test('Fn::If picks a branch by condition, and AWS::NoValue drops it', () => {
    expect(resolve({ A: { 'Fn::If': ['IsProd', 'big', 'small'] }, B: { 'Fn::If': ['IsDev', 'x', { Ref: 'AWS::NoValue' }] } })).toEqual({ A: 'big' });
  });

  test('fails on an unknown condition', () => {
    expect(() => resolve({ 'Fn::If': ['Nope', 1, 2] })).toThrow('Template format error: Unresolved condition dependency Nope in Fn::If or Condition');
  });

  test('evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition in dependency order', () => {
    const template: CfnTemplate = {
      Resources: {},
      Conditions: {
        Both: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'InEu' }] },
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        InEu: { 'Fn::Equals': [{ 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Ami'] }, 'ami-123'] },
        NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        Either: { 'Fn::Or': [{ Condition: 'NotProd' }, { 'Fn::Equals': ['1', 1] }] },
      },
    };
    const { conditions: _unused, ...ctx } = context();
    expect(evaluateConditions({ ...template, Mappings: ctx.mappings }, ctx))
      .toEqual({ Both: true, IsProd: true, InEu: true, NotProd: false, Either: true });
  });

  test('fails on a cycle between conditions', () => {
    const { conditions: _unused, ...ctx } = context();
    expect(() => evaluateConditions({ Resources: {}, Conditions: { A: { Condition: 'B' }, B: { 'Fn::Not': [{ Condition: 'A' }] } } }, ctx))
      .toThrow('Template format error: Circular dependency between conditions: A, B, A');
  });
});

describe('Fn::FindInMap', () => {
  test('reads the mapping', () => {
    expect(resolve({ 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Ami'] })).toBe('ami-123');
  });

  test('fails on a missing key', () => {
    expect(() => resolve({ 'Fn::FindInMap': ['Regions', 'us-east-1', 'Ami'] })).toThrow('Template error: Unable to get mapping for Regions::us-east-1::Ami at P.Fn::FindInMap');
  });
});

describe('unsupported functions fail loudly', () => {
  test.each(['Fn::ImportValue', 'Fn::Base64', 'Fn::GetAZs', 'Fn::Cidr', 'Fn::Length', 'Fn::ToJsonString', 'Fn::Transform'])('fails on %s', (fn) => {
    expect(() => resolve({ Nested: [{ [fn]: 'x' }] })).toThrow(
      `Unsupported intrinsic function ${fn} at P.Nested.0: the harness resolves only Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition, Fn::Contains`);
  });

  test('fails on a condition function inside resource properties', () => {
    expect(() => resolve({ 'Fn::Equals': ['a', 'a'] })).toThrow(
      'Template format error: Fn::Equals at P is not allowed in this section (allowed: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap)');
  });

  test('fails on an Fn:: key beside other keys', () => {
    expect(() => resolve({ 'Fn::Join': ['', []], 'Other': 1 })).toThrow('Template format error: Fn::Join at P must be the only key of its object');
  });

  test('the whole template is checked before deployment', () => {
    const template: CfnTemplate = {
      Resources: {
        Ok: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${AWS::StackName}' } } },
        Bad: { Type: 'AWS::SNS::Topic', Properties: { Tags: [{ Key: 'k', Value: { 'Fn::ImportValue': 'Shared' } }] } },
      },
    };
    expect(() => assertSupportedIntrinsics(template)).toThrow('Unsupported intrinsic function Fn::ImportValue at Resources.Bad.Properties.Tags.0.Value');
  });
});

describe('parameters', () => {
  const template: CfnTemplate = {
    Resources: {},
    Parameters: {
      BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
      Size: { Type: 'Number', Default: 3 },
      Names: { Type: 'CommaDelimitedList', Default: 'a, b' },
      Env: { Type: 'String', AllowedValues: ['dev', 'prod'] },
    },
  };

  test('resolves given values, defaults, lists and SSM parameters', () => {
    expect(resolveParameters(template, { Env: 'dev' }, { '/cdk-bootstrap/hnb659fds/version': '30' }))
      .toEqual({ BootstrapVersion: '30', Size: '3', Names: ['a', 'b'], Env: 'dev' });
  });

  test('fails on a missing value', () => {
    expect(() => resolveParameters(template, {}, {})).toThrow(new ValidationError('Parameters: [Env] must have values'));
  });

  test('fails on a value outside AllowedValues', () => {
    expect(() => resolveParameters(template, { Env: 'test' }, { '/cdk-bootstrap/hnb659fds/version': '30' })).toThrow("Parameter 'Env' must be one of AllowedValues");
  });

  test('fails on an SSM parameter that does not exist', () => {
    expect(() => resolveParameters(template, { Env: 'dev' }, {}))
      .toThrow('Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store for this account.');
  });

  test('fails on an undeclared parameter', () => {
    expect(() => resolveParameters(template, { Env: 'dev', Extra: '1' }, {})).toThrow('Parameters: [Extra] do not exist in the template');
  });

  test('fails on a type the harness does not emulate', () => {
    expect(() => resolveParameters({ Resources: {}, Parameters: { Vpc: { Type: 'AWS::EC2::VPC::Id', Default: 'vpc-1' } } }, {}, {}))
      .toThrow('Parameter Vpc has type AWS::EC2::VPC::Id, which the harness does not emulate');
  });
});

describe('Rules', () => {
  /** The rule every default CDK synthesizer adds. */
  const cdkTemplate: CfnTemplate = {
    Resources: {},
    Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
    Rules: {
      CheckBootstrapVersion: {
        Assertions: [{
          Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }] },
          AssertDescription: "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
        }],
      },
    },
  };
  const ctx = (version: string) => {
    const { conditions: _unused, ...rest } = context({ parameters: resolveParameters(cdkTemplate, {}, { '/cdk-bootstrap/hnb659fds/version': version }) });
    return rest;
  };

  test('passes when the assertion holds', () => {
    expect(() => evaluateRules(cdkTemplate, ctx('30'))).not.toThrow();
  });

  test('fails the deployment with the assertion description when it does not', () => {
    expect(() => evaluateRules(cdkTemplate, ctx('5'))).toThrow(
      new ValidationError("CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."));
  });

  test('skips a rule whose RuleCondition is false', () => {
    const template: CfnTemplate = {
      Resources: {},
      Rules: { OnlyProd: { RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, Assertions: [{ Assert: { 'Fn::Equals': ['a', 'b'] } }] } },
    };
    const { conditions: _unused, ...rest } = context();
    expect(() => evaluateRules(template, rest)).not.toThrow();
    expect(() => evaluateRules(template, { ...rest, parameters: { Env: 'dev' } })).toThrow('Template assertion 0 of rule OnlyProd failed');
  });

  test('fails on a resource reference inside a rule', () => {
    const template: CfnTemplate = { Resources: {}, Rules: { R: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'Topic' }, 'x'] } }] } } };
    const { conditions: _unused, ...rest } = context();
    expect(() => evaluateRules(template, rest))
      .toThrow('Template format error: Ref at Rules.R.Assertions.0.Assert.Fn::Equals.0.Ref can only refer to parameters and pseudo parameters here, not Topic');
  });
});
