/**
 * Registration-mode accounts. The password is made inside the gateway, handed once to the
 * enterprise contact by email (with a ready FreeSWITCH gateway file), and never returned: the
 * workflow learns only the username and realm. The email ledger remembers which account each
 * delivery was for, so a retried activity does not rotate a password the customer already has.
 */
import {
  freeswitchGatewayPath,
  freeswitchGatewayXml,
  freeswitchOriginate,
  type FirstTestCall,
} from '../domain/freeswitch';
import type { EmailActivities } from './email';
import { sbcOf, type ChangeState, type SipGateway } from './sip-gateway';
import type { EmailLedger } from '../storage/email-ledger';

export interface SipAccountDeps {
  gateway: SipGateway;
  sendEmail: EmailActivities['sendEmail'];
  ledger: EmailLedger;
  /** host:port customers register to. */
  registrar: string;
}

export interface IssuedAccount {
  username: string;
  realm: string;
  state: ChangeState | 'delivered-earlier';
}

export function createSipAccountActivities(deps: SipAccountDeps) {
  return {
    /**
     * Creates the case's account (rotation 0) or gives it a new password (rotation n), and emails
     * the password to the contact. Returns no secret.
     */
    async issueSipCredentials(input: {
      caseId: string;
      companyName: string;
      instanceId: string;
      /** The case's enterprise and numbers (E.164), which the account may dial (absent in older cases). */
      enterpriseId?: string;
      numbers?: string[];
      to: string;
      transport: 'tcp' | 'udp';
      vendor: 'freeswitch' | 'generic';
      rotation: number;
      /** The account to rotate (rotation > 0). */
      account?: { username: string; realm: string };
      /** The first test call the gateway file's `originate` places (absent in older cases). */
      firstTestCall?: FirstTestCall;
      dedupKey: string;
    }): Promise<IssuedAccount> {
      // One issuance at a time per email, on every worker: a second attempt (a retry after a
      // timeout) waits, then finds the delivery instead of rotating the password it carried.
      return deps.ledger.exclusive(input.dedupKey, async () => {
        const delivered = await deps.ledger.find(input.dedupKey);
        if (delivered?.meta?.username && delivered.meta.realm) {
          return { username: delivered.meta.username, realm: delivered.meta.realm, state: 'delivered-earlier' };
        }
        const sbc = sbcOf(deps.gateway);
        const account =
          input.rotation === 0 || !input.account
            ? await sbc.createAccount({
                instanceId: input.instanceId,
                reference: input.caseId,
                ...(input.enterpriseId ? { enterpriseId: input.enterpriseId } : {}),
                ...(input.numbers ? { numbers: input.numbers } : {}),
              })
            : await sbc.rotateAccount(input.account);
        await deps.sendEmail({
          dedupKey: input.dedupKey,
          to: input.to,
          template: 'sip-credentials',
          caseId: input.caseId,
          meta: { username: account.username, realm: account.realm },
          data: {
            caseId: input.caseId,
            companyName: input.companyName,
            username: account.username,
            password: account.password,
            realm: account.realm,
            registrar: deps.registrar,
            transport: input.transport,
            rotation: input.rotation,
            ...(input.vendor === 'freeswitch'
              ? {
                  freeswitchPath: freeswitchGatewayPath(`cc-${input.instanceId}`),
                  freeswitchXml: freeswitchGatewayXml({
                    name: `cc-${input.instanceId}`,
                    username: account.username,
                    password: account.password,
                    realm: account.realm,
                    registrar: deps.registrar,
                    transport: input.transport,
                  }),
                  ...(input.firstTestCall
                    ? {
                        freeswitchOriginate: freeswitchOriginate(
                          { name: `cc-${input.instanceId}`, realm: account.realm },
                          input.firstTestCall,
                        ),
                      }
                    : {}),
                }
              : {}),
          },
        });
        return { username: account.username, realm: account.realm, state: account.state };
      });
    },
  };
}

export type SipAccountActivities = ReturnType<typeof createSipAccountActivities>;
