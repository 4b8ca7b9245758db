import { CfnResource, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnProvisioningTemplate } from 'aws-cdk-lib/aws-iot';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { CameraFleetIdentity } from './camera-fleet-identity';
import { addNagSuppressions } from './private/nag';
import { assertPattern, invalid } from './private/validation';

/** The service principal that assumes a provisioning role and invokes pre-provisioning hooks. */
const IOT_SERVICE = 'iot.amazonaws.com';

/** The AWS managed policy that the fleet provisioning docs attach to the provisioning role. */
const THINGS_REGISTRATION_POLICY = 'service-role/AWSIoTThingsRegistration';

/** `templateName` of `CreateProvisioningTemplate`. */
const TEMPLATE_NAME_PATTERN = /^[0-9A-Za-z_-]{1,36}$/;
const MAX_DESCRIPTION_LENGTH = 500;

/**
 * The characters of a thing name that a camera's streams and channel can be named after (see `addThing`): no `:`,
 * which stream names cannot hold, and no `.`, which separates a thing name from a stream suffix.
 */
const THING_NAME_PREFIX_PATTERN = /^[a-zA-Z0-9_-]{0,127}$/;

/** The only payload version of pre-provisioning hooks. */
const HOOK_PAYLOAD_VERSION = '2020-04-01';

/** The parameter that a device sends in `RegisterThing`, from which its thing is named. */
const SERIAL_NUMBER = 'SerialNumber';

/** cdk-nag's rendering of the managed policy on the provisioning role. */
const THINGS_REGISTRATION_FINDING = `Policy::arn:<AWS::Partition>:iam::aws:policy/${THINGS_REGISTRATION_POLICY}`;

/**
 * Options of a camera fleet's provisioning template.
 */
export interface CameraProvisioningTemplateOptions {
  /**
   * The name of the template, which devices use in their MQTT topics: 1-36 characters of `[0-9A-Za-z_-]`.
   * Changing it replaces the template and its claim policy, and devices must be given the new name.
   *
   * @default - a name unique in the app, derived from the construct path
   */
  readonly templateName?: string;

  /**
   * What comes before the serial number that a device sends in the name of its thing: the device with serial number
   * `0017` becomes the thing `<thingNamePrefix>0017`. At most 127 characters of `[a-zA-Z0-9_-]`: no `.`, which
   * separates a thing name from a stream suffix, and no `:`, which stream names cannot hold.
   *
   * @default '' (the thing is named as the serial number)
   */
  readonly thingNamePrefix?: string;

  /**
   * The template's description, at most 500 characters.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Whether devices may provision themselves with the template now.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * A Lambda function that AWS IoT calls before it provisions a device, with the parameters the device sent, and
   * that decides whether the device may register (`{ "allowProvisioning": true }`). Without one, any holder of the
   * claim certificate may register any serial number, including one already registered, and so take over that
   * camera's streams: check serial numbers against the list of your devices here.
   *
   * The construct allows `iot.amazonaws.com` to invoke it for this template only.
   *
   * @default - no hook: every request that the claim certificate signs is provisioned
   */
  readonly preProvisioningHook?: lambda.IFunction;

  /**
   * The role that AWS IoT assumes to create the things and certificates of provisioned devices.
   *
   * @default - a role that `iot.amazonaws.com` may assume for this account and region only, with the AWS managed
   * policy `AWSIoTThingsRegistration`
   */
  readonly provisioningRole?: iam.IRole;
}

/**
 * Properties of a camera fleet's provisioning template.
 */
export interface CameraProvisioningTemplateProps extends CameraProvisioningTemplateOptions {
  /** The fleet whose IoT policy the provisioned certificates get. */
  readonly fleet: CameraFleetIdentity;
}

/**
 * A fleet provisioning template (provisioning by claim) for the cameras of a `CameraFleetIdentity`: a device that
 * connects with the shared claim certificate asks AWS IoT for its own certificate (`CreateKeysAndCertificate`) and
 * registers itself (`RegisterThing` with its `SerialNumber`), which creates its thing, activates its certificate and
 * attaches the fleet's IoT policy to it. The device then gets its credentials from the credentials provider with
 * that certificate and thing name.
 *
 * It also creates the IoT policy to attach to the claim certificate (`claimPolicyName`), which allows only the MQTT
 * topics of these two calls.
 *
 * @resource AWS::IoT::ProvisioningTemplate
 */
export class CameraProvisioningTemplate extends Resource {
  /**
   * The name of the template.
   *
   * @attribute
   */
  public readonly templateName: string;

  /**
   * The ARN of the template.
   *
   * @attribute
   */
  public readonly templateArn: string;

  /**
   * The name of the AWS IoT policy to attach to the claim certificate.
   *
   * @attribute
   */
  public readonly claimPolicyName: string;

  /** The role that AWS IoT assumes to provision devices. */
  public readonly provisioningRole: iam.IRole;

  /** What comes before a device's serial number in its thing name. */
  public readonly thingNamePrefix: string;

  constructor(scope: Construct, id: string, props: CameraProvisioningTemplateProps) {
    super(scope, id, { physicalName: props.templateName });

    validateTemplateName(props.templateName);
    const thingNamePrefix = props.thingNamePrefix ?? '';
    validateThingNamePrefix(thingNamePrefix);
    validateDescription(props.description);

    const stack = Stack.of(this);
    const templateName = props.templateName ?? Names.uniqueResourceName(this, { maxLength: 36, separator: '-' });
    this.templateName = templateName;
    this.thingNamePrefix = thingNamePrefix;
    this.provisioningRole = props.provisioningRole ?? this.defaultProvisioningRole(stack);

    const template = new CfnProvisioningTemplate(this, 'Resource', {
      templateName,
      description: props.description,
      enabled: props.enabled ?? true,
      provisioningRoleArn: this.provisioningRole.roleArn,
      templateType: 'FLEET_PROVISIONING',
      templateBody: stack.toJsonString(templateBody(thingNamePrefix, props.fleet.iotPolicyName)),
      preProvisioningHook: props.preProvisioningHook
        ? { targetArn: props.preProvisioningHook.functionArn, payloadVersion: HOOK_PAYLOAD_VERSION }
        : undefined,
    });
    this.templateArn = template.attrTemplateArn;

    if (props.preProvisioningHook) {
      // A permission of its own rather than `addPermission`, which skips imported functions silently.
      new lambda.CfnPermission(this, 'HookPermission', {
        action: 'lambda:InvokeFunction',
        functionName: props.preProvisioningHook.functionArn,
        principal: IOT_SERVICE,
        sourceAccount: stack.account,
        sourceArn: stack.formatArn({ service: 'iot', resource: 'provisioningtemplate', resourceName: templateName }),
      });
    }

    const claimPolicy = new CfnPolicy(this, 'ClaimPolicy', { policyDocument: claimPolicyDocument(stack, templateName) });
    this.claimPolicyName = claimPolicy.ref;
  }

  private defaultProvisioningRole(stack: Stack): iam.IRole {
    const role = new iam.Role(this, 'ProvisioningRole', {
      // The AWS IoT docs' confused deputy prevention for roles that iot.amazonaws.com assumes.
      assumedBy: new iam.ServicePrincipal(IOT_SERVICE, {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'iot', resource: '*' }) },
        },
      }),
      description: 'Assumed by AWS IoT to register the things and certificates of cameras that provision themselves',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(THINGS_REGISTRATION_POLICY)],
    });
    addNagSuppressions(role.node.defaultChild as CfnResource, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWSIoTThingsRegistration is the policy that the AWS IoT fleet provisioning docs give the provisioning role: it holds the registry calls that RegisterThing makes, and only AWS IoT, for this account and region, may assume the role.',
      appliesTo: [THINGS_REGISTRATION_FINDING],
    }]);
    return role;
  }
}

/**
 * The template body, as the AWS IoT fleet provisioning docs define it: the device's thing, named from its serial
 * number, its new certificate made active, and the fleet's IoT policy attached to that certificate.
 */
function templateBody(thingNamePrefix: string, iotPolicyName: string): unknown {
  const serialNumber = { Ref: SERIAL_NUMBER };
  return {
    Parameters: {
      [SERIAL_NUMBER]: { Type: 'String' },
      'AWS::IoT::Certificate::Id': { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: thingNamePrefix === '' ? serialNumber : { 'Fn::Join': ['', [thingNamePrefix, serialNumber]] },
          AttributePayload: { serialNumber },
        },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
      },
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: { PolicyName: iotPolicyName },
      },
    },
  };
}

/**
 * The claim certificate's policy, the example policy of the AWS IoT docs ("Provisioning by claim") in the stack's
 * account and region: the topics of `CreateKeysAndCertificate` and of `RegisterThing` with this template, for publish
 * and receive (`topic/`) and for subscribe (`topicfilter/`), and connecting (`client/*`: the device has no thing
 * yet that a client ID could be checked against).
 */
function claimPolicyDocument(stack: Stack, templateName: string): unknown {
  const topics = ['$aws/certificates/create/*', `$aws/provisioning-templates/${templateName}/provision/*`];
  const arnsOf = (resource: string) => topics.map((topic) => stack.formatArn({ service: 'iot', resource, resourceName: topic }));
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: stack.formatArn({ service: 'iot', resource: 'client', resourceName: '*' }) },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: arnsOf('topic') },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arnsOf('topicfilter') },
    ],
  };
}

function validateTemplateName(value: string | undefined): void {
  if (value !== undefined) assertPattern('templateName', value, TEMPLATE_NAME_PATTERN, '1-36 characters of [0-9A-Za-z_-]');
}

function validateThingNamePrefix(value: string): void {
  assertPattern('thingNamePrefix', value, THING_NAME_PREFIX_PATTERN,
    'at most 127 characters of [a-zA-Z0-9_-], so that every thing name it starts can name streams (no "." and no ":")');
}

function validateDescription(value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid('description', `${value.length} characters`, `at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
}
