import { Token } from 'aws-cdk-lib';
import { CfnBoolean } from './custom-resource-contract';

/*
 * How the constructs write numbers and booleans into custom resource properties: CloudFormation delivers every scalar
 * as a string, and lambda/parse.ts (`readInteger`, `readBoolean`) reads them back. Apart from the contract module,
 * because `Token` would pull aws-cdk-lib into the handler bundle, which imports the contract.
 */

/** A number as CloudFormation passes it to a custom resource: a string (a token, e.g. a parameter, stays a token). */
export function cfnNumber(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}

/** A boolean as CloudFormation passes it to a custom resource. */
export function cfnBoolean(value: boolean): CfnBoolean {
  return value ? 'true' : 'false';
}
