/**
 * A contact-center instance for a verified enterprise: the platform creates it (center name,
 * administrator, the agreement accepted), then the administrator's password is set and emailed
 * in one activity, which never returns it. The case then stays `active` as the instance's handle:
 * the enterprise or support may have the password re-issued at any time.
 *
 * creating (platform; an outage makes the case wait) -> issuing-password -> active
 * (`reissue-admin-password` -> issuing-password -> active ...)
 */
import type { ContactCenterInstanceInput } from '../contract/inputs';
import { adminPassword, platform } from './lib/activities';
import { openCase } from './lib/open-case';
import { runKey } from './lib/notify';
import type { ContactCenterInstanceResult } from '../domain/contact-center';

export async function contactCenterInstance(input: ContactCenterInstanceInput): Promise<ContactCenterInstanceResult> {
  const c = openCase('contact-center-instance', input, 'creating');
  const id = c.state.id;
  const ending = {
    kindLabel: '联络中心实例 / contact-center instance',
    to: () => input.contactEmail,
    companyName: () => input.companyName,
  };

  return c.run(ending, async () => {
    // A creation whose answer was lost still left an instance: found by its name and suspended.
    const withdraw = c.undo.add('withdraw the instance', () =>
      platform.platformWithdrawInstance.executeWithOptions({ summary: 'compensate: suspend the instance' }, [
        {
          enterpriseId: input.enterpriseId,
          centerName: input.centerName,
          reason: `case ${id} ended before the instance was handed over`,
          idempotencyKey: `${id}/withdraw`,
        },
      ]),
    );
    const instance = await platform.platformCreateInstance.executeWithOptions(
      { summary: `create contact center ${input.centerName}` },
      [
        {
          enterpriseId: input.enterpriseId,
          centerName: input.centerName,
          admin: input.admin,
          agreement: input.agreement,
          idempotencyKey: `${id}/create`,
        },
      ],
    );
    c.step('instance created', 'done', `${instance.instanceId} (agreement ${input.agreement.version})`);

    const issue = async (n: number) => {
      c.enter('issuing-password');
      const issued = await adminPassword.issueAdminPassword.executeWithOptions(
        {
          summary:
            n === 0
              ? `email the administrator's password to ${input.admin.email}`
              : `re-issue the administrator's password (${n})`,
        },
        [
          {
            caseId: id,
            instanceId: instance.instanceId,
            adminEmail: input.admin.email,
            reissue: n,
            dedupKey: runKey(`email/admin-password/${n}`),
          },
        ],
      );
      c.step(
        n === 0 ? 'administrator password emailed' : `administrator password re-issued (${n})`,
        'done',
        `to ${issued.adminEmail}`,
      );
    };
    await issue(0);
    // Handed over: a cancel from now on ends the case, not the instance the enterprise now uses.
    withdraw.retire();
    Object.assign(c.facts, { instanceId: instance.instanceId, inService: true });

    const result: ContactCenterInstanceResult = {
      instanceId: instance.instanceId,
      centerName: instance.centerName,
      admin: { name: input.admin.name, email: input.admin.email },
      defaults: instance.defaults,
      passwordsIssued: 1,
    };
    for (let n = 1; ; n++) {
      // The instance is in service: readers see it while the case waits for re-issues.
      c.state.result = result;
      await c.awaitAction('active', [
        { action: 'reissue-admin-password', role: 'enterprise' },
        { action: 'reissue-admin-password', role: 'support' },
      ]);
      await issue(n);
      result.passwordsIssued = n + 1;
    }
  });
}
