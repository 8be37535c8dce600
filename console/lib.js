// @ts-check
/**
 * What every view shares: calls to the API with the session's CSRF token, problem details kept
 * as data (never thrown), and the bilingual labels (Chinese first, English beside it).
 */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

/** @type {string | null} */
let csrfToken = null;
/** @param {string | null} token */
export function setCsrf(token) {
  csrfToken = token;
}

/**
 * @typedef {{ type?: string, title?: string, status?: number, detail?: string,
 *   errors?: { path: string, message: string, code?: string }[], awaiting?: unknown[] }} Problem
 * @typedef {{ ok: boolean, status: number, body: any }} Answer
 */

/**
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body] JSON, or FormData for an upload
 * @returns {Promise<Answer>}
 */
export async function call(method, url, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json, application/problem+json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  /** @type {BodyInit | undefined} */
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    return { ok: false, status: 0, body: { title: 'Network error', detail: String(err) } };
  }
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { detail: text };
  }
  if (res.status === 401 && !url.startsWith('/console/api/session'))
    window.dispatchEvent(new Event('console:signed-out'));
  return { ok: res.ok, status: res.status, body: parsed };
}

/** Chinese labels of the words the API uses; anything else shows its English words alone. */
const ZH = {
  approve: '批准',
  reject: '驳回',
  resubmit: '重新提交',
  note: '备注',
  reasons: '驳回原因',
  reason: '原因',
  code: '代码',
  message: '说明',
  field: '字段',
  documentKind: '材料类型',
  documents: '材料',
  company: '企业',
  name: '名称',
  unifiedSocialCreditCode: '统一社会信用代码',
  entityType: '主体类型',
  licenceValidFrom: '营业执照有效期起',
  licenceValidTo: '营业执照有效期至',
  legalRepresentative: '法定代表人',
  agent: '经办人',
  idNumber: '身份证号',
  contact: '联系人',
  phone: '电话',
  email: '邮箱',
  applicantType: '申请人类型',
  'legal-representative': '法定代表人申请',
  prechecking: '预审中',
  'business-licence': '营业执照',
  'legal-rep-id': '法定代表人身份证',
  'agent-id': '经办人身份证',
  'agent-holding-id': '经办人手持身份证照片',
  'legal-rep-holding-id': '法定代表人手持身份证照片',
  'acceptance-form': '受理单',
  'network-access-commitment': '入网承诺书',
  'power-of-attorney': '授权委托书',
  'enterprise-real-name': '企业实名认证',
  'number-recovery': '号码找回',
  checking: '核查中',
  reimporting: '重新导入中',
  'awaiting-400-forwarding': '待办理呼叫转移',
  'enterprise-verification': '企业认证',
  'number-purchase': '购买号码',
  'number-subscription': '号码订阅',
  'own-400-landing': '自有 400 落地',
  'sip-trunk': 'SIP 中继',
  'sip-registration': 'SIP 注册',
  'third-party-line': '第三方线路',
  'contact-center-instance': '联络中心实例',
  'enterprise-onboarding': '企业开通旅程',
  'awaiting-review': '待审核',
  approving: '审批中',
  submitted: '已提交',
  'awaiting-script-review': '待审核话术',
  'awaiting-script-resubmission': '待重新提交话术',
  reserving: '预留号码中',
  charging: '扣费中',
  activating: '开通中',
  'awaiting-400-routing': '待配置 400 路由',
  active: '使用中',
  renewing: '续费中',
  grace: '宽限期',
  releasing: '释放中',
  'purchasing-fixed-line': '购买固话中',
  'awaiting-invoice': '待开票',
  'awaiting-400-landing': '待 400 落地',
  verifying: '验证中',
  allowlisting: '加白名单中',
  'connectivity-check': '连通性检查',
  'connectivity-failed': '连通性检查失败',
  'test-calls': '测试呼叫',
  'awaiting-inbound-test': '待呼入测试',
  'assigning-numbers': '分配号码中',
  'issuing-credentials': '签发凭据中',
  'awaiting-registration': '待注册',
  registered: '已注册',
  'awaiting-supplier': '待供应商审核',
  'awaiting-numbers': '待开号',
  importing: '导入中',
  creating: '创建中',
  'issuing-password': '签发密码中',
  'creating-instance': '创建实例中',
  'awaiting-number-access': '待接入号码',
  ready: '就绪',
  metering: '计量中',
  billing: '计费中',
  payment: '付款',
  renew: '续费',
  release: '释放',
  'set-auto-renew': '设置自动续费',
  'confirm-test-call': '确认测试呼叫',
  'retry-connectivity': '重试连通性检查',
  'confirm-inbound-test': '确认呼入测试',
  'confirm-sbc-change': '确认 SBC 变更',
  'rotate-credentials': '更换凭据',
  'confirm-registration': '确认注册',
  'supplier-approved': '供应商已批准',
  'supplier-rejected': '供应商已驳回',
  'numbers-opened': '号码已开通',
  'reissue-admin-password': '重新签发管理员密码',
  'rerun-month': '重新计费该月',
  done: '完成',
  'in-progress': '进行中',
  waiting: '等待中',
  'not-started': '未开始',
  verified: '已认证',
  'instance-created': '实例已创建',
  'number-access': '号码接入',
  'awaiting-resubmission': '待重新提交',
  'awaiting-payment': '待付款',
  'awaiting-gateway': '待客户准备网关',
  'awaiting-customer-whitelist': '待客户加白名单',
  running: '进行中',
  completed: '已完成',
  failed: '失败',
  cancelled: '已取消',
  support: '客服',
  enterprise: '企业',
  admin: '管理员',
  instanceId: '实例',
  numbers: '号码',
  gateway: '网关',
  ip: 'IP 地址',
  port: '端口',
  transport: '传输协议',
  quantity: '数量',
  peakConcurrentCalls: '峰值并发呼叫数',
  numberType: '号码类型',
  areaCode: '区号',
  scenario: '场景',
  callScript: '话术',
  autoRenew: '自动续费',
  binding: '绑定',
  industry: '行业',
  regions: '地区',
  region: '地区',
  productId: '产品',
  'confirm-whitelist': '确认白名单',
  'confirm-400-routing': '确认 400 路由',
  'confirm-400-landed': '确认 400 已落地',
  'approve-script': '批准话术',
  'reject-script': '驳回话术',
  'resubmit-script': '重新提交话术',
};

/** "userName" or "user-name" as English words. @param {string} key */
export function english(key) {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** @param {string} key */
export function zh(key) {
  return /** @type {Record<string, string>} */ (ZH)[key];
}

/** The bilingual label of an API word: "批准 Approve". @param {string} key */
export function label(key) {
  const z = zh(key);
  return z ? `${z} ${english(key)}` : english(key);
}

/** @param {string | undefined | null} iso */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('zh-CN', { hour12: false });
}

/** @param {string} hash */
export function go(hash) {
  window.location.hash = hash;
}

/**
 * Starts a case and, once the API has taken it, shows its page; the answer goes back to the form.
 * @param {unknown} body
 */
export async function startCase(body) {
  const a = await call('POST', '/v1/onboardings', body);
  if (a.ok) go(`/case/${encodeURIComponent(a.body.id)}`);
  return a;
}

/** The link to a case's page. @param {string} id */
export function caseHref(id) {
  return `#/case/${encodeURIComponent(id)}`;
}

/** What a view shows until its first answer. */
export function loading() {
  return html`<p>正在加载… Loading…</p>`;
}
