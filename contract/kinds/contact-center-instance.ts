/** The enterprise's contact-center instance, and its administrator's console password. */
import type { ContactCenterInstanceInput } from '../inputs';
import type { contactCenterInstancePayloads, contactCenterInstanceStartSchema } from '../../domain/contact-center';
import { enterpriseOrSupport, kind, perRequestId } from './define';

/** The instance as created (the case stays open while it serves, for password reissues). */
export interface ContactCenterInstanceResult {
  instanceId: string;
  centerName: string;
  admin: { name: string; email: string };
  /** The app, IVR flow and skill group the instance starts with. */
  defaults: { appId: string; ivrFlowId: string; skillGroupId: string };
  /** Passwords emailed so far (the first one included). */
  passwordsIssued: number;
}

export const contactCenterInstance = kind<{
  input: ContactCenterInstanceInput;
  result: ContactCenterInstanceResult;
  payloads: typeof contactCenterInstancePayloads;
  start: typeof contactCenterInstanceStartSchema;
}>()({
  name: 'contact-center-instance',
  workflowType: 'contactCenterInstance',
  stages: ['creating', 'issuing-password', 'active'],
  actions: {
    'reissue-admin-password': {
      roles: enterpriseOrSupport,
      summary: 'Email the administrator a new console password; the old one stops working',
    },
  },
  failures: [],
  workflowId: perRequestId('contact-center-instance'),
  fixedId: false,
  opening: () => ({ stage: 'creating', awaiting: [] }),
});
