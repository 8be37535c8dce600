/** The enterprise's contact-center instance, and its administrator's console password. */
import type { ContactCenterInstanceInput } from '../inputs';
import type {
  ContactCenterInstanceResult,
  contactCenterInstancePayloads,
  contactCenterInstanceStartSchema,
} from '../../domain/contact-center';

import { enterpriseOrSupport, kind, perRequestId } from './define';

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
