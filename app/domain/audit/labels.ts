import { EVENT_LABELS } from "../clock/types";
import { LEVEL_LABELS } from "../escalation/policy";

/**
 * How audit-log actions and objects read to a person (issue 14's audit viewer).
 * One vocabulary: the project timeline (services/logs.server.ts) should read its
 * titles from here too. An action missing here is shown as its raw key, so a
 * newer writer never breaks the viewer.
 */

/** Actions the sign-in and access code writes (their writers use these names). */
export const AUTH_AUDIT_ACTIONS = {
  signIn: "auth.signIn",
  signInFailed: "auth.signInFailed",
  signInLocked: "auth.signInLocked",
  signOut: "auth.signOut",
  signOutEverywhere: "auth.signOutEverywhere",
  accessDenied: "access.denied",
} as const;

export const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = {
  [AUTH_AUDIT_ACTIONS.signIn]: "登录成功",
  [AUTH_AUDIT_ACTIONS.signInFailed]: "登录失败",
  [AUTH_AUDIT_ACTIONS.signInLocked]: "登录被锁定",
  [AUTH_AUDIT_ACTIONS.signOut]: "退出登录",
  [AUTH_AUDIT_ACTIONS.signOutEverywhere]: "退出所有设备",
  [AUTH_AUDIT_ACTIONS.accessDenied]: "拒绝访问",
  "api.call": "API 调用",
  "apiToken.issue": "签发 API 令牌",
  "apiToken.revoke": "吊销 API 令牌",
  "user.create": "新建用户",
  "user.update": "修改用户",
  "user.deactivate": "停用用户",
  "user.reactivate": "启用用户",
  "user.resetPassword": "重置密码",
  "user.passwordChanged": "修改密码",
  "user.calendarTokenIssued": "开通日历订阅",
  "user.calendarTokenRevoked": "停用日历订阅",
  "integration.create": "新建对接账号",
  "integration.deactivate": "停用对接账号",
  "integration.reactivate": "启用对接账号",
  "department.create": "新建部门",
  "department.update": "修改部门",
  "department.deactivate": "停用部门",
  "department.reactivate": "启用部门",
  "project.create": "创建项目",
  "project.update": "修改项目信息",
  "project.timetable": "调整计划开工日期",
  "project.proxies": "调整代办员",
  "project.close": "关闭项目",
  "project.import": "台账导入",
  "graph.addDependency": "添加前置关系",
  "graph.removeDependency": "删除前置关系",
  "item.escalationSettings": "调整事项升级规则",
  "escalation.acknowledge": "确认预警",
  "escalation.yellow": "发出预警提醒",
  "escalation.red": "发出超期提醒",
  "escalation.supervise": "发出督办",
  "escalation.leader": "报请领导督办",
  "escalation.stall": "发出停滞提醒",
  "material.upload": "上传材料",
  "material.verify": "材料核验通过",
  "material.reject": "材料退回",
  "log.create": "记录代办日志",
  "message.post": "发送留言",
  "rating.create": "评价",
  "invitation.create": "邀请企业联系人",
  "invitation.accept": "接受邀请",
  "meeting.create": "安排会议",
  "meeting.update": "修改会议",
  "meeting.agenda.add": "加入议题",
  "meeting.agenda.move": "调整议题顺序",
  "meeting.agenda.note": "议题备注",
  "meeting.agenda.remove": "移出议题",
  "meeting.decision": "会议决定",
  "meeting.held": "会议召开",
  "meeting.minutes": "编写会议纪要",
  "meeting.minutes.preamble": "编写纪要导语",
  "meeting.minutes.issue": "印发会议纪要",
  "meeting.close": "会议办结",
  "actionItem.create": "新建任务",
  "actionItem.close": "任务办结",
  "calendar.year": "导入年度工作日历",
  "calendar.override": "调整工作日",
  "calendar.override.remove": "撤销工作日调整",
  "settings.escalationPolicy": "修改升级规则",
  "template.import": "导入审批模板",
  "import.preview": "台账导入预览",
  "import.confirm": "确认台账导入",
  "import.done": "台账导入完成",
  "import.failed": "台账导入失败",
};

/**
 * @example auditActionLabel("auth.signInFailed") // → "登录失败"
 * @example auditActionLabel("item.accept")       // → "事项：受理"
 * @example auditActionLabel("robot.dance")       // → "robot.dance"
 */
export function auditActionLabel(action: string): string {
  const known = AUDIT_ACTION_LABELS[action];
  if (known) return known;
  if (action.startsWith("item.")) {
    const event = (EVENT_LABELS as Record<string, string>)[action.slice("item.".length)];
    if (event) return `事项：${event}`;
  }
  if (action.startsWith("escalation.")) {
    const level = (LEVEL_LABELS as Record<string, string>)[action.slice("escalation.".length)];
    if (level) return `升级：${level}`;
  }
  return action;
}

export const AUDIT_ENTITY_LABELS: Readonly<Record<string, string>> = {
  project: "项目",
  item: "事项",
  user: "用户",
  department: "部门",
  material: "材料",
  meeting: "会议",
  action_item: "任务",
  contact_log: "代办日志",
  template: "审批模板",
  import_job: "台账导入",
  escalation: "预警升级",
  calendar_override: "工作日调整",
  calendar_year: "年度工作日历",
  invitation: "邀请",
  project_message: "留言",
  rating: "评价",
  settings: "系统设置",
  session: "会话",
  request: "请求",
};

/** @example auditEntityLabel("action_item") // → "任务" */
export function auditEntityLabel(entityType: string): string {
  return AUDIT_ENTITY_LABELS[entityType] ?? entityType;
}
