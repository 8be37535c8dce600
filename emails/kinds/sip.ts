/** Emails of SIP trunks and registrations (`sip-trunk`, `sip-registration`) and manual SBC changes. */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const sipTemplates = {
  'sip-review': (d: CaseData & { mode: string; summary: string; dueAt: string }, links: CaseLinks): Rendered => ({
    subject: `【待审核】SIP对接申请（${d.mode}）${d.companyName} / SIP ${d.mode} application to review`,
    text: bilingual(
      [`${d.companyName} 提交了 SIP 对接申请：${d.summary}。请在 ${d.dueAt} 前审核。`],
      [`${d.companyName} applied for SIP ${d.mode}: ${d.summary}. Please review by ${d.dueAt}.`],
      links,
    ),
  }),

  'sip-rejected': (d: CaseData & { reason: string }, links: CaseLinks): Rendered => ({
    subject: `【申请未通过】SIP对接 / SIP application rejected`,
    text: bilingual(
      [`您的 SIP 对接申请未通过：${d.reason}`],
      [`Your SIP application was rejected: ${d.reason}`],
      links,
    ),
  }),

  'sbc-manual-change': (d: CaseData & { change: string; details: string }, links: CaseLinks): Rendered => ({
    subject: `【待人工操作】SBC变更：${d.change} / Manual SBC change: ${d.change}`,
    text: bilingual(
      [`该 SBC 无管理接口，请手工完成以下变更后确认（confirm-sbc-change，change=${d.change}）：`, `  ${d.details}`],
      [
        `This SBC has no API. Make this change by hand, then confirm it (confirm-sbc-change, change=${d.change}):`,
        `  ${d.details}`,
      ],
      links,
    ),
  }),

  'trunk-whitelist': (
    d: CaseData & { inbound: string[]; outbound: string[]; gateway: string; reminder?: number },
    links: CaseLinks,
  ): Rendered => ({
    subject: `${d.reminder ? `【提醒 ${d.reminder}】` : ''}【请添加白名单】平台信令地址 / Allow the platform's signalling addresses`,
    text: bilingual(
      [
        `我方已将您的网关 ${d.gateway} 加入白名单。请在您的网关/运营商侧放通以下平台信令地址（UDP/TCP），完成后确认（confirm-whitelist）：`,
        '  呼入（您发送呼叫到）：',
        ...d.inbound.map((a) => `    ${a}`),
        '  呼出/回程（平台从以下地址呼叫您）：',
        ...d.outbound.map((a) => `    ${a}`),
        '网关需支持松散路由，信令原路返回。',
      ],
      [
        `Your gateway ${d.gateway} is on our allowlist. Allow these platform signalling addresses on your side, then confirm (confirm-whitelist):`,
        '  Inbound (send your calls to):',
        ...d.inbound.map((a) => `    ${a}`),
        '  Outbound / return (the platform calls you from):',
        ...d.outbound.map((a) => `    ${a}`),
        'The gateway must support loose routing and return signalling on the original path.',
      ],
      links,
    ),
  }),

  'trunk-gateway-needed': (d: CaseData & { gateway: string; reminder?: number }, links: CaseLinks): Rendered => ({
    subject: `${d.reminder ? `【提醒 ${d.reminder}】` : ''}【需要网关】您的运营商不支持 SIP 中继 / A SIP gateway is needed`,
    text: bilingual(
      [
        '您表示号码运营商不支持 SIP 中继。请先咨询运营商能否协助变更为 SIP 中继方式；如无法变更，请购买网关设备和 SIP 服务，搭建一套 SIP 中继服务与平台对接。',
        `网关（申请中填写的 ${d.gateway}）必须支持：`,
        '  1. 松散路由（loose routing，Record-Route/Route 头中的 lr 参数）；',
        '  2. SIP 信令原路返回（响应和后续请求沿原路径返回）。',
        '网关就绪后请确认（confirm-gateway-ready），申请随后进入审核。',
      ],
      [
        "You said your numbers' carrier does not support SIP trunking. Ask the carrier whether it can switch the numbers to a SIP trunk; if it cannot, buy a gateway device and SIP service and build a SIP trunk of your own to connect to the platform.",
        `The gateway (${d.gateway} in your application) must support:`,
        '  1. loose routing (the lr parameter in Record-Route/Route headers);',
        '  2. same-path signalling (responses and later requests return along the path they came).',
        'Once the gateway is in place, confirm (confirm-gateway-ready); the application then goes to review.',
      ],
      links,
    ),
  }),

  'trunk-connectivity-failed': (
    d: CaseData & { target: string; from: string; sent: string; attempts: number; window: string; result: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【连通性检测失败】网关 ${d.target} 无响应 / Connectivity check failed: ${d.target}`,
    text: bilingual(
      [
        `平台在 ${d.window} 内从 ${d.from} 向您的网关 ${d.target} 发送了 ${d.attempts} 次 SIP OPTIONS，结果：${d.result}。`,
        `发送的请求：${d.sent}`,
        '请检查：网关是否在线、防火墙/白名单是否放通平台地址、端口与传输协议是否正确。修复后请重试（retry-connectivity）。',
      ],
      [
        `The platform sent SIP OPTIONS ${d.attempts} time(s) over ${d.window} from ${d.from} to your gateway ${d.target}; result: ${d.result}.`,
        `Request sent: ${d.sent}`,
        'Check that the gateway is up, that your firewall/allowlist admits the platform addresses, and the port and transport. Then retry (retry-connectivity).',
      ],
      links,
    ),
  }),

  'sip-inbound-test': (
    d: CaseData & { numbers: string[]; from: string; until: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【请拨打测试电话】呼入测试 / Place the inbound test call`,
    text: bilingual(
      [
        `请从 ${d.from} 拨打以下任一号码进行呼入测试（${d.until} 前）：`,
        ...d.numbers.map((n) => `  - ${n}`),
        '平台识别到来电后会自动继续。',
      ],
      [
        `Please place a test call from ${d.from} to any of these numbers (by ${d.until}):`,
        ...d.numbers.map((n) => `  - ${n}`),
        'The case moves on by itself once the platform sees the call.',
      ],
      links,
    ),
  }),

  'sip-report': (
    d: CaseData & { passed: boolean; checks: { name: string; passed: boolean; detail: string; at: string }[] },
    links: CaseLinks,
  ): Rendered => {
    const rows = d.checks.map((c) => `  [${c.passed ? 'PASS' : 'FAIL'}] ${c.name}: ${c.detail} (${c.at})`);
    return {
      subject: `【SIP对接${d.passed ? '完成' : '未通过'}】测试报告 / SIP onboarding report: ${d.passed ? 'passed' : 'failed'}`,
      text: bilingual(
        [`SIP 对接测试${d.passed ? '全部通过，号码已分配到实例' : '未通过'}：`, ...rows],
        [`SIP onboarding ${d.passed ? 'passed; the numbers are assigned to the instance' : 'failed'}:`, ...rows],
        links,
      ),
    };
  },

  'sip-credentials': (
    d: CaseData & {
      username: string;
      password: string;
      realm: string;
      registrar: string;
      transport: string;
      rotation: number;
      freeswitchXml?: string;
      freeswitchPath?: string;
      freeswitchOriginate?: string;
    },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【SIP注册账号${d.rotation > 0 ? '（已更换密码）' : ''}】${d.username}@${d.realm} / SIP gateway account${d.rotation > 0 ? ' (new password)' : ''}`,
    text: bilingual(
      [
        '您的网关注册账号如下（密码仅发送这一次，请妥善保存；此前的密码已失效）：',
        `  用户名：${d.username}`,
        `  密码：${d.password}`,
        `  域（realm）：${d.realm}`,
        `  注册服务器/代理：${d.registrar}`,
        `  传输协议：${d.transport.toUpperCase()}（推荐 TCP：公网上大的 UDP 包易被丢弃）`,
        ...(d.freeswitchXml
          ? [
              '',
              `FreeSWITCH 网关配置（保存为 ${d.freeswitchPath ?? 'conf/sip_profiles/external/ 下的文件'}，然后执行 sofia profile external rescan）：`,
              '',
              d.freeswitchXml,
            ]
          : []),
        ...(d.freeswitchOriginate
          ? ['', '注册成功后，在 fs_cli 中用以下命令拨打第一通测试电话（呼入您的线路）：', '', d.freeswitchOriginate]
          : []),
      ],
      [
        'Your gateway registration account (the password is sent this once; keep it safe; any earlier password no longer works):',
        `  Username: ${d.username}`,
        `  Password: ${d.password}`,
        `  Realm: ${d.realm}`,
        `  Registrar / proxy: ${d.registrar}`,
        `  Transport: ${d.transport.toUpperCase()} (TCP recommended: large UDP packets get dropped on the public internet)`,
        ...(d.freeswitchXml
          ? [
              '',
              `The FreeSWITCH gateway file above goes in ${d.freeswitchPath ?? 'conf/sip_profiles/external/'} (then run sofia profile external rescan).`,
            ]
          : []),
        ...(d.freeswitchOriginate
          ? ['Once registered, the originate command above (in fs_cli) places the first test call, to your line.']
          : []),
      ],
      links,
    ),
  }),

  'sip-registration-reminder': (
    d: CaseData & { username: string; realm: string; reminder: number; deadline: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【提醒 ${d.reminder}】网关尚未注册 ${d.username}@${d.realm} / Reminder: gateway not registered yet`,
    text: bilingual(
      [
        `网关账号 ${d.username}@${d.realm} 尚未注册成功。请按账号邮件中的设置配置网关，${d.deadline} 前未注册将关闭申请。`,
      ],
      [
        `The gateway account ${d.username}@${d.realm} has not registered yet. Configure the gateway with the settings from the account email; the application closes at ${d.deadline}.`,
      ],
      links,
    ),
  }),
} as const;
