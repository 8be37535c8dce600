/** Emails of the contact-center instance (`contact-center-instance`). */
import { bilingual, type CaseLinks, type Rendered } from '../common';

/** What the email handing over the administrator's password says. */
export interface AdminPasswordEmailData {
  caseId: string;
  centerName: string;
  adminName: string;
  /** The sign-in account. */
  adminEmail: string;
  password: string;
  consoleUrl: string;
  instanceId: string;
  /** 0 for the first password, n for the n-th re-issue. */
  reissue: number;
}

export const contactCenterInstanceTemplates = {
  'contact-center-admin-password': (d: AdminPasswordEmailData, links: CaseLinks): Rendered => ({
    subject: `【联络中心管理员${d.reissue > 0 ? '新密码' : '账号'}】${d.centerName} / Contact center administrator ${d.reissue > 0 ? 'password re-issued' : 'account'}: ${d.centerName}`,
    text: bilingual(
      [
        `${d.adminName}，您好：联络中心「${d.centerName}」（实例 ${d.instanceId}）的管理员${d.reissue > 0 ? '密码已重新签发，此前的密码已失效' : '账号已开通'}。`,
        `  登录地址：${d.consoleUrl}`,
        `  用户名（邮箱）：${d.adminEmail}`,
        `  密码：${d.password}`,
        '密码仅在本邮件中显示这一次，系统不保存明文，请登录后妥善保管；如遗失，可申请重新签发。',
      ],
      [
        `Hello ${d.adminName}: the administrator ${d.reissue > 0 ? 'password of' : 'account for'} the contact center "${d.centerName}" (instance ${d.instanceId}) ${d.reissue > 0 ? 'has been re-issued; any earlier password no longer works' : 'is ready'}.`,
        `  Sign in at: ${d.consoleUrl}`,
        `  Username (email): ${d.adminEmail}`,
        `  Password: ${d.password}`,
        'The password is shown this once, in this email only; it is not stored in readable form. Keep it safe; if lost, ask for a new one to be issued.',
      ],
      links,
    ),
  }),
} as const;
