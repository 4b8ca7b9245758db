import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Notifications from a stream to an SNS topic (`UpdateNotificationConfiguration`), sent when images are generated or
 * fragments arrive with notification tags.
 *
 * The notifications are published with the credentials of whoever ingests media into the stream, so `grantWrite` on
 * the stream also grants `sns:Publish` on the topic. The service starts notifying about a minute after the
 * configuration is applied; a deployment does not wait for that.
 */
export interface NotificationOptions {
  /**
   * The topic that receives the notifications. It must be a standard topic: the service does not support FIFO topics.
   */
  readonly topic: sns.ITopic;

  /**
   * Whether notifications are enabled. A disabled configuration stays on the stream with status DISABLED.
   *
   * @default true
   */
  readonly enabled?: boolean;
}
