import { dependencyGraph, restrictGraph, reverseGraph, runGraph } from './graph';
import { CfnTemplate } from './template';

const template: CfnTemplate = {
  Parameters: { Env: { Type: 'String', Default: 'dev' } },
  Resources: {
    Key: { Type: 'AWS::KMS::Key' },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'Key' } } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${Env}-${AWS::Region}-bucket' } } },
    Stream: { Type: 'AWS::KinesisVideo::Stream', Properties: { KmsKeyId: { 'Fn::GetAtt': 'Key.Arn' } } },
    Config: {
      Type: 'Custom::Config',
      Properties: {
        Stream: { 'Fn::GetAtt': ['Stream', 'Arn'] },
        Uri: { 'Fn::Sub': ['s3://${B}/${Topic}/${Local}/${!Escaped}', { Local: 'x', B: { Ref: 'Bucket' } }] },
      },
      DependsOn: 'Role',
    },
    Role: { Type: 'AWS::IAM::Role', DependsOn: ['Key'] },
  },
};
const all = new Set(Object.keys(template.Resources));

describe('dependencyGraph', () => {
  test('follows Ref, Fn::GetAtt in both forms, names in Fn::Sub (not its variables or parameters) and DependsOn', () => {
    expect(Object.fromEntries([...dependencyGraph(template, all)].map(([id, deps]) => [id, [...deps].sort()]))).toEqual({
      Key: [],
      Topic: ['Key'],
      Bucket: [],
      Stream: ['Key'],
      Config: ['Bucket', 'Role', 'Stream', 'Topic'],
      Role: ['Key'],
    });
  });

  test('fails on a cycle', () => {
    const cyclic: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::SNS::Topic', Properties: { X: { Ref: 'B' } } },
        B: { Type: 'AWS::SNS::Topic', Properties: { X: { 'Fn::Sub': '${C.Arn}' } } },
        C: { Type: 'AWS::SNS::Topic', DependsOn: 'A' },
      },
    };
    expect(() => dependencyGraph(cyclic, new Set(['A', 'B', 'C']))).toThrow('Template format error: Circular dependency between resources: [A, B, C]');
  });

  test('fails on DependsOn a resource that does not exist', () => {
    expect(() => dependencyGraph({ Resources: { A: { Type: 'AWS::SNS::Topic', DependsOn: 'Ghost' } } }, new Set(['A'])))
      .toThrow('Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template');
  });

  test('fails on a reference to a resource whose Condition is false', () => {
    expect(() => dependencyGraph(template, new Set([...all].filter((id) => id !== 'Key'))))
      .toThrow('Template format error: Unresolved resource dependencies [Key] in the Resources block of the template');
  });
});

describe('restrictGraph and reverseGraph', () => {
  test('keep order that runs through left-out nodes, and reverse it for deletion', () => {
    const graph = dependencyGraph(template, all);
    const restricted = restrictGraph(graph, new Set(['Config', 'Key', 'Bucket']));
    expect(Object.fromEntries([...restricted].map(([id, deps]) => [id, [...deps].sort()]))).toEqual({ Config: ['Bucket', 'Key'], Key: [], Bucket: [] });
    expect(Object.fromEntries([...reverseGraph(restricted)].map(([id, deps]) => [id, [...deps].sort()]))).toEqual({ Config: [], Key: ['Config'], Bucket: ['Config'] });
  });
});

describe('runGraph', () => {
  /** Work that takes `ms` and records when each node started and ended. */
  function recorder(ms: number, fail: string[] = []) {
    const log: string[] = [];
    const work = async (node: string) => {
      log.push(`start ${node}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${node}`);
      return !fail.includes(node);
    };
    return { log, work };
  }

  test('runs independent nodes concurrently and a node only after everything it waits for', async () => {
    const { log, work } = recorder(20);
    const graph = new Map([['A', new Set<string>()], ['B', new Set<string>()], ['C', new Set(['A', 'B'])], ['D', new Set(['C'])]]);
    const outcome = await runGraph(graph, work, { stopOnFailure: true });
    expect(log).toEqual(['start A', 'start B', 'end A', 'end B', 'start C', 'end C', 'start D', 'end D']);
    expect([...outcome.succeeded]).toEqual(['A', 'B', 'C', 'D']);
  });

  test('stops starting work after a failure, and lets work in flight finish', async () => {
    const { log, work } = recorder(20, ['A']);
    const graph = new Map([['A', new Set<string>()], ['B', new Set<string>()], ['C', new Set(['B'])]]);
    const outcome = await runGraph(graph, work, { stopOnFailure: true });
    expect(log).toEqual(['start A', 'start B', 'end A', 'end B']);
    expect(outcome).toEqual({ succeeded: new Set(['B']), failed: new Set(['A']), skipped: new Set(['C']), inFlightAtFirstFailure: new Set(['B']) });
  });

  test('without stopOnFailure, carries on with work that does not wait for the failed node', async () => {
    const { log, work } = recorder(5, ['A']);
    const graph = new Map([['A', new Set<string>()], ['B', new Set(['A'])], ['C', new Set<string>()], ['D', new Set(['C'])]]);
    const outcome = await runGraph(graph, work, { stopOnFailure: false });
    expect(log).toEqual(['start A', 'start C', 'end A', 'end C', 'start D', 'end D']);
    expect(outcome.skipped).toEqual(new Set(['B']));
  });
});
