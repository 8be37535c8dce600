/**
 * The qualification materials as seed `002` lists them: what each one is called, whether its
 * scan needs the company seal (every one but the photo of the applicant holding the ID), and
 * which three come from a template the provider hands out (acceptance form, network-access
 * commitment, power of attorney). Pure: the API serves the templates and examples from it, the
 * console shows the checklist's seal column from it.
 */
import type { DocumentKind } from './verification';

export const TEMPLATE_NAMES = ['acceptance-form', 'network-access-commitment', 'power-of-attorney'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface Material {
  zh: string;
  en: string;
  /** 加盖公司公章: the scan must carry the company seal. */
  seal: boolean;
  /** The provider's template, to print, fill, seal and upload. */
  template?: TemplateName;
  /** What the example shows (seed `002`'s 示例 column). */
  example: string;
}

export const MATERIALS: Record<DocumentKind, Material> = {
  'business-licence': {
    zh: '营业执照扫描件',
    en: 'Business licence scan',
    seal: true,
    example:
      '营业执照正本或副本的彩色扫描件，四角完整，加盖公司公章。A colour scan of the licence, all four corners visible, stamped with the company seal.',
  },
  'legal-rep-id': {
    zh: '法定代表人身份证正反面扫描件',
    en: "Legal representative's ID, both sides",
    seal: true,
    example:
      '身份证正面与反面在同一页，加盖公司公章，公章不遮挡号码与照片。Both sides on one page, stamped with the seal, which must not cover the number or the photo.',
  },
  'agent-id': {
    zh: '经办人身份证正反面扫描件',
    en: "Agent's ID, both sides",
    seal: true,
    example: '身份证正面与反面在同一页，加盖公司公章。Both sides on one page, stamped with the company seal.',
  },
  'agent-holding-id': {
    zh: '经办人手持身份证照',
    en: 'Photo of the agent holding the ID',
    seal: false,
    example:
      '本人手持身份证正面拍照，人脸与证件信息清晰可见，无需盖章。The agent holds the ID beside the face; both readable. No seal.',
  },
  'legal-rep-holding-id': {
    zh: '法定代表人手持身份证照',
    en: 'Photo of the legal representative holding the ID',
    seal: false,
    example:
      '本人手持身份证正面拍照，人脸与证件信息清晰可见，无需盖章。The legal representative holds the ID beside the face; both readable. No seal.',
  },
  'acceptance-form': {
    zh: '电话受理单',
    en: 'Telephone acceptance form',
    seal: true,
    template: 'acceptance-form',
    example:
      '按模板填写企业信息与申请业务，法定代表人或经办人签字，加盖公司公章。Filled in from the template, signed, stamped with the company seal.',
  },
  'network-access-commitment': {
    zh: '电信入网承诺书',
    en: 'Telecom network-access commitment letter',
    seal: true,
    template: 'network-access-commitment',
    example:
      '按模板打印，法定代表人签字，填写日期，加盖公司公章。Printed from the template, signed by the legal representative, dated, stamped with the seal.',
  },
  'power-of-attorney': {
    zh: '委托授权书',
    en: 'Power of attorney',
    seal: true,
    template: 'power-of-attorney',
    example:
      '按模板填写受托经办人信息与委托事项，法定代表人签字，加盖公司公章。The agent and the mandate filled in from the template, signed by the legal representative, stamped with the seal.',
  },
};

export function isTemplateName(value: string): value is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(value);
}

/** The material a template is the form for. */
export function templateMaterial(name: TemplateName): { kind: DocumentKind; material: Material } {
  const [kind, material] = Object.entries(MATERIALS).find(([, m]) => m.template === name)! as [DocumentKind, Material];
  return { kind, material };
}
