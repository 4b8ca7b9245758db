import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CREATE_FAILED_PHYSICAL_ID_MARKER, DeployHarness, OperationResult } from '.';
import { customEventLines, fixtureCalls, fixtureProvider, FixtureProviderProps, fixtureResource, TempDirs } from './fixtures/apps';

/** 1 s of service time is 10 ms here: the fixture provider's 5 s query interval is 50 ms. */
const TIME_SCALE = 0.01;

let dirs: TempDirs;
let harness: DeployHarness;
let state: string;

beforeEach(() => {
  dirs = new TempDirs();
  state = dirs.make('harness-state-');
  harness = new DeployHarness({ timeScale: TIME_SCALE });
});

afterEach(async () => {
  await harness.close();
  dirs.removeAll();
});

/** An assembly with the fixture provider and one `Custom::Fixture` per entry of `resources`. */
function app(resources: Record<string, Record<string, unknown>>, providerProps?: FixtureProviderProps, build?: (stack: Stack) => void): string {
  return dirs.synth((stack) => {
    const provider = fixtureProvider(stack, providerProps);
    for (const [id, props] of Object.entries(resources)) fixtureResource(stack, id, provider, { StateDir: state, ...props });
    build?.(stack);
  });
}

function frameworkArn(result: OperationResult): unknown {
  return result.resources.find((r) => r.logicalId.startsWith('FixtureProviderframeworkonEvent') && r.type === 'AWS::Lambda::Function')?.attributes.Arn;
}

function resource(result: OperationResult, logicalId: string) {
  return result.resources.find((r) => r.logicalId === logicalId);
}

describe('onEvent and isComplete', () => {
  test('isComplete is polled at the query interval until complete; properties arrive as strings; the RequestId is the default physical id', async () => {
    const result = await harness.deploy(app({ Thing: { Value: 'v1', Polls: 3, Count: 5, Enabled: true, Nested: { List: [1, false] } } }));

    expect(result.status).toBe('CREATE_COMPLETE');
    const calls = fixtureCalls(result.invocations);
    expect(calls.map((c) => c.handler)).toEqual(['index.onEvent', 'index.isComplete', 'index.isComplete', 'index.isComplete']);
    const create = calls[0].event;
    expect(create).toEqual({
      RequestType: 'Create',
      ServiceToken: frameworkArn(result),
      ResponseURL: expect.stringContaining('https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/'),
      StackId: result.stackId,
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      LogicalResourceId: 'Thing',
      ResourceType: 'Custom::Fixture',
      ResourceProperties: {
        ServiceToken: frameworkArn(result),
        StateDir: state,
        Value: 'v1',
        Polls: '3',
        Count: '5',
        Enabled: 'true',
        Nested: { List: ['1', 'false'] },
      },
    });
    for (const poll of calls.slice(1)) expect(poll.event).toEqual({ ...create, PhysicalResourceId: create.RequestId, Data: { Value: 'v1' } });

    const polls = result.invocations.filter((i) => i.handler === 'index.isComplete');
    for (let i = 1; i < polls.length; i++) expect(polls[i].startedAt - polls[i - 1].endedAt).toBeGreaterThanOrEqual(5 * 1000 * TIME_SCALE - 1);

    expect(resource(result, 'Thing')).toEqual({
      logicalId: 'Thing',
      type: 'Custom::Fixture',
      physicalId: create.RequestId,
      status: 'CREATE_COMPLETE',
      reason: undefined,
      attributes: { Value: 'v1', Polls: '3' },
    });
    expect(customEventLines(result.events)).toEqual([
      'HarnessFixture CREATE_IN_PROGRESS — User Initiated',
      'Thing CREATE_IN_PROGRESS',
      `Thing CREATE_COMPLETE [${create.RequestId}]`,
      'HarnessFixture CREATE_COMPLETE',
    ]);
  });

  test('fails after the waiter\'s retries with "Operation timed out", then rollback deletes the physical id onEvent answered', async () => {
    // 15 s / 5 s: three retries after the first call.
    const result = await harness.deploy(app({ Thing: { NeverCompleteOn: 'Create' } }, { totalTimeout: Duration.seconds(15) }));

    const calls = fixtureCalls(result.invocations);
    expect(calls.map((c) => `${c.handler} ${c.event.RequestType}`)).toEqual([
      'index.onEvent Create',
      'index.isComplete Create',
      'index.isComplete Create',
      'index.isComplete Create',
      'index.isComplete Create',
      'index.onEvent Delete',
      'index.isComplete Delete',
    ]);
    const requestId = calls[0].event.RequestId;
    expect(calls[5].event.PhysicalResourceId).toBe(requestId);
    expect(customEventLines(result.events)).toEqual([
      'HarnessFixture CREATE_IN_PROGRESS — User Initiated',
      'Thing CREATE_IN_PROGRESS',
      `Thing CREATE_FAILED [${requestId}] — Received response status [FAILED] from custom resource. Message returned: Operation timed out (RequestId: ${requestId})`,
      'HarnessFixture ROLLBACK_IN_PROGRESS — The following resource(s) failed to create: [Thing]. Rollback requested by user.',
      `Thing DELETE_IN_PROGRESS [${requestId}]`,
      `Thing DELETE_COMPLETE [${requestId}]`,
      'HarnessFixture ROLLBACK_COMPLETE',
    ]);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.resources).toEqual([]);
  });

  test('fails when isComplete answers Data before it is complete', async () => {
    const result = await harness.deploy(app({ Thing: { DataWhileWaitingOn: 'Create' } }));
    const requestId = fixtureCalls(result.invocations)[0].event.RequestId;
    expect(result.events.find((e) => e.status === 'CREATE_FAILED')?.reason)
      .toBe(`Received response status [FAILED] from custom resource. Message returned: "Data" is not allowed if "IsComplete" is "False" (RequestId: ${requestId})`);
  });

  test('fails when a user function runs past its Lambda timeout (scaled)', async () => {
    const result = await harness.deploy(app({ Thing: { SleepMs: 2000 } }, { timeout: Duration.seconds(30) }));
    const requestId = fixtureCalls(result.invocations)[0].event.RequestId;
    expect(result.invocations[0].result).toEqual({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 30.00 seconds', trace: [] } });
    expect(result.events.find((e) => e.status === 'CREATE_FAILED')?.reason)
      .toBe(`Received response status [FAILED] from custom resource. Message returned: Task timed out after 30.00 seconds (RequestId: ${requestId})`);
  });

  test('fails a response bigger than CloudFormation accepts', async () => {
    const result = await harness.deploy(app({ Thing: { Value: 'x'.repeat(4096) } }));
    const requestId = fixtureCalls(result.invocations)[0].event.RequestId;
    expect(result.events.find((e) => e.status === 'CREATE_FAILED')?.reason)
      .toBe(`Received response status [FAILED] from custom resource. Message returned: Response object is too long. (RequestId: ${requestId})`);
  });

  test('a failed Create answers the framework\'s marker id, and the rollback Delete never reaches the user\'s handler', async () => {
    const result = await harness.deploy(app({ Thing: { FailOn: 'Create', FailMessage: 'create exploded' } }));

    const calls = fixtureCalls(result.invocations);
    expect(calls.map((c) => `${c.handler} ${c.event.RequestType}`)).toEqual(['index.onEvent Create']);
    const requestId = calls[0].event.RequestId;
    expect(customEventLines(result.events)).toEqual([
      'HarnessFixture CREATE_IN_PROGRESS — User Initiated',
      'Thing CREATE_IN_PROGRESS',
      `Thing CREATE_FAILED [${CREATE_FAILED_PHYSICAL_ID_MARKER}] — Received response status [FAILED] from custom resource. Message returned: create exploded (RequestId: ${requestId})`,
      'HarnessFixture ROLLBACK_IN_PROGRESS — The following resource(s) failed to create: [Thing]. Rollback requested by user.',
      `Thing DELETE_IN_PROGRESS [${CREATE_FAILED_PHYSICAL_ID_MARKER}]`,
      `Thing DELETE_COMPLETE [${CREATE_FAILED_PHYSICAL_ID_MARKER}]`,
      'HarnessFixture ROLLBACK_COMPLETE',
    ]);
  });

  test('a stack in ROLLBACK_COMPLETE is deleted and created again by the next deploy, as the CDK CLI does', async () => {
    const failed = await harness.deploy(app({ Thing: { FailOn: 'Create' } }));
    const fixed = await harness.deploy(app({ Thing: { Value: 'ok' } }));
    expect(failed.status).toBe('ROLLBACK_COMPLETE');
    expect(fixed.status).toBe('CREATE_COMPLETE');
    expect(fixed.stackId).not.toBe(failed.stackId);
    expect(harness.events('HarnessFixture')!.map((e) => e.status)).toEqual(fixed.events.map((e) => e.status));
  });
});

describe('updates', () => {
  test('an Update answering a new physical id replaces the resource; the old id gets a Delete with its old properties in cleanup', async () => {
    // Thing depends on Gone, so that the cleanup deletes Thing's old id first.
    const first = await harness.deploy(app({ Gone: { PhysicalId: 'gone-1' }, Thing: { PhysicalId: 'thing-1', Value: 'a' } }, undefined,
      (stack) => chain(stack, ['Gone', 'Thing'])));
    const second = await harness.deploy(app({ Thing: { PhysicalId: 'thing-2', Value: 'b' } }));

    expect(first.status).toBe('CREATE_COMPLETE');
    expect(second.status).toBe('UPDATE_COMPLETE');
    expect(customEventLines(second.events)).toEqual([
      'HarnessFixture UPDATE_IN_PROGRESS — User Initiated',
      'Thing UPDATE_IN_PROGRESS [thing-1]',
      'Thing UPDATE_COMPLETE [thing-2]',
      'HarnessFixture UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'Thing DELETE_IN_PROGRESS [thing-1]',
      'Thing DELETE_COMPLETE [thing-1]',
      'Gone DELETE_IN_PROGRESS [gone-1]',
      'Gone DELETE_COMPLETE [gone-1]',
      'HarnessFixture UPDATE_COMPLETE',
    ]);
    const onEvents = fixtureCalls(second.invocations).filter((c) => c.handler === 'index.onEvent').map((c) => c.event);
    const token = frameworkArn(second);
    expect(onEvents.map((e) => [e.RequestType, e.LogicalResourceId, e.PhysicalResourceId, e.ResourceProperties, e.OldResourceProperties])).toEqual([
      ['Update', 'Thing', 'thing-1',
        { ServiceToken: token, StateDir: state, PhysicalId: 'thing-2', Value: 'b' },
        { ServiceToken: token, StateDir: state, PhysicalId: 'thing-1', Value: 'a' }],
      ['Delete', 'Thing', 'thing-1', { ServiceToken: token, StateDir: state, PhysicalId: 'thing-1', Value: 'a' }, undefined],
      ['Delete', 'Gone', 'gone-1', { ServiceToken: token, StateDir: state, PhysicalId: 'gone-1' }, undefined],
    ]);
    expect(resource(second, 'Thing')).toMatchObject({ physicalId: 'thing-2', status: 'UPDATE_COMPLETE', attributes: { Value: 'b', Polls: '1' } });
    expect(resource(second, 'Gone')).toBeUndefined();
  });

  test('deploying the same template again changes nothing', async () => {
    await harness.deploy(app({ Thing: { Value: 'a' } }));
    const again = await harness.deploy(app({ Thing: { Value: 'a' } }));
    expect(again).toMatchObject({ operation: 'NONE', status: 'CREATE_COMPLETE', events: [], invocations: [] });
  });

  test('fails on a changed ServiceToken, as CloudFormation does', async () => {
    await harness.deploy(app({ Thing: { Value: 'a' } }));
    const moved = await harness.deploy(dirs.synth((stack) => {
      fixtureProvider(stack);
      // A second provider serves the resource from now on.
      fixtureResource(stack, 'Thing', fixtureProvider(new Construct(stack, 'Second')), { StateDir: state, Value: 'a' });
    }));
    expect(moved.events.find((e) => e.logicalId === 'Thing' && e.status === 'UPDATE_FAILED')?.reason).toBe('Modifying service token is not allowed.');
    expect(moved.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  test('fails: rollback sends every updated resource, the failed one included, an Update back to its old properties, restores replaced ones and deletes created ones', async () => {
    // Order within each version: A, then R, (then C,) then B.
    await harness.deploy(app({
      A: { PhysicalId: 'a-1', Value: '1' },
      R: { PhysicalId: 'r-1', Value: '1' },
      B: { PhysicalId: 'b-1', Value: '1' },
    }, undefined, (stack) => chain(stack, ['A', 'R', 'B'])));
    const result = await harness.deploy(app({
      A: { PhysicalId: 'a-1', Value: '2' },
      R: { PhysicalId: 'r-2', Value: '2' },
      C: { PhysicalId: 'c-1', Value: '2' },
      B: { PhysicalId: 'b-1', Value: '2', FailOn: 'Update', FailMessage: 'update exploded' },
    }, undefined, (stack) => chain(stack, ['A', 'R', 'C', 'B'])));

    const onEvents = fixtureCalls(result.invocations).filter((c) => c.handler === 'index.onEvent').map((c) => c.event);
    const failedRequest = onEvents.find((e) => e.LogicalResourceId === 'B' && e.RequestType === 'Update')!.RequestId;
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(customEventLines(result.events)).toEqual([
      'HarnessFixture UPDATE_IN_PROGRESS — User Initiated',
      'A UPDATE_IN_PROGRESS [a-1]',
      'A UPDATE_COMPLETE [a-1]',
      'R UPDATE_IN_PROGRESS [r-1]',
      'R UPDATE_COMPLETE [r-2]',
      'C CREATE_IN_PROGRESS',
      'C CREATE_COMPLETE [c-1]',
      'B UPDATE_IN_PROGRESS [b-1]',
      `B UPDATE_FAILED [b-1] — Received response status [FAILED] from custom resource. Message returned: update exploded (RequestId: ${failedRequest})`,
      'HarnessFixture UPDATE_ROLLBACK_IN_PROGRESS — The following resource(s) failed to update: [B].',
      'A UPDATE_IN_PROGRESS [a-1]',
      'A UPDATE_COMPLETE [a-1]',
      'R UPDATE_IN_PROGRESS [r-2]',
      'R UPDATE_COMPLETE [r-1]',
      'B UPDATE_IN_PROGRESS [b-1]',
      'B UPDATE_COMPLETE [b-1]',
      'HarnessFixture UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'C DELETE_IN_PROGRESS [c-1]',
      'C DELETE_COMPLETE [c-1]',
      'R DELETE_IN_PROGRESS [r-2]',
      'R DELETE_COMPLETE [r-2]',
      'HarnessFixture UPDATE_ROLLBACK_COMPLETE',
    ]);
    // What the handler saw: the replaced resource R gets no rollback Update, its replacement r-2 a Delete.
    expect(onEvents.map((e) => `${e.RequestType} ${e.LogicalResourceId} ${e.PhysicalResourceId ?? '-'} ${e.ResourceProperties.Value}`
      + (e.OldResourceProperties ? ` (was ${e.OldResourceProperties.Value})` : ''))).toEqual([
      'Update A a-1 2 (was 1)',
      'Update R r-1 2 (was 1)',
      'Create C - 2',
      'Update B b-1 2 (was 1)',
      'Update A a-1 1 (was 2)',
      'Update B b-1 1 (was 2)',
      'Delete C c-1 2',
      'Delete R r-2 2',
    ]);
    expect(result.resources.filter((r) => r.type === 'Custom::Fixture').map((r) => [r.logicalId, r.physicalId, r.status, r.attributes.Value])).toEqual([
      ['A', 'a-1', 'UPDATE_COMPLETE', '1'],
      ['R', 'r-1', 'UPDATE_COMPLETE', '1'],
      ['B', 'b-1', 'UPDATE_COMPLETE', '1'],
    ]);
  });
});

describe('destroy', () => {
  test('deletes custom resources before the provider they need, and skips a retained one without calling it', async () => {
    await harness.deploy(app({ Kept: { PhysicalId: 'kept-1' }, Dropped: { PhysicalId: 'dropped-1' } }, undefined, (stack) => {
      (stack.node.findChild('Kept') as unknown as { applyRemovalPolicy(p: RemovalPolicy): void }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }));
    const result = await harness.destroy('HarnessFixture');

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(harness.status('HarnessFixture')).toBeUndefined();
    expect(fixtureCalls(result.invocations).map((c) => `${c.handler} ${c.event.RequestType} ${c.event.PhysicalResourceId}`))
      .toEqual(['index.onEvent Delete dropped-1', 'index.isComplete Delete dropped-1']);
    const seq = (prefix: string, type: string, status: string) =>
      result.events.find((e) => e.logicalId.startsWith(prefix) && e.resourceType === type && e.status === status)!.seq;
    const framework = (status: string) => seq('FixtureProviderframeworkonEvent', 'AWS::Lambda::Function', status);
    expect(seq('Kept', 'Custom::Fixture', 'DELETE_SKIPPED')).toBeLessThan(framework('DELETE_IN_PROGRESS'));
    expect(seq('Dropped', 'Custom::Fixture', 'DELETE_COMPLETE')).toBeLessThan(framework('DELETE_IN_PROGRESS'));
    // The user's function goes after the framework function whose environment refers to it.
    expect(framework('DELETE_COMPLETE')).toBeLessThan(seq('FixtureOnEvent', 'AWS::Lambda::Function', 'DELETE_IN_PROGRESS'));
    expect(result.events.at(-1)?.status).toBe('DELETE_COMPLETE');
  });

  test('fails: a resource that fails to delete keeps what it refers to, the rest is deleted, the stack ends DELETE_FAILED', async () => {
    const deployed = await harness.deploy(app({ Stuck: { PhysicalId: 'stuck-1', FailOn: 'Delete', FailMessage: 'in use' }, Free: { PhysicalId: 'free-1' } }));
    const result = await harness.destroy('HarnessFixture');

    const requestId = fixtureCalls(result.invocations).find((c) => c.event.LogicalResourceId === 'Stuck')!.event.RequestId;
    expect(customEventLines(result.events).filter((l) => l.startsWith('Stuck') || l.startsWith('HarnessFixture'))).toEqual([
      'HarnessFixture DELETE_IN_PROGRESS — User Initiated',
      'Stuck DELETE_IN_PROGRESS [stuck-1]',
      `Stuck DELETE_FAILED [stuck-1] — Received response status [FAILED] from custom resource. Message returned: in use (RequestId: ${requestId})`,
      'HarnessFixture DELETE_FAILED — The following resource(s) failed to delete: [Stuck]. ',
    ]);
    // Stuck refers to the framework function (its ServiceToken), which refers, directly or not, to all the provider.
    expect(result.resources.map((r) => r.logicalId)).toEqual(deployed.resources.map((r) => r.logicalId).filter((id) => id !== 'Free'));
    expect(result.events.filter((e) => e.logicalId === 'Free').map((e) => e.status)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    await expect(harness.deploy(app({ Free: {} }))).rejects.toThrow(`Stack:${result.stackId} is in DELETE_FAILED state and can not be updated.`);
  });

  test('fails on a stack that does not exist', async () => {
    await expect(harness.destroy('Nope')).rejects.toThrow('Stack with id Nope does not exist');
  });
});

/** Makes each fixture resource of `ids` depend on the previous one, so that their order is fixed. */
function chain(stack: Stack, ids: string[]): void {
  for (let i = 1; i < ids.length; i++) stack.node.findChild(ids[i]).node.addDependency(stack.node.findChild(ids[i - 1]));
}
