/** What every email template shares: the case's links, the bilingual layout, amounts and rule lists. */

export interface CaseLinks {
  /** The case in the API. */
  api: string;
  /** The case's history in the Temporal UI. */
  temporalUi: string;
}

export interface Rendered {
  subject: string;
  text: string;
}

export interface CaseData {
  caseId: string;
  companyName: string;
}

export const APPLICANT = {
  agent: '经办人 / authorised agent',
  'legal-representative': '法定代表人 / legal representative',
} as const;

export function bilingual(zh: string[], en: string[], links?: CaseLinks): string {
  const footer = links ? ['', `案件 / Case: ${links.api}`, `历史 / History: ${links.temporalUi}`] : [];
  return [...zh, '', '----', '', ...en, ...footer, ''].join('\n');
}

/** Integer fen as yuan with cents. */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

export function lines(items: { path?: string; code: string; message: string }[]): string[] {
  return items.map((i) => `  - ${i.path ? `${i.path} ` : ''}[${i.code}] ${i.message}`);
}
