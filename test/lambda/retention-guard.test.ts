import { isComplete, onEvent } from '../../lambda';
import { captureConsole, events, exactly, Harness, inContext, runProvider, STACK_ID, uniqueName } from './support/harness';
import { ResourceType } from '../../src/private/custom-resource-contract';

const TYPE = ResourceType.RETENTION_GUARD;
const ENTRY_POINTS = { onEvent, isComplete };
const GUARD_ID = `RetentionGuard|${STACK_ID}`;
const PASSED = { IsComplete: true, Data: {} };

let h: Harness;
let restoreEnvironment: () => void;
let console_: ReturnType<typeof captureConsole>;
beforeAll(async () => {
  h = await Harness.start();
  restoreEnvironment = h.useEnvironment();
});
afterAll(async () => {
  restoreEnvironment();
  await h.stop();
});

let name: string;
beforeEach(async () => {
  name = uniqueName('cam');
  await h.createStream(name, 48);
  h.server.setStackStatus(STACK_ID, 'UPDATE_IN_PROGRESS');
  h.reset();
  console_ = captureConsole();
});
afterEach(() => console_.restore());

const guarded = (...streams: [string, string][]) => ({
  Streams: streams.map(([StreamName, DataRetentionInHours]) => ({ StreamName, DataRetentionInHours })),
});
const update = (properties: ReturnType<typeof guarded>) => events.update(TYPE, GUARD_ID, properties, guarded([name, '48']));
const refusal = (streamName: string, live: number, desired: number) =>
  `Refusing to lower the data retention of stream "${streamName}" from ${live} to ${desired} hours: `
  + `a decrease immediately deletes the video older than ${desired} hours. `
  + `To accept that, set allowRetentionDecrease: true on the Stream "${streamName}".`;

test('an increase passes, with one id per stack', async () => {
  const run = await runProvider(update(guarded([name, '72'])), ENTRY_POINTS);

  expect(run).toEqual({ physicalResourceId: GUARD_ID, polls: 1, result: PASSED });
  expect(h.calls()).toEqual(['DescribeStream']);
  expect(h.server.requests()[0].body).toEqual({ StreamName: name });
});

test('a no-op update passes', async () => {
  const run = await runProvider(update(guarded([name, '48'])), ENTRY_POINTS);

  expect(run).toEqual({ physicalResourceId: GUARD_ID, polls: 1, result: PASSED });
  expect(h.calls()).toEqual(['DescribeStream']);
});

test('fails a decrease before the stream is touched, saying what it deletes and how to allow it', async () => {
  await expect(onEvent(update(guarded([name, '24'])))).rejects.toThrow(refusal(name, 48, 24));

  expect(h.calls()).toEqual(['DescribeStream', 'DescribeStacks']);
  expect(h.server.requests({ action: 'DescribeStacks' })[0].body).toEqual({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: STACK_ID });
  expect(h.server.state().streams.find((s) => s.name === name)!.dataRetentionInHours).toBe(48);
});

test('fails a Create that would lower an existing stream, naming every stream it refuses', async () => {
  const other = uniqueName('cam');
  await h.createStream(other, 10);
  h.reset();

  await expect(onEvent(events.create(TYPE, guarded([name, '0'], [other, '12'], [other.replace('cam', 'new'), '1'])))).rejects.toThrow(
    exactly(refusal(name, 48, 0)));
  await expect(onEvent(events.create(TYPE, guarded([name, '0'], [other, '2'])))).rejects.toThrow(
    exactly(`${refusal(name, 48, 0)} ${refusal(other, 10, 2)}`));
  expect(h.calls()).toEqual([
    'DescribeStacks', 'DescribeStream', 'DescribeStream', 'DescribeStream:ResourceNotFoundException', 'DescribeStacks',
    'DescribeStacks', 'DescribeStream', 'DescribeStream', 'DescribeStacks',
  ]);
});

test('a stream that does not exist yet passes', async () => {
  const run = await runProvider(update(guarded([`${name}-v2`, '1'])), ENTRY_POINTS);

  expect(run.result).toEqual(PASSED);
  expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
  expect(console_.messages).toEqual([`Stream "${name}-v2" does not exist yet (new, or replaced under a new name): nothing to guard`]);
});

test('rollback passes: during UPDATE_ROLLBACK_IN_PROGRESS a decrease restores the old retention', async () => {
  h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');

  // Rollback of a failed update that raised 24 → 48: CloudFormation sends the old properties again.
  const run = await runProvider(events.update(TYPE, GUARD_ID, guarded([name, '24']), guarded([name, '48'])), ENTRY_POINTS);

  expect(run.result).toEqual(PASSED);
  expect(h.calls()).toEqual(['DescribeStream', 'DescribeStacks']);
  expect(console_.messages).toEqual(['Letting the rollback restore the previous data retention (stack is UPDATE_ROLLBACK_IN_PROGRESS)']);
});

test('a Create in a stack being created passes after one DescribeStacks: none of its streams exists yet', async () => {
  h.server.setStackStatus(STACK_ID, 'CREATE_IN_PROGRESS');

  const run = await runProvider(events.create(TYPE, guarded([`${name}-new`, '24'], [name, '1'])), ENTRY_POINTS);

  expect(run).toEqual({ physicalResourceId: GUARD_ID, polls: 1, result: PASSED });
  expect(h.calls()).toEqual(['DescribeStacks']);
  expect(console_.messages).toEqual(['The stack is CREATE_IN_PROGRESS: none of its streams exists yet, so there is nothing to guard']);
});

test('a Create in an existing stack (a guard added by an update) reads every stream', async () => {
  const run = await runProvider(events.create(TYPE, guarded([`${name}-new`, '24'], [name, '48'])), ENTRY_POINTS);

  expect(run).toEqual({ physicalResourceId: GUARD_ID, polls: 1, result: PASSED });
  expect(h.calls()).toEqual(['DescribeStacks', 'DescribeStream:ResourceNotFoundException', 'DescribeStream']);
});

test('delete does nothing', async () => {
  const run = await runProvider(events.delete(TYPE, GUARD_ID, guarded([name, '1'])), ENTRY_POINTS);

  expect(run).toEqual({ physicalResourceId: GUARD_ID, polls: 1, result: PASSED });
  expect(h.calls()).toEqual([]);
});

test('fails on a retention that does not parse', async () => {
  await expect(onEvent(events.create(TYPE, guarded([name, 'forever'])))).rejects.toThrow(
    'Invalid Custom::KinesisVideoRetentionGuard Streams[0].DataRetentionInHours: expected an integer of at least 0, received "forever"');
  expect(h.calls()).toEqual([]);
});

test('fails naming the permission when DescribeStacks is denied', async () => {
  h.server.injectFault('DescribeStacks', { kind: 'error', errorType: 'AccessDenied', status: 403, message: 'not authorized to perform: cloudformation:DescribeStacks' });

  await expect(onEvent(update(guarded([name, '24'])))).rejects.toThrow(
    `DescribeStacks failed for stack ${STACK_ID}: AccessDenied: not authorized to perform: cloudformation:DescribeStacks. `
    + `The handler's role needs cloudformation:DescribeStacks on ${STACK_ID}.`);
});

describe('retries', () => {
  test('retries throttled DescribeStream calls', async () => {
    h.server.injectFault('DescribeStream', { kind: 'throttle' }, { times: 2 });

    const run = await runProvider(update(guarded([name, '72'])), inContext(h.context()));

    expect(run.result).toEqual(PASSED);
    expect(h.calls()).toEqual(['DescribeStream:ClientLimitExceededException', 'DescribeStream:ClientLimitExceededException', 'DescribeStream']);
    expect(h.time.sleeps).toEqual([187.5, 375]);
  });

  test('the SDK retries CloudFormation\'s throttling, 5xx answers and dropped connections', async () => {
    h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    h.server.injectFault('DescribeStacks', { kind: 'throttle' });
    h.server.injectFault('DescribeStacks', { kind: 'http', status: 503 });
    h.server.injectFault('DescribeStream', { kind: 'drop' });

    const run = await runProvider(update(guarded([name, '24'])), ENTRY_POINTS);

    expect(run.result).toEqual(PASSED);
    expect(h.calls()).toEqual(['DescribeStream:dropped', 'DescribeStream', 'DescribeStacks:Throttling', 'DescribeStacks:503', 'DescribeStacks']);
  });
});
