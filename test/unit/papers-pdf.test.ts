/** Every template and example fits one A4 page, in both its blank and filled forms. */
import { describe, expect, it } from 'vitest';
import { renderMaterialExample, renderTemplate } from '../../api/pdf';
import { TEMPLATE_NAMES } from '../../domain/materials';
import { DOCUMENT_KINDS } from '../../domain/verification';

const pages = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
const company = {
  name: '广州示例通信科技有限公司',
  unifiedSocialCreditCode: '91440101MA59UTQD1X',
  legalRepresentative: '张三',
};

describe('papers as PDF', () => {
  it('renders each form blank, filled and as an example on one page', { timeout: 60_000 }, async () => {
    for (const name of TEMPLATE_NAMES)
      for (const [who, example] of [
        [undefined, false],
        [company, false],
        [undefined, true],
      ] as const)
        expect(pages(await renderTemplate(name, who, example)), `${name} ${String(example)}`).toBe(1);
  });
  it('renders an example of every material on one page', { timeout: 60_000 }, async () => {
    for (const kind of DOCUMENT_KINDS) expect(pages(await renderMaterialExample(kind)), kind).toBe(1);
  });
});
