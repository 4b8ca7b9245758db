import { APIName, GetDataEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { isServiceAnswer } from './errors';

/**
 * Archived-media calls go to a per-stream data endpoint that `GetDataEndpoint` gives, and GetDataEndpoint has its own
 * quota (5 TPS per stream). So each (stream, API name) endpoint is asked once and kept for the life of the function's
 * container; a call that fails without an answer from the service (a connection refused, a 5xx) drops the endpoint,
 * asks again and retries once on the new one. A documented error answer (ResourceNotFoundException...) is the
 * stream's state, not the endpoint's, and keeps it.
 */
export class DataEndpoints {
  private readonly endpoints = new Map<string, Promise<string>>();
  private readonly clients = new Map<string, KinesisVideoArchivedMediaClient>();

  constructor(
    private readonly kvs: KinesisVideoClient,
    private readonly createClient: (endpoint: string) => KinesisVideoArchivedMediaClient,
  ) {}

  /** Runs `call` with a client of the stream's endpoint for `apiName`, refreshing the endpoint once on failure. */
  public async call<T>(streamName: string, apiName: APIName, call: (client: KinesisVideoArchivedMediaClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.client(await this.endpoint(streamName, apiName)));
    } catch (e) {
      if (isServiceAnswer(e)) throw e;
      this.endpoints.delete(key(streamName, apiName));
      return call(this.client(await this.endpoint(streamName, apiName)));
    }
  }

  /** Closes the clients' connections. */
  public destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private endpoint(streamName: string, apiName: APIName): Promise<string> {
    const id = key(streamName, apiName);
    let endpoint = this.endpoints.get(id);
    if (endpoint === undefined) {
      endpoint = this.kvs.send(new GetDataEndpointCommand({ StreamName: streamName, APIName: apiName })).then(({ DataEndpoint }) => {
        if (!DataEndpoint) throw new Error(`GetDataEndpoint answered no DataEndpoint for stream ${streamName} and ${apiName}`);
        return DataEndpoint;
      });
      this.endpoints.set(id, endpoint);
      // A failed GetDataEndpoint is not kept: the next request asks again.
      endpoint.catch(() => this.endpoints.get(id) === endpoint && this.endpoints.delete(id));
    }
    return endpoint;
  }

  private client(endpoint: string): KinesisVideoArchivedMediaClient {
    let client = this.clients.get(endpoint);
    if (client === undefined) {
      client = this.createClient(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }
}

function key(streamName: string, apiName: string): string {
  return `${streamName}\n${apiName}`;
}
