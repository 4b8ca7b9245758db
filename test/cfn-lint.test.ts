import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { buildAllConstructs, SCENARIOS } from './support/all-constructs';
import { cfnLintErrors } from './support/cfn-lint';

describe('cfn-lint', () => {
  test('every template of the stacks that use every construct and option passes with no errors', () => {
    const app = new App();
    const stacks = buildAllConstructs(app);
    expect(stacks.map((stack) => stack.stackName)).toEqual(SCENARIOS.map((scenario) => scenario.id));
    expect(cfnLintErrors(app)).toBe('');
  });

  test('fails on a template with an error in any stack of the app, so that the check above can fail', () => {
    const app = new App();
    const stack = new Stack(app, 'Broken');
    new CfnResource(stack, 'Stream', { type: 'AWS::KinesisVideo::Stream', properties: { DataRetentionInHours: 'a day' } });
    // A valid stack after the broken one: every template is linted, not only the last.
    new CfnResource(new Stack(app, 'Valid'), 'Stream', { type: 'AWS::KinesisVideo::Stream', properties: { DataRetentionInHours: 24 } });
    expect(cfnLintErrors(app)).toMatch(/\/Broken\.template\.json:\d+:\d+:\d+:\d+:E3012:'a day' is not of type 'integer'$/);
  });
});
