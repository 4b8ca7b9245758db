import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis-video';
import { EPOCH, Harness, rawRequest, rejection, startHarness } from './testing';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

let h: Harness;
let cfn: CloudFormationClient;
beforeEach(async () => {
  h = await startHarness();
  cfn = new CloudFormationClient({
    endpoint: h.server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, maxAttempts: 1,
  });
});
afterEach(async () => {
  cfn.destroy();
  await h.server.stop();
});

describe('DescribeStacks on the KVS port', () => {
  test('the real CloudFormation client reads a stack by id or by name', async () => {
    h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    for (const StackName of [STACK_ID, 'app']) {
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName }));
      expect(Stacks).toEqual([{ StackId: STACK_ID, StackName: 'app', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date(EPOCH) }]);
    }
    h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_COMPLETE');
    expect((await cfn.send(new DescribeStacksCommand({ StackName: 'app' }))).Stacks![0].StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(h.server.requests({ action: 'DescribeStacks' })[0].body).toEqual({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: STACK_ID });
  });

  test('a stack set by name gets a stack ARN, and DescribeStacks without a name lists every stack', async () => {
    h.server.setStackStatus('named', 'CREATE_COMPLETE');
    h.server.setStackStatus(STACK_ID, 'ROLLBACK_IN_PROGRESS');
    const { Stacks } = await h.server.cloudFormationClient().send(new DescribeStacksCommand({}));
    expect(Stacks!.map((s) => [s.StackName, s.StackStatus])).toEqual([['named', 'CREATE_COMPLETE'], ['app', 'ROLLBACK_IN_PROGRESS']]);
    expect(Stacks![0].StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/named\/[0-9a-f-]{36}$/);
  });

  test('fails an unknown stack with ValidationError "Stack with id X does not exist"', async () => {
    const err = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'missing' })));
    expect(err).toBeInstanceOf(CloudFormationServiceException);
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('Stack with id missing does not exist');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  test('fails statuses CloudFormation does not have', () => {
    expect(() => h.server.setStackStatus('app', 'ROLLING_BACK')).toThrow(/^Unknown CloudFormation stack status 'ROLLING_BACK'; expected one of CREATE_COMPLETE, /);
  });

  test('takes faults like any KVS action', async () => {
    h.server.setStackStatus('app', 'CREATE_COMPLETE');
    h.server.injectFault('DescribeStacks', { kind: 'throttle' });
    h.server.injectFault('DescribeStacks', { kind: 'error', errorType: 'AccessDenied', status: 403, message: 'no' });
    const throttled = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'app' })));
    expect([throttled.name, throttled.message, throttled.$metadata?.httpStatusCode]).toEqual(['Throttling', 'Rate exceeded', 400]);
    const denied = await rejection(cfn.send(new DescribeStacksCommand({ StackName: 'app' })));
    expect([denied.name, denied.message, denied.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 'no', 403]);
    expect((await cfn.send(new DescribeStacksCommand({ StackName: 'app' }))).Stacks).toHaveLength(1);
  });

  test('fails other CloudFormation actions with InvalidAction, and leaves KVS calls alone', async () => {
    const res = await rawRequest(h.server.endpoint, 'POST', '/', 'Action=CreateStack&Version=2010-05-15',
      { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^<ErrorResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
    expect(res.body).toContain('<Message>The action CreateStack is not valid for this web service.</Message>');
    expect((await h.kvs.send(new ListStreamsCommand({}))).StreamInfoList).toEqual([]);
  });
});
