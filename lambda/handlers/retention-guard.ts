import { GuardedStream as GuardedStreamProperties, ResourceType, RetentionGuardProperties } from '../../src/private/custom-resource-contract';
import { ResourceHandler } from '../handler';
import { orUndefinedIfNotFound } from '../kvs-api';
import { propertiesOf, readInteger, readList, readObject, readString } from '../parse';
import { formatPhysicalId } from '../physical-id';
import { isRollingBack, ROLLING_BACK } from '../rollback';
import { RawProperties } from '../types';
import { done, Progress } from '../wait';

const KIND = 'RetentionGuard';

/**
 * A guard created in a stack with this status runs before any stream of the stack exists (they all depend on it), so
 * one DescribeStacks replaces a DescribeStream per stream: 170 per shard of a fleet, against a 300 TPS account quota
 * that every shard starting at once shares.
 */
const STACK_BEING_CREATED = 'CREATE_IN_PROGRESS';

interface GuardedStream {
  readonly name: string;
  readonly desiredHours: number;
}

interface Decrease extends GuardedStream {
  readonly liveHours: number;
}

/**
 * One per stack. Every guarded stream depends on it, so CloudFormation runs it before touching the streams: it fails
 * the deployment when a stream's data retention would drop below its live value (streams with
 * `allowRetentionDecrease` are not guarded), because a decrease deletes the older video at once. A Create in a stack
 * being created passes without reading a stream; otherwise (a guard added to an existing stack, and every Update)
 * each stream is read, and streams not found (being created, or replaced under a new name) pass. A decrease during
 * UPDATE_ROLLBACK_IN_PROGRESS passes: it restores what the failed update had raised, and failing there would leave the
 * stack UPDATE_ROLLBACK_FAILED. Delete does nothing.
 */
export class RetentionGuardHandler extends ResourceHandler {
  protected physicalResourceId(): string {
    return formatPhysicalId(KIND, [this.event.StackId]);
  }

  protected onCreate(): Promise<Progress> {
    return this.guard();
  }

  protected onUpdate(): Promise<Progress> {
    return this.guard();
  }

  protected async onDelete(): Promise<Progress> {
    return done();
  }

  /** `onEvent` decides, and fails when it refuses: nothing remains for `isComplete` to wait for. */
  protected async check(): Promise<Progress> {
    return done();
  }

  private async guard(): Promise<Progress> {
    const streams = parse(this.event.ResourceProperties);
    if (this.event.RequestType === 'Create' && (await this.cloudFormation.describeStackStatus(this.event.StackId)) === STACK_BEING_CREATED) {
      this.ctx.log(`The stack is ${STACK_BEING_CREATED}: none of its streams exists yet, so there is nothing to guard`);
      return done();
    }
    const decreases: Decrease[] = [];
    for (const stream of streams) {
      const live = await orUndefinedIfNotFound(this.api.describeStreamByName(stream.name));
      if (!live) {
        this.ctx.log(`Stream "${stream.name}" does not exist yet (new, or replaced under a new name): nothing to guard`);
        continue;
      }
      const liveHours = live.DataRetentionInHours ?? 0;
      if (stream.desiredHours < liveHours) decreases.push({ ...stream, liveHours });
    }
    if (decreases.length === 0) return done();
    if (await isRollingBack(this.cloudFormation, this.event.StackId)) {
      this.ctx.log(`Letting the rollback restore the previous data retention (stack is ${ROLLING_BACK})`, { decreases });
      return done();
    }
    throw new Error(decreases.map(refusal).join(' '));
  }
}

function refusal(d: Decrease): string {
  return `Refusing to lower the data retention of stream "${d.name}" from ${d.liveHours} to ${d.desiredHours} hours: `
    + `a decrease immediately deletes the video older than ${d.desiredHours} hours. `
    + `To accept that, set allowRetentionDecrease: true on the Stream "${d.name}".`;
}

function parse(properties: RawProperties): GuardedStream[] {
  const path = `${ResourceType.RETENTION_GUARD} Streams`;
  return readList(propertiesOf<RetentionGuardProperties>(properties).Streams, path).map((item, i) => {
    const s = readObject<GuardedStreamProperties>(item, `${path}[${i}]`);
    return {
      name: readString(s.StreamName, `${path}[${i}].StreamName`),
      desiredHours: readInteger(s.DataRetentionInHours, `${path}[${i}].DataRetentionInHours`),
    };
  });
}
