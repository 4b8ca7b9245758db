/**
 * Integration test for a real account: an Edge Agent configuration for a hub device that does not exist. The
 * deployment waits only until the service accepts the configuration (`EdgeSyncWait.ACCEPTED`); the configuration then
 * stays SYNCING until the service gives up on the device (SYNC_FAILED, after 15 minutes). The assertion reads it back.
 *
 * Clean-up: `DeleteEdgeConfiguration` would try to delete media on the absent device and may end in DELETE_FAILED, so
 * the configuration keeps the default removal policy (RETAIN) and goes with its stream, which the stack deletes.
 * docs/compliance.md ("What a run leaves behind") says what to do if a run leaves it behind.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EdgeConfiguration, EdgeSyncWait, HubDevice, MediaUriType, StrategyOnFullSize, Stream } from '../src';
import { leaveNothingBehind } from './support/integ';

/** Builds the test's app: the stack under test and the assertions. */
export function buildApp(app = new App()): App {
  const stack = new Stack(app, 'KvsIntegEdgeConfiguration');

  const stream = new Stream(stack, 'Lobby', { dataRetention: Duration.hours(1), removalPolicy: RemovalPolicy.DESTROY });
  // No device ever connects as this thing: the test covers the service's side only.
  const hub = new iot.CfnThing(stack, 'Hub');
  // A placeholder: the agent would read the camera's RTSP URI and credentials from it.
  const cameraUri = new secretsmanager.Secret(stack, 'CameraUri', { description: 'cdk-kinesis-video integ test placeholder' });

  const edge = new EdgeConfiguration(stack, 'LobbyEdge', {
    stream,
    hubDevice: HubDevice.fromCfnThing(hub),
    mediaSource: { secret: cameraUri, uriType: MediaUriType.RTSP_URI },
    recorderSchedule: { expression: '0 0 8 ? * MON-FRI', duration: Duration.hours(1) },
    uploaderSchedule: { expression: '0 30 * * * ?', duration: Duration.minutes(20) },
    edgeRetention: Duration.hours(24),
    maxLocalMediaSize: Size.mebibytes(1024),
    strategyOnFullSize: StrategyOnFullSize.DELETE_OLDEST_MEDIA,
    deleteAfterUpload: true,
    waitFor: EdgeSyncWait.ACCEPTED,
  });
  edge.grantEdgeAgent(new iam.Role(stack, 'EdgeAgentRole', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') }));

  const integ = new IntegTest(app, 'EdgeConfiguration', { testCases: [stack] });
  integ.assertions.awsApiCall('KinesisVideo', 'DescribeEdgeConfiguration', { StreamARN: stream.streamArn })
    .expect(ExpectedResult.objectLike({
      StreamARN: stream.streamArn,
      EdgeConfig: {
        HubDeviceArn: hub.attrArn,
        RecorderConfig: {
          MediaSourceConfig: { MediaUriSecretArn: cameraUri.secretArn, MediaUriType: 'RTSP_URI' },
          ScheduleConfig: { ScheduleExpression: '0 0 8 ? * MON-FRI', DurationInSeconds: 3600 },
        },
        UploaderConfig: { ScheduleConfig: { ScheduleExpression: '0 30 * * * ?', DurationInSeconds: 1200 } },
        DeletionConfig: {
          EdgeRetentionInHours: 24,
          LocalSizeConfig: { MaxLocalMediaSizeInMB: 1024, StrategyOnFullSize: 'DELETE_OLDEST_MEDIA' },
          DeleteAfterUpload: true,
        },
      },
    }));

  leaveNothingBehind(app);
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
