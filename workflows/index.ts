/** Every onboarding process, one file each. The worker bundles this module. */
export { enterpriseVerification } from './enterprise-verification';
