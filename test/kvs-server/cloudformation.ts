import { randomUUID } from 'crypto';
import { StackStatus } from '@aws-sdk/client-cloudformation';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const STACK_STATUSES = new Set<string>(Object.values(StackStatus));

interface Stack {
  readonly stackId: string;
  readonly stackName: string;
  readonly creationTime: Date;
  status: string;
}

/** An awsQuery answer: status and XML body. */
export interface QueryResponse {
  readonly status: number;
  readonly body: string;
  readonly errorType?: string;
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' } as Record<string, string>)[c]};`);

/** The awsQuery error document the CloudFormation SDK client parses (`Code` becomes the exception name). */
export function queryError(status: number, code: string, message: string): QueryResponse {
  const body = `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>`
    + `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status, body, errorType: code };
}

/**
 * Just enough CloudFormation for a handler to ask whether its stack is rolling back: stacks with a status set by the
 * test, answered through `DescribeStacks` (awsQuery: form-encoded POST `/`, XML response).
 */
export class CloudFormationStacks {
  private readonly stacks = new Map<string, Stack>();

  constructor(
    private readonly partition: string,
    private readonly region: string,
    private readonly accountId: string,
    private readonly clock: () => number,
  ) {}

  /**
   * Sets a stack's status, creating the stack on first use. `stackId` may be a stack ARN
   * (`arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`) or a plain name, for which an id is made up.
   */
  public set(stackId: string, status: string) {
    if (!STACK_STATUSES.has(status)) throw new Error(`Unknown CloudFormation stack status '${status}'; expected one of ${[...STACK_STATUSES].join(', ')}`);
    const existing = this.find(stackId);
    if (existing) {
      existing.status = status;
      return;
    }
    const arnName = /^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\/.+$/.exec(stackId)?.[1];
    const stack: Stack = {
      stackId: arnName ? stackId : `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${stackId}/${randomUUID()}`,
      stackName: arnName ?? stackId,
      creationTime: new Date(this.clock()),
      status,
    };
    this.stacks.set(stack.stackId, stack);
  }

  public describeStacks(params: URLSearchParams): QueryResponse {
    const name = params.get('StackName');
    let stacks = [...this.stacks.values()];
    if (name !== null) {
      const stack = this.find(name);
      if (!stack) return queryError(400, 'ValidationError', `Stack with id ${name} does not exist`);
      stacks = [stack];
    }
    const members = stacks.map((s) => '<member>'
      + `<StackId>${escapeXml(s.stackId)}</StackId><StackName>${escapeXml(s.stackName)}</StackName>`
      + `<CreationTime>${s.creationTime.toISOString()}</CreationTime><StackStatus>${s.status}</StackStatus>`
      + '</member>').join('');
    const body = `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult>`
      + `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`;
    return { status: 200, body };
  }

  /**
   * The resource a DescribeStacks call is authorized on: the stack's ARN (for a name, the known stack's; for an unknown
   * name, its ARN with a `*` id), or `*` when the call names no stack.
   */
  public arnOf(nameOrId: string | null): string {
    if (nameOrId === null) return '*';
    if (nameOrId.startsWith('arn:')) return nameOrId;
    return this.find(nameOrId)?.stackId ?? `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${nameOrId}/*`;
  }

  private find(nameOrId: string): Stack | undefined {
    return this.stacks.get(nameOrId) ?? [...this.stacks.values()].find((s) => s.stackName === nameOrId);
  }
}
