import * as iam from 'aws-cdk-lib/aws-iam';

/** Something a grantee needs in addition to a grant, for example `sns:Publish` on a stream's notification topic. */
export type GranteeRequirement = (grantee: iam.IGrantable) => void;

/**
 * Grantees of one kind of grant and the requirements that come with it, in either order: every requirement applies
 * to every grantee, whether the grant or the requirement came first. Configurations are often added after the grants
 * (the grant in one construct, the configuration in another), and a producer granted earlier must not miss them.
 */
export class GranteeRequirements {
  private readonly grantees: iam.IGrantable[] = [];
  private readonly requirements: GranteeRequirement[] = [];

  /** Records a grantee and applies every requirement known so far to it. */
  public addGrantee(grantee: iam.IGrantable): void {
    if (this.grantees.includes(grantee)) return;
    this.grantees.push(grantee);
    this.requirements.forEach((requirement) => requirement(grantee));
  }

  /** Records a requirement and applies it to every grantee known so far. */
  public addRequirement(requirement: GranteeRequirement): void {
    this.requirements.push(requirement);
    this.grantees.forEach((grantee) => requirement(grantee));
  }
}
