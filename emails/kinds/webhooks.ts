/** Emails of webhook endpoints. */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const webhooksTemplates = {
  'webhook-endpoint-disabled': (
    d: CaseData & { endpointId: string; url: string; reason: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【Webhook 已停用】${d.url} / Webhook endpoint disabled: ${d.url}`,
    text: bilingual(
      [
        `企业 ${d.companyName} 的 Webhook 端点 ${d.endpointId}（${d.url}）已停用：${d.reason}。修复接收端后，可在控制台或 API 重新启用，并从某个游标起重发事件。`,
      ],
      [
        `Webhook endpoint ${d.endpointId} (${d.url}) of ${d.companyName} was disabled: ${d.reason}. Once the receiver is fixed, enable it again in the console or the API (PATCH with enabled: true) and resend the events since a cursor.`,
      ],
      links,
    ),
  }),
} as const;
