import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../examples/app';
import { cfnLintErrors } from './support/cfn-lint';

describe('the example app', () => {
  test('its templates pass cfn-lint with no errors', () => {
    expect(cfnLintErrors(buildExampleApp())).toBe('');
  });

  test('declares the camera fleet: streams, channel, configurations, guard and one provider', () => {
    const stack = buildExampleApp().node.findChild('KvsCameraFleet') as any;
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KinesisVideo::Stream', 5);
    template.resourceCountIs('AWS::KinesisVideo::SignalingChannel', 1);
    template.resourceCountIs('Custom::KinesisVideoStreamConfiguration', 3);
    template.resourceCountIs('Custom::KinesisVideoMediaStorage', 1);
    template.resourceCountIs('Custom::KinesisVideoRetentionGuard', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
  });
});
