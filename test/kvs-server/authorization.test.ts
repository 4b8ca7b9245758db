import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateSignalingChannelCommand, CreateStreamCommand, DescribeStreamCommand, ListStreamsCommand, ListTagsForResourceCommand,
  UpdateMediaStorageConfigurationCommand,
} from '@aws-sdk/client-kinesis-video';
import { AuthorizationRequest, KvsTestServer } from '.';

let server: KvsTestServer;
let seen: AuthorizationRequest[];

beforeEach(async () => {
  seen = [];
  server = await KvsTestServer.start({
    authorizer: {
      authorize: async (request) => {
        seen.push(request);
        return request.action === 'kinesisvideo:ListStreams'
          ? { allowed: false, message: `User: someone is not authorized to perform: ${request.action} on resource: ${request.resource}` }
          : { allowed: true };
      },
    },
  });
});
afterEach(() => server.stop());

test('asks the authorizer about every call, with the signer\'s key, the IAM action and the ARN the call acts on', async () => {
  const kvs = server.client({ credentials: { accessKeyId: 'AKIDCAMERA', secretAccessKey: 's' } });
  const { StreamARN } = await kvs.send(new CreateStreamCommand({ StreamName: 'cam', DataRetentionInHours: 1 }));
  const { ChannelARN } = await kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'door' }));
  await kvs.send(new DescribeStreamCommand({ StreamName: 'cam' }));
  await kvs.send(new ListTagsForResourceCommand({ ResourceARN: ChannelARN }));
  await kvs.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN, MediaStorageConfiguration: { Status: 'DISABLED' } })).catch(() => undefined);
  await server.cloudFormationClient().send(new DescribeStacksCommand({ StackName: 'app' })).catch(() => undefined);

  expect(seen.map((r) => [r.accessKeyId, r.action, r.resource])).toEqual([
    ['AKIDCAMERA', 'kinesisvideo:CreateStream', 'arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/0000000000000'],
    ['AKIDCAMERA', 'kinesisvideo:CreateSignalingChannel', 'arn:aws:kinesisvideo:us-east-1:123456789012:channel/door/0000000000000'],
    ['AKIDCAMERA', 'kinesisvideo:DescribeStream', StreamARN],
    ['AKIDCAMERA', 'kinesisvideo:ListTagsForResource', ChannelARN],
    ['AKIDCAMERA', 'kinesisvideo:UpdateMediaStorageConfiguration', ChannelARN],
    ['AKIAKVSTESTSERVER000', 'cloudformation:DescribeStacks', 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/*'],
  ]);
});

test('fails a denied call with AccessDeniedException (HTTP 401, as the model declares it) and the authorizer\'s message', async () => {
  const error = await server.client().send(new ListStreamsCommand({})).catch((e) => e);
  expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual([
    'AccessDeniedException', 'User: someone is not authorized to perform: kinesisvideo:ListStreams on resource: *', 401,
  ]);
  expect(seen.map((r) => r.resource)).toEqual(['*']);
});
