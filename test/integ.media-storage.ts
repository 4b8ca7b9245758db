/**
 * Integration test for a real account: a signaling channel whose media is stored in a stream (WebRTC ingestion), with
 * the storage-session grant. The assertion reads the channel's media storage configuration back.
 *
 * Run it as docs/compliance.md ("Running them") says; `test/integ-snapshots.test.ts` checks its committed snapshot offline.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SignalingChannel, Stream } from '../src';
import { leaveNothingBehind } from './support/integ';

/** Builds the test's app: the stack under test and the assertions. */
export function buildApp(app = new App()): App {
  const stack = new Stack(app, 'KvsIntegMediaStorage');

  const recording = new Stream(stack, 'Recording', { dataRetention: Duration.hours(1), removalPolicy: RemovalPolicy.DESTROY });
  const channel = new SignalingChannel(stack, 'Doorbell', { messageTtl: Duration.seconds(30), removalPolicy: RemovalPolicy.DESTROY });
  channel.enableMediaStorage(recording);
  const device = new iam.Role(stack, 'DeviceRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
  channel.grantConnectAsMaster(device);
  channel.grantJoinStorageSession(device);

  const integ = new IntegTest(app, 'MediaStorage', { testCases: [stack] });
  integ.assertions.awsApiCall('KinesisVideo', 'DescribeMediaStorageConfiguration', { ChannelARN: channel.channelArn })
    .expect(ExpectedResult.objectLike({
      MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: recording.streamArn },
    }));

  leaveNothingBehind(app);
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
