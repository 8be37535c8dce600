/**
 * The papers the product hands to people as PDF: the qualification templates (pre-filled with the
 * enterprise's company where it is known), their examples, and the number proof (号码证明).
 * Chinese first with English beside it, set in Noto Sans SC (Simplified Chinese, GB 2312 set) from
 * the `@embedpdf/fonts-sc` package, subset into each file: no font is fetched at run time and the
 * text stays searchable and copyable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { MATERIALS, templateMaterial, type TemplateName } from '../domain/materials';
import type { DocumentKind } from '../domain/verification';

/** The company a paper is made out to. */
export interface PaperCompany {
  name: string;
  unifiedSocialCreditCode: string;
  legalRepresentative?: string;
}

let font: Buffer | undefined;
/** Read once per process (8 MB); pdfkit embeds only the glyphs a document uses. */
function cjkFont(): Buffer {
  font ??= readFileSync(
    path.join(path.dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts', 'NotoSansHans-Regular.otf'),
  );
  return font;
}

const MARGIN = 56;
const WIDTH = 595 - 2 * MARGIN;

function render(title: string, subject: string, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: title, Subject: subject, Producer: 'telephony onboarding', Creator: 'telephony onboarding' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', cjkFont());
  doc.font('cjk');
  draw(doc);
  doc.end();
  return done;
}

function heading(doc: PDFKit.PDFDocument, zh: string, en: string): void {
  doc.fontSize(20).text(zh, { align: 'center' });
  doc.fontSize(11).fillColor('#444').text(en, { align: 'center' }).fillColor('black');
  doc.moveDown(1.2);
}

/** A labelled line: the value when known, else a blank to write on. */
function field(doc: PDFKit.PDFDocument, label: string, value: string | undefined): void {
  doc.fontSize(11).text(`${label}：${value ?? '________________________________'}`, { width: WIDTH });
  doc.moveDown(0.5);
}

function paragraph(doc: PDFKit.PDFDocument, text: string): void {
  doc.fontSize(10.5).text(text, { width: WIDTH, lineGap: 3 });
  doc.moveDown(0.6);
}

/** Where the seal goes: a dashed circle on a blank form, a red seal on an example. */
function sealBox(doc: PDFKit.PDFDocument, company: string | undefined, stamped: boolean): void {
  const x = MARGIN + WIDTH - 80;
  const y = doc.y + 50;
  if (stamped) {
    doc.save().lineWidth(2.5).strokeColor('#c00').circle(x, y, 46).stroke();
    doc
      .fillColor('#c00')
      .fontSize(14)
      .text('★', x - 7, y - 12);
    doc.fontSize(7).text(company ?? '', x - 40, y + 14, { width: 80, align: 'center' });
    doc.restore().fillColor('black').strokeColor('black');
  } else {
    doc.save().dash(4, { space: 3 }).circle(x, y, 46).stroke().undash().restore();
    doc.fontSize(9).text('加盖公司公章', x - 30, y - 12, { width: 60, align: 'center' });
    doc.fontSize(7).text('company seal here', x - 35, y + 2, { width: 70, align: 'center' });
  }
  doc.fontSize(11).text(`法定代表人（签字）Legal representative's signature：__________`, MARGIN, y - 10);
  doc.text(`日期 Date：______年____月____日`, MARGIN, y + 14);
  doc.y = y + 70;
  doc.x = MARGIN;
}

/** A diagonal mark across an example and a line at its foot, so it is never mistaken for a filled-in form. */
function exampleMark(doc: PDFKit.PDFDocument): void {
  doc
    .fontSize(10)
    .fillColor('#c00')
    .text('示例 EXAMPLE：仅供参考，请勿提交。For reference only; do not upload.', MARGIN, 24, { lineBreak: false });
  doc
    .save()
    .rotate(-30, { origin: [297, 421] })
    .fillColor('#d33', 0.18)
    .fontSize(80)
    .text('示例 EXAMPLE', 60, 380, { lineBreak: false });
  doc.restore().fillColor('black', 1);
}

const EXAMPLE_COMPANY: PaperCompany = {
  name: '广州示例科技有限公司',
  unifiedSocialCreditCode: '91350100M000100Y43',
  legalRepresentative: '张三',
};

function companyFields(doc: PDFKit.PDFDocument, c: PaperCompany | undefined): void {
  field(doc, '企业名称 Company name', c?.name);
  field(doc, '统一社会信用代码 Unified social credit code', c?.unifiedSocialCreditCode);
  field(doc, '法定代表人 Legal representative', c?.legalRepresentative);
}

/** A form line: its label, and what it holds on every copy (`value`) or on the filled-in example only. */
interface FormField {
  label: string;
  value?: string;
  example?: string;
}

/** Each paper after the company's fields: its own fields, then its text. */
const BODIES: Record<TemplateName, { fields: FormField[]; paragraphs: string[] }> = {
  'acceptance-form': {
    fields: [
      { label: '经办人 Agent (if any)', example: '李四' },
      { label: '联系电话 Contact phone', example: '13800138000' },
      {
        label: '申请业务 Service applied for',
        value: '云呼叫中心通信号码（固话 / 400）Contact-center numbers (fixed line / 400)',
      },
      { label: '号码数量 Quantity', example: '2' },
      { label: '使用场景 Calling scenario', example: '售后回访 after-sales follow-up' },
    ],
    paragraphs: [
      '本单位申请上述电信业务，所填信息真实有效，并按实名制要求提交资质材料。We apply for the service above; the information is true and our qualification materials follow the real-name rules.',
    ],
  },
  'network-access-commitment': {
    fields: [],
    paragraphs: [
      '本单位承诺：一、遵守《中华人民共和国电信条例》等法律法规，按实名制登记使用号码；二、不利用号码从事诈骗、骚扰、违规营销等违法违规活动，不转租、转售号码；三、外呼遵守呼叫时段与频次规定，不呼叫明确拒绝或投诉过的用户；四、如有违反，愿承担号码被停用及相应法律责任。',
      'We undertake to (1) obey the Telecommunications Regulations and register every number in our real name; (2) never use the numbers for fraud, harassment or unlawful marketing, nor sublet or resell them; (3) keep to calling hours and frequency limits and never call anyone who refused or complained; (4) accept suspension of the numbers and legal liability for any breach.',
    ],
  },
  'power-of-attorney': {
    fields: [
      { label: '受托人（经办人）姓名 Agent', example: '李四' },
      { label: '受托人身份证号码 Agent ID number', example: '110105194912310029' },
    ],
    paragraphs: [
      '兹委托上述受托人代表本单位办理云呼叫中心企业资质审核、通信号码申请及相关手续，受托人在委托范围内所签署的文件本单位均予以承认。委托期限：自签署之日起一年。',
      'We authorise the agent above to act for us in the qualification review and number applications of the cloud contact center; we stand by every paper the agent signs within this mandate. Valid for one year from signing.',
    ],
  },
};

function body(doc: PDFKit.PDFDocument, name: TemplateName, c: PaperCompany | undefined, example: boolean): void {
  companyFields(doc, c);
  for (const f of BODIES[name].fields) field(doc, f.label, f.value ?? (example ? f.example : undefined));
  for (const text of BODIES[name].paragraphs) paragraph(doc, text);
}

/** A template, made out to `company` where it is known (blank lines otherwise), or its example. */
export function renderTemplate(
  name: TemplateName,
  company: PaperCompany | undefined,
  example: boolean,
): Promise<Buffer> {
  const { material } = templateMaterial(name);
  const who = example ? EXAMPLE_COMPANY : company;
  return render(`${material.zh} ${material.en}`, who?.name ?? 'blank form', (doc) => {
    heading(doc, material.zh, material.en);
    body(doc, name, who, example);
    sealBox(doc, who?.name, example);
    doc
      .fontSize(9)
      .fillColor('#444')
      .text(
        '打印、填写、签字并加盖公司公章后扫描上传（PDF、JPEG 或 PNG）。Print, fill in, sign, stamp with the company seal, then upload the scan (PDF, JPEG or PNG).',
        { width: WIDTH },
      );
    if (example) exampleMark(doc);
  });
}

/** What a scan of a material without a template should look like (seed `002`'s 示例 column). */
export function renderMaterialExample(kind: DocumentKind): Promise<Buffer> {
  const material = MATERIALS[kind];
  return render(`${material.zh} 示例 ${material.en} example`, 'example', (doc) => {
    heading(doc, `${material.zh} 示例`, `${material.en}: example`);
    paragraph(doc, material.example);
    doc
      .save()
      .rect(MARGIN + 40, doc.y, WIDTH - 80, 260)
      .stroke()
      .restore();
    const top = doc.y;
    doc.fontSize(12).text(material.zh, MARGIN + 60, top + 20, { width: WIDTH - 120 });
    companyFields(doc, EXAMPLE_COMPANY);
    doc.y = top + 270;
    doc.x = MARGIN;
    paragraph(
      doc,
      material.seal ? '需要加盖公司公章 The company seal is required on this scan.' : '无需盖章 No seal on this photo.',
    );
    if (material.seal) sealBox(doc, EXAMPLE_COMPANY.name, true);
    exampleMark(doc);
  });
}

export interface NumberProof {
  /** As people read it, e.g. `020-66240001`. */
  number: string;
  company: PaperCompany;
  inServiceSince: string;
  status: { zh: string; en: string };
  issuedAt: string;
  reference: string;
}

/**
 * 号码证明: the provider certifies who holds a number, since when, and how it stands, for the 400
 * operator re-binding a landing line (seed `003` Q3) and for number certification platforms when
 * a number is labelled as harassment (`003` Q7).
 */
export function renderNumberProof(p: NumberProof): Promise<Buffer> {
  return render(`号码证明 Number proof ${p.number}`, p.company.name, (doc) => {
    heading(doc, '号码证明', 'Number proof');
    field(doc, '号码 Number', p.number);
    field(doc, '使用单位 Held by', p.company.name);
    field(doc, '统一社会信用代码 Unified social credit code', p.company.unifiedSocialCreditCode);
    field(doc, '开通日期 In service since', p.inServiceSince);
    field(doc, '号码状态 Status', `${p.status.zh} ${p.status.en}`);
    paragraph(
      doc,
      `兹证明号码 ${p.number} 由 ${p.company.name} 实名使用，自 ${p.inServiceSince} 起在本平台开通。本证明可用于向 400 运营商申请更换落地号码，或向号码认证平台（如 360、电话邦）申请号码认证。`,
    );
    paragraph(
      doc,
      `We certify that ${p.number} is held in its real name by ${p.company.name} and has been in service on our platform since ${p.inServiceSince}. This proof may be given to a 400 operator to land a 400 number on this line, or to number certification platforms (e.g. 360, 电话邦) to certify the number.`,
    );
    field(doc, '出具日期 Issued', p.issuedAt);
    field(doc, '编号 Reference', p.reference);
  });
}
