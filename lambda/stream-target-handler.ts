import { ResourceHandler } from './handler';
import { formatPhysicalId, parsePhysicalId } from './physical-id';
import { RawProperties } from './types';
import { done, Progress } from './wait';

/** Properties of a resource that configures one stream, named by its ARN. */
export interface StreamTarget {
  readonly streamArn: string;
}

/**
 * A resource that configures one stream: its physical id is `<kind>|<stream ARN>`, so only a change of stream replaces
 * it; an Update on the same stream knows what the resource set before; a Delete acts on the stream in its physical id,
 * never on one its properties name, and does nothing for an id it did not make (such as the framework's marker of a
 * failed Create).
 */
export abstract class StreamTargetHandler<P extends StreamTarget> extends ResourceHandler {
  /** The first part of the physical id. */
  protected abstract readonly kind: string;

  /** Reads the resource's properties; throws naming the property that does not parse. */
  protected abstract parse(raw: RawProperties): P;

  /** One step towards `desired`; `previous` is what this resource set on the same stream before (Update only). */
  protected abstract converge(desired: P, previous: P | undefined): Promise<Progress>;

  /** One step of removing from `streamArn` what `set` set, as far as the stream still holds it. */
  protected abstract removeFrom(streamArn: string, set: P): Promise<Progress>;

  protected physicalResourceId(): string {
    return formatPhysicalId(this.kind, [this.parse(this.event.ResourceProperties).streamArn]);
  }

  protected onCreate(): Promise<Progress> {
    return this.converge(this.parse(this.event.ResourceProperties), undefined);
  }

  protected onUpdate(): Promise<Progress> {
    const desired = this.parse(this.event.ResourceProperties);
    const previous = this.tryParse(this.event.OldResourceProperties, (raw) => this.parse(raw));
    // A new stream is a replacement: the Delete of the old id, which CloudFormation sends next, cleans the old stream up.
    return this.converge(desired, previous?.streamArn === desired.streamArn ? previous : undefined);
  }

  protected async onDelete(): Promise<Progress> {
    const [streamArn] = parsePhysicalId(this.currentPhysicalId(), this.kind, 1) ?? [];
    const set = this.tryParse(this.event.ResourceProperties, (raw) => this.parse(raw));
    if (!streamArn || !set) {
      this.ctx.log('Nothing to remove: the physical id or the properties are not ones this handler created', { physicalResourceId: this.event.PhysicalResourceId });
      return done();
    }
    return this.removeFrom(streamArn, set);
  }
}
