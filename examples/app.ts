/**
 * A realistic camera fleet: encrypted, tagged camera streams that notify an SNS topic and write thumbnails to S3, the
 * cameras' IoT identity, a WebRTC doorbell whose media is stored in a stream, producer and consumer roles from the grants,
 * an alarm from a metric helper, and a playback API that hands the viewer backend HLS/DASH URLs, clips and images.
 *
 * `npx projen synth:example` synthesizes it with the pinned CDK CLI and validates every template with cfn-lint.
 */
import { Annotations, App, Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  CameraFleetIdentity, EdgeConfiguration, HubDevice, ImageFormat, MediaType, MediaUriType, SignalingChannel, StorageTier, Stream, StreamPlaybackApi,
  StreamSettings,
} from '../src';

/** The cameras of one site: each streams H.264 video with AAC audio. */
const CAMERAS = ['entrance', 'loading-dock', 'parking'];

export class CameraFleetStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const videoKey = new kms.Key(this, 'VideoKey', {
      description: 'Encrypts the camera streams of the site',
      enableKeyRotation: true,
    });
    // The streams' key is never replaced (it rotates instead), so the warning that a key change cannot be applied is
    // acknowledged once for the whole stack.
    Annotations.of(this).acknowledgeWarning('cdk-kinesis-video:Stream.encryptionKeyIsImmutable', 'The site key rotates and is never replaced');
    const alerts = new sns.Topic(this, 'CameraEvents', { enforceSSL: true });
    const thumbnails = new s3.Bucket(this, 'Thumbnails', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(30) }],
    });

    // The cameras' identity: each camera is an AWS IoT thing named as its stream (site1-entrance, ...), and the IoT
    // credentials provider exchanges its certificate for credentials that reach only that stream.
    const cameras = new CameraFleetIdentity(this, 'Cameras', { roleAliasName: 'site1-cameras' });
    // The video analytics service reads live and archived media.
    const analytics = new iam.Role(this, 'AnalyticsRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads the camera streams for video analytics',
    });

    const siteCameras: Stream[] = [];
    for (const name of CAMERAS) {
      const stream = new Stream(this, `Camera-${name}`, {
        streamName: `site1-${name}`,
        dataRetention: Duration.days(7),
        mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
        deviceName: `cam-${name}`,
        encryptionKey: videoKey,
        storageTier: StorageTier.HOT,
      });
      Tags.of(stream).add('site', 'site1');
      Tags.of(stream).add('camera', name);

      siteCameras.push(stream);
      cameras.addStream(stream);
      stream.grantRead(analytics);
      stream.configureNotifications({ topic: alerts });
      stream.configureImageGeneration({
        bucket: thumbnails,
        keyPrefix: `site1/${name}`,
        samplingInterval: Duration.seconds(10),
        format: ImageFormat.JPEG,
        jpegQuality: 70,
        widthPixels: 640,
      });

      // A camera that stops sending for 5 minutes has lost its connection or its power.
      new cloudwatch.Alarm(this, `Camera-${name}-Silent`, {
        alarmDescription: `Camera ${name} sent no fragments for 5 minutes`,
        metric: stream.metricPutMediaIncomingFragments({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    // A WebRTC doorbell: its peers join a storage session, and the channel's media is recorded into a stream.
    const doorbellRecording = new Stream(this, 'DoorbellRecording', {
      streamName: 'site1-doorbell',
      dataRetention: Duration.days(30),
      mediaType: MediaType.of(MediaType.H264, MediaType.G711_MULAW),
    });
    const doorbell = new SignalingChannel(this, 'Doorbell', {
      channelName: 'site1-doorbell',
      messageTtl: Duration.seconds(60),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    doorbell.enableMediaStorage(doorbellRecording);
    const doorbellDevice = new iam.Role(this, 'DoorbellDeviceRole', {
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
      description: 'Assumed by the doorbell: WebRTC master with media storage',
    });
    doorbell.grantConnectAsMaster(doorbellDevice);
    doorbell.grantJoinStorageSession(doorbellDevice);
    const doorbellApp = new iam.Role(this, 'DoorbellAppRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Vends viewer credentials to the resident app',
    });
    doorbell.grantConnectAsViewer(doorbellApp);
    doorbellRecording.grantPlayback(doorbellApp);

    // An RTSP camera in the basement, where the uplink is shared: the site's hub device records it with the Kinesis
    // Video Streams Edge Agent and uploads at night. The configuration is retained if removed (the default), since
    // deleting it deletes the recordings on the device.
    const basement = new Stream(this, 'Camera-basement', {
      streamName: 'site1-basement',
      dataRetention: Duration.days(7),
      mediaType: MediaType.of(MediaType.H264),
      encryptionKey: videoKey,
    });
    const basementCamera = new secretsmanager.Secret(this, 'BasementCameraUri', {
      secretName: 'site1-basement-camera',
      description: 'rtsp:// URI of the basement camera, with its credentials (set after deployment)',
    });
    const basementEdge = new EdgeConfiguration(this, 'Camera-basement-Edge', {
      stream: basement,
      hubDevice: HubDevice.fromThingName('site1-hub'),
      mediaSource: { secret: basementCamera, uriType: MediaUriType.RTSP_URI },
      uploaderSchedule: { expression: '0 0 1 * * ?', duration: Duration.hours(1) },
      edgeRetention: Duration.days(3),
    });
    const edgeAgent = new iam.Role(this, 'EdgeAgentRole', {
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com'),
      description: 'The Greengrass token exchange role of the site hub, under which the Edge Agent runs',
    });
    basementEdge.grantEdgeAgent(edgeAgent);

    // The site's viewer backend gets session URLs, clips and images of the site cameras and of the doorbell's
    // recordings from one HTTPS API (IAM-authorized): routes of these streams only.
    const playback = new StreamPlaybackApi(this, 'Playback', { streams: [...siteCameras, doorbellRecording] });
    const viewerBackend = new iam.Role(this, 'ViewerBackendRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Serves the site viewer: calls the playback API for the cameras and the doorbell',
    });
    playback.grantInvoke(viewerBackend, { streams: [...siteCameras, doorbellRecording] });

    // The visitor gate's camera created its own stream when it first connected: the stack declares its retention,
    // media type and tags without owning it, and waits for the camera if it has not connected yet.
    const visitorGate = Stream.fromStreamName(this, 'Camera-visitor-gate', 'site1-visitor-gate');
    new StreamSettings(this, 'Camera-visitor-gate-Settings', {
      stream: visitorGate,
      dataRetention: Duration.days(7),
      mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
      tags: { site: 'site1', camera: 'visitor-gate' },
      waitForStream: Duration.minutes(30),
    });
    cameras.addStream(visitorGate);
  }
}

/** The example app, for `cdk synth` and for the tests. */
export function buildExampleApp(app = new App()): App {
  new CameraFleetStack(app, 'KvsCameraFleet', { description: 'cdk-kinesis-video example: a site camera fleet' });
  return app;
}

if (require.main === module) {
  buildExampleApp().synth();
}
