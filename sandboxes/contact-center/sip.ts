/**
 * The contact-center sandbox's SIP side: what the SBC sends calls in to (TCP, as the platform
 * speaks with the SBC). It answers a call to a number assigned to one of its instances (and, where
 * the SBC names the instance, to that one), as an IVR would, and waits for the caller's BYE; any
 * other number is a 404. In-dialog OPTIONS (the SBC's keep-alives) are answered.
 */
import { numberKey } from '../../domain/usage';
import { header, parseUri } from '../../sip/message';
import { startAnswerer, type Answerer, type Decision } from '../../sip/answerer';
import type { ContactCenterData } from './store';

export function startContactCenterSip(o: {
  host: string;
  port: number;
  data: () => Readonly<ContactCenterData>;
  log?: (line: string) => void;
}): Promise<Answerer> {
  return startAnswerer({
    host: o.host,
    port: o.port,
    transport: 'tcp',
    decide: (invite): Decision => {
      const to = header(invite, 'to') ?? '';
      let user = '';
      try {
        user = parseUri(/<([^>]+)>/.exec(to)?.[1] ?? to.split(';')[0] ?? '').user ?? '';
      } catch {
        return { answer: false, code: 400, reason: 'Bad To' };
      }
      const dialled = numberKey(user);
      const assigned = o.data().numbers[dialled];
      const named = header(invite, 'x-instance-id');
      if (!assigned) return { answer: false, code: 404, reason: 'Not a number of any instance' };
      if (named && named !== assigned.instanceId)
        return { answer: false, code: 404, reason: 'Not this instance’s number' };
      return { answer: true };
    },
    onEvent: (e) => o.log?.(`contact-center SIP: ${e.kind} ${e.callId} ${e.detail}`),
  });
}
