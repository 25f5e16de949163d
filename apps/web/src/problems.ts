/**
 * What the user reads when the server refuses something: one Chinese and one English message for every problem `code`
 * (apps/api/src/common/errors.ts) and every gate condition code (workflows/outgoing/policy.ts VIOLATION_CODES, and the
 * few conditions a service adds; the incoming and supervision workflows' codes in their own tables), filled with the specifics the problem carries (`params` of a condition, the
 * extension members of a problem) resolved to names: a section by its title, a mark by the text it quotes, a person by
 * name, a check by its number. The server's English `detail` is never the only thing shown.
 *
 * No imports: test/tooling/problems.test.ts checks from the root project that every code has both messages.
 */

export type ProblemLang = 'zh' | 'en';
type Messages = Record<string, { zh: string; en: string }>;

/** Problem codes (the `code` of a problem+json answer). `{detail}` is the server's own words, used where they are the specifics. */
export const PROBLEM_MESSAGES: Messages = {
  VALIDATION_FAILED: { zh: '填写的内容不符合要求，请按提示修改。', en: 'Some of what you entered is not valid; see below.' },
  UNKNOWN_RECIPIENT: {
    zh: '主送或抄送中有不在单位目录中的单位或单位组，请从目录中选择，或改为直接填写名称。',
    en: 'A main recipient or copy-to is not a unit or group of the directory; pick one from the directory or type the name as free text.',
  },
  MALFORMED_JSON: { zh: '请求内容格式有误，请刷新页面后重试。', en: 'The request was malformed; reload the page and try again.' },
  BAD_REQUEST: { zh: '请求无效，请刷新页面后重试。', en: 'The request is not valid; reload the page and try again.' },
  UNAUTHENTICATED: { zh: '登录已失效，请重新登录。', en: 'Your session has ended; sign in again.' },
  INVALID_CREDENTIALS: { zh: '用户名或密码不正确。', en: 'Wrong username or password.' },
  FORBIDDEN: { zh: '您没有权限执行此操作。', en: 'You are not allowed to do this.' },
  FORBIDDEN_ROLE: { zh: '您的角色不能执行此操作。', en: 'Your roles do not allow this.' },
  CSRF_FAILED: { zh: '页面已过期，请刷新页面后重试。', en: 'This page has expired; reload it and try again.' },
  TOKEN_SCOPE: { zh: '当前令牌的权限范围不允许此操作。', en: 'This access token does not cover this action.' },
  NOT_PERMITTED: {
    zh: '在“{state}”环节，您不能执行“{event}”。',
    en: 'You may not “{event}” while the document is at “{state}”.',
  },
  OUTSIDE_AUTHORITY: { zh: '超出您的签发权限：{missing}', en: 'Outside your signing authority: {missing}' },
  NOT_FOUND: { zh: '找不到该内容，或您无权查看。', en: 'Not found, or you may not see it.' },
  ROUTE_NOT_FOUND: { zh: '请求的地址不存在。', en: 'No such address.' },
  METHOD_NOT_ALLOWED: { zh: '不支持此操作。', en: 'This operation is not supported here.' },
  CONFLICT: { zh: '该内容正在被处理或状态有冲突，请稍后重试。', en: 'This is busy or in a conflicting state; try again shortly.' },
  VERSION_CONFLICT: {
    zh: '其他人刚刚修改了这份文件（当前为第{currentVersion}版），请核对后再操作。',
    en: 'Someone else changed this document (now version {currentVersion}); check it before acting again.',
  },
  DUPLICATE: { zh: '已存在相同的内容。', en: 'This already exists.' },
  IDEMPOTENCY_CONFLICT: {
    zh: '同一请求已用不同内容提交过，请刷新页面。',
    en: 'This request was already sent with other content; reload the page.',
  },
  PASSWORD_CONFIRMATION: { zh: '需要输入密码确认，或密码不正确。', en: 'Confirm with your password (or the password was wrong).' },
  PRECONDITION_REQUIRED: { zh: '缺少版本信息，请刷新页面后重试。', en: 'The version is missing; reload the page and try again.' },
  PRECONDITION_FAILED: { zh: '内容已变化，请刷新页面后重试。', en: 'This has changed; reload the page and try again.' },
  RANGE_NOT_SATISFIABLE: { zh: '请求的范围无效。', en: 'The requested range is not valid.' },
  PAYLOAD_TOO_LARGE: { zh: '文件或内容过大。', en: 'The file or content is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持该文件类型。', en: 'This file type is not supported.' },
  GATE_FAILED: { zh: '“{gate}”环节的条件尚未满足：', en: 'The “{gate}” step is not ready yet:' },
  RECORDS_CHECK_FAILED: {
    zh: '四性检测未通过（真实性、完整性、可用性、安全性），见检测结果；确需归档的，请填写理由后强制归档。',
    en: 'The records checks (authenticity, integrity, usability, security) failed; see the results. To file anyway, give a reason.',
  },
  DOCX_CORRUPT: { zh: 'Word 文件已损坏，无法读取。', en: 'The Word file is damaged and cannot be read.' },
  NOT_DOCX: { zh: '这不是 Word（.docx）文件。', en: 'This is not a Word (.docx) file.' },
  EXPORT_APPROVAL_REQUIRED: { zh: '导出前须经审批。', en: 'This export needs approval first.' },
  INVALID_TRANSITION: { zh: '文件当前环节不能执行此操作。', en: 'This cannot be done at the document’s current step.' },
  READ_ONLY: { zh: '文件已办结或已撤回，只能查看。', en: 'The document is finished or withdrawn; it is read-only.' },
  EXPORT_EXPIRED: { zh: '导出文件已过期，请重新导出。', en: 'The export has expired; export again.' },
  DOCUMENT_DISPOSED: { zh: '该档案已销毁。', en: 'This record has been destroyed.' },
  TOO_MANY_REQUESTS: { zh: '尝试次数过多，请稍等片刻再试。', en: 'Too many attempts; wait a moment and try again.' },
  HEADERS_TOO_LARGE: { zh: '请求头过大，请清除本站 Cookie 后重试。', en: 'The request headers are too large; clear this site’s cookies.' },
  REQUEST_TIMEOUT: { zh: '请求超时，请重试。', en: 'The request timed out; try again.' },
  SERVICE_UNAVAILABLE: { zh: '服务暂时不可用，请稍后重试。', en: 'The service is unavailable for now; try again later.' },
  INTERNAL: {
    zh: '服务器出错，请稍后重试；如仍失败请联系管理员。',
    en: 'Server error; try again, and tell the administrator if it persists.',
  },
  DELEGATE_INVALID: {
    zh: '受托人须为本单位在职人员，且不能是委托人本人或系统管理员。',
    en: 'The deputy must be an active member of the same office, not the principal himself nor an administrator.',
  },
  DELEGATION_PERIOD: {
    zh: '委托期限无效：结束时间须晚于开始时间且未过期，期限最长 90 天。',
    en: 'The period is not valid: it must end after it starts, not be over, and last at most 90 days.',
  },
  DELEGATION_SCOPE: {
    zh: '委托人不具备要委托的权限（签发须有签发人角色，阅文须有传阅对象或领导角色）。',
    en: 'The principal does not hold what he would delegate (signing needs the signer role, reading the reader or leader role).',
  },
  DELEGATION_CHAIN: {
    zh: '委托人在此期间本身是受托人，受托的权限不能再次委托。',
    en: 'The principal holds this by delegation in that period himself; a deputy never passes it on.',
  },
  DELEGATION_OVERLAP: {
    zh: '委托人在重叠的期间已将同一权限委托他人，请先撤销原委托或调整期限。',
    en: 'The same scope is already delegated for an overlapping period; revoke it or change the period first.',
  },
  DELEGATION_NOT_ACTIVE: {
    zh: '您目前没有该领导的有效委托（委托不存在、已到期、已撤销或不含此权限）。',
    en: 'You hold no delegation from this person that covers this now (none, over, revoked or another scope).',
  },
  DELEGATION_ENDED: { zh: '该委托已撤销或已到期。', en: 'The delegation has already been revoked or is over.' },
  // made by the browser, not the server
  NETWORK: { zh: '无法连接服务器，请检查网络后重试。', en: 'Cannot reach the server; check the connection and retry.' },
};

/** Gate conditions (each `conditions[].code` of a GATE_FAILED problem). */
export const CONDITION_MESSAGES: Messages = {
  UNKNOWN_STATE: { zh: '文件处于未知环节。', en: 'The document is at an unknown step.' },
  FINAL_STATE: { zh: '文件已办结或已撤回，不能再操作。', en: 'The document is finished or withdrawn; nothing more can be done.' },
  EVENT_NOT_AVAILABLE: { zh: '当前环节不能执行此操作。', en: 'This is not possible at the current step.' },
  NO_ACTOR: { zh: '未识别当前用户，请重新登录。', en: 'You are not identified; sign in again.' },
  ADMIN_CANNOT_ACT: { zh: '系统管理员不能起草、签发或办理公文。', en: 'An administrator never drafts, signs or handles documents.' },
  ROLE_REQUIRED: { zh: '需要“{role}”角色。', en: 'Requires the “{role}” role.' },
  NOT_DOCUMENT_CHIEF: { zh: '只有负责本文件的科长可以执行此操作。', en: 'Only the chief in charge of this document may do this.' },
  NO_SECTION_TO_DRAFT: { zh: '您没有仍在起草中的分口。', en: 'You draft no section that is still open.' },
  NOT_A_DRAFTER: {
    zh: '校对期间只有本文件的拟稿人或科长可以修改。',
    en: 'Only a drafter of this document or its chief may revise it during proofreading.',
  },
  NOT_INVITED: { zh: '您未受邀参加本轮讨论。', en: 'You are not invited to this discussion round.' },
  PROOFREADER_IS_DRAFTER: { zh: '拟稿人不能校对自己起草的文件。', en: 'A drafter may not proofread their own document.' },
  REVIEWER_IS_DRAFTER: { zh: '拟稿人不能审核自己起草的文件。', en: 'A drafter may not review their own document.' },
  SIGNER_IS_DRAFTER: { zh: '拟稿人不能签发自己起草的文件。', en: 'A drafter may not sign their own document.' },
  NOT_REQUIRED_SIGNER: { zh: '您不是“{unit}”的签发人。', en: 'You are not the signer for “{unit}”.' },
  ALREADY_SIGNED: { zh: '您已为“{unit}”签发。', en: 'You have already signed for “{unit}”.' },
  NOT_A_READER: { zh: '这份文件未分发给您。', en: 'The document was not distributed to you.' },
  ALREADY_ACKNOWLEDGED: { zh: '您已阅知这份文件。', en: 'You have already acknowledged this document.' },
  REASON_REQUIRED: { zh: '必须填写理由。', en: 'A reason is required.' },
  INVALID_REVISION: { zh: '文稿版本信息无效，请刷新页面。', en: 'The revision is not valid; reload the page.' },
  REVISION_NOT_NEWER: {
    zh: '文稿已更新到第{current}稿，请在最新稿上修改。',
    en: 'The text is already at revision {current}; edit the latest one.',
  },
  UNKNOWN_SECTION: { zh: '分口“{section}”不存在。', en: 'There is no section “{section}”.' },
  NOT_SECTION_DRAFTER: { zh: '分口“{section}”由{user}起草，您不能修改。', en: 'Section “{section}” is drafted by {user}, not you.' },
  SECTION_ALREADY_SUBMITTED: { zh: '分口“{section}”已提交。', en: 'Section “{section}” has already been submitted.' },
  DUPLICATE_SECTION: { zh: '分口“{section}”已存在。', en: 'Section “{section}” already exists.' },
  TITLE_REQUIRED: { zh: '分口须有标题。', en: 'A section needs a title.' },
  DRAFTER_REQUIRED: { zh: '分口须指定拟稿人。', en: 'A section needs a drafter.' },
  NO_SECTIONS: { zh: '文件还没有任何分口。', en: 'The document has no sections yet.' },
  SECTION_NOT_SUBMITTED: {
    zh: '分口“{section}”尚未由{user}提交。',
    en: 'Section “{section}” has not been submitted by {user}.',
  },
  MISSING_ELEMENT: { zh: '缺少必备要素：{element}。', en: 'A required element is missing: {element}.' },
  ALREADY_MAJOR: { zh: '文件已标为重大文稿。', en: 'The document is already marked as major.' },
  INVITEES_REQUIRED: { zh: '讨论须至少邀请一位参加人。', en: 'A discussion needs at least one participant.' },
  INVALID_REQUIRE_ALL: { zh: '请选择是否须全体表态。', en: 'Say whether everyone must respond.' },
  MAJOR_REQUIRES_DISCUSSION: { zh: '重大文稿必须经过集体讨论。', en: 'A major document must go through group discussion.' },
  INVALID_POSITION: { zh: '请选择同意、修改后同意或反对。', en: 'Choose agree, agree with changes, or object.' },
  COMMENT_TEXT_REQUIRED: { zh: '请说明需要修改之处或反对的理由。', en: 'Say what should change, or why you object.' },
  INVALID_DECISION: { zh: '请选择采纳或退回修改。', en: 'Choose accept or revise.' },
  INVITEE_NOT_RESPONDED: { zh: '{user}尚未表态。', en: '{user} has not responded yet.' },
  DUPLICATE_MARK: { zh: '该校对标记已存在。', en: 'This proofreading mark already exists.' },
  BLOCK_REQUIRED: { zh: '请先在正文中选中要标记的文字。', en: 'Select the text to mark in the body first.' },
  INVALID_RANGE: { zh: '所选文字范围无效。', en: 'The selected range is not valid.' },
  NO_SUGGESTION: { zh: '该校对标记没有建议的修改文字。', en: 'The mark suggests no replacement.' },
  MARK_OUTDATED: { zh: '该校对标记所指的文字已不在当前稿中。', en: 'The marked text is no longer in the current revision.' },
  INVALID_SUGGESTION: { zh: '建议的修改文字须与原文不同。', en: 'A suggested replacement must differ from the marked text.' },
  INVALID_MARK_KIND: { zh: '请选择标记类型。', en: 'Choose the kind of mark.' },
  COMMENT_REQUIRED: { zh: '须填写说明。', en: 'A comment is required.' },
  UNKNOWN_MARK: { zh: '校对标记{marks}不存在。', en: 'There is no proofreading mark {marks}.' },
  MARK_NOT_OPEN: { zh: '校对标记{marks}已处理。', en: 'Proofreading mark {marks} has already been handled.' },
  OPEN_MARKS: { zh: '还有{count}处校对标记未处理：{marks}。', en: '{count} proofreading mark(s) still open: {marks}.' },
  REVIEW_INCOMPLETE: { zh: '审核要点{items}尚未给出结论。', en: 'Review check(s) {items} have no result yet.' },
  REVIEW_INVALID_ITEM: { zh: '审核要点无效。', en: 'A review check is not valid.' },
  REVIEW_DUPLICATE_CHECK: { zh: '审核要点{items}重复填写。', en: 'Review check {items} appears more than once.' },
  FAILED_CHECK_NEEDS_COMMENT: { zh: '审核要点{items}不通过，须填写意见。', en: 'Review check {items} failed and needs a comment.' },
  UNKNOWN_ISSUER: { zh: '“{unit}”不是本文件的发文机关。', en: '“{unit}” is not an issuing body of this document.' },
  OUTSIDE_AUTHORITY: {
    zh: '超出您的签发权限（文种、密级或发文机关不在您的授权范围内）。',
    en: 'Outside your signing authority (the kind, classification or issuing body is not covered).',
  },
  DOCUMENT_NUMBER_REQUIRED: { zh: '须填写发文字号。', en: 'A document number is required.' },
  INVALID_SERIAL: { zh: '发文字号的序号须为正整数（不编虚位）。', en: 'The serial must be a positive integer (no zero padding).' },
  INVALID_YEAR: { zh: '年份须为四位数字。', en: 'The year must have four digits.' },
  DOCUMENT_NUMBER_MISMATCH: { zh: '发文字号与发文机关代字不符。', en: 'The document number does not match the issuing body.' },
  INVALID_COPIES: { zh: '印发份数至少为 1。', en: 'At least one copy must be printed.' },
  READERS_REQUIRED: { zh: '传阅对象至少一人。', en: 'Name at least one reader.' },
  DUPLICATE_READER: { zh: '传阅对象有重复。', en: 'A reader is listed twice.' },
  UNKNOWN_READER: { zh: '{user}不是本文件的传阅对象。', en: '{user} is not a reader of this document.' },
  READER_ALREADY_ACKNOWLEDGED: { zh: '{user}已阅知。', en: '{user} has already acknowledged.' },
  NOTHING_TO_REMIND: { zh: '所有传阅对象均已阅知，无需催办。', en: 'Every reader has acknowledged; nobody to remind.' },
  INVALID_RETENTION: { zh: '请选择保管期限。', en: 'Choose a retention period.' },
  // acting for a principal (委托/代签/代阅)
  NO_PRINCIPAL: { zh: '未指明代谁办理。', en: 'No principal is named to act for.' },
  SELF_DELEGATION: { zh: '不能作为自己的受托人办理。', en: 'Nobody acts as his own deputy.' },
  DELEGATION_CHAIN: { zh: '受托的权限不能再次委托。', en: 'A deputy cannot pass on what he holds by delegation.' },
  NOT_DELEGABLE: {
    zh: '此操作不能代他人办理（只有签发和阅文可以委托）。',
    en: 'This cannot be done for someone else (only signing and reading can).',
  },
  OUTSIDE_DELEGATION: { zh: '委托范围不包括此操作。', en: 'The delegation does not cover this.' },
  DEPUTY_IS_DRAFTER: { zh: '本文件的拟稿人不能代签本文件。', en: 'A drafter of this document may not sign it for someone else.' },
  // sealing (用印)
  NOT_SEAL_CUSTODIAN: { zh: '只有该发文机关印章的印章管理员才能用印。', en: "Only a custodian of the issuing body's seal may apply it." },
  NO_SEAL: { zh: '“{unit}”尚无登记的电子印章。', en: '“{unit}” has no registered electronic seal.' },
  SEAL_REVOKED: { zh: '该印章已被吊销，不能使用。', en: 'The seal has been revoked.' },
  SEAL_NOT_VALID: { zh: '该印章不在有效期内。', en: 'The seal is outside its validity period.' },
  ALREADY_SEALED: { zh: '本文件已加盖“{unit}”的印章。', en: 'The document already carries the seal of “{unit}”.' },
  // apps/api/src/classified: a classified document's paper copies
  COPY_NOT_RECALLED: {
    zh: '第{copyNumber}份（{recipient}）尚未收回或销毁。',
    en: 'Copy {copyNumber} ({recipient}) has not been returned or destroyed.',
  },
};

/**
 * Gate conditions of the incoming workflow (workflows/incoming/policy.ts VIOLATION_CODES, 收文). A code may share its
 * name with an outgoing one (TITLE_REQUIRED, INVALID_COPIES …) but not its meaning: a refusal on an incoming item is
 * looked up here only (ErrorBox workflow="incoming"). The conditions carry no params, so no template names any.
 */
export const INCOMING_CONDITION_MESSAGES: Messages = {
  UNKNOWN_STATE: { zh: '收文处于未知环节。', en: 'The item is at an unknown step.' },
  FINAL_STATE: { zh: '收文已办结、归档或退文，不能再操作。', en: 'The item is finished, filed or returned; nothing more can be done.' },
  EVENT_NOT_AVAILABLE: { zh: '收文当前环节不能执行此操作。', en: 'This is not possible at the item’s current step.' },
  NO_ACTOR: { zh: '未识别当前用户，请重新登录。', en: 'You are not identified; sign in again.' },
  ADMIN_CANNOT_ACT: { zh: '系统管理员不能登记、批示或办理收文。', en: 'An administrator never registers, instructs or handles documents.' },
  ROLE_REQUIRED: { zh: '您的角色不能在此环节办理这份收文。', en: 'Your roles do not cover this step of the item.' },
  NOT_UNIT_REGISTRAR: { zh: '只有收文单位的收文员可以执行此操作。', en: 'Only a registrar of the receiving unit may do this.' },
  NOT_UNIT_CHIEF: {
    zh: '只有收文单位的科长（办公室负责人）可以拟办。',
    en: 'Only the chief of the receiving unit may write the proposal.',
  },
  NOT_NAMED_LEADER: { zh: '只有拟办意见中呈送的领导可以批示。', en: 'Only a leader named in the proposal may give the instruction.' },
  NOT_A_HANDLING_DEPARTMENT: {
    zh: '您所在科室不是这份收文的主办或协办部门。',
    en: 'Your department is not a lead or assisting department of this item.',
  },
  NOT_LEAD_DEPARTMENT: { zh: '只有主办部门可以执行此操作。', en: 'Only the lead department may do this.' },
  NOT_A_READER: { zh: '这份收文未送您传阅。', en: 'The item is not circulated to you.' },
  ALREADY_READ: { zh: '您已阅过这份收文。', en: 'You have already read this item.' },
  NOT_CURRENT_HOLDER: { zh: '这份收文按顺序传阅，尚未传到您。', en: 'The item circulates in order and has not reached you yet.' },
  NOT_REGISTRAR_OR_SYSTEM: {
    zh: '只有收文单位的收文员（或系统定时催办）可以催办。',
    en: 'Only the receiving unit’s registrar (or the reminder job) may send reminders.',
  },
  REASON_REQUIRED: { zh: '必须填写理由。', en: 'A reason is required.' },
  INVALID_COPIES: { zh: '份数须为正整数。', en: 'The number of copies must be a positive whole number.' },
  RECEIVE_NUMBER_REQUIRED: { zh: '缺少收文编号。', en: 'The receive number is missing.' },
  INVALID_SERIAL: { zh: '收文编号的序号须为正整数。', en: 'The serial of the receive number must be a positive whole number.' },
  INVALID_YEAR: { zh: '年份须为四位数字。', en: 'The year must have four digits.' },
  YEAR_MISMATCH: { zh: '收文编号的年份与登记日期的年份不符。', en: 'The year of the receive number is not the year of registration.' },
  RECEIVE_NUMBER_MISMATCH: { zh: '收文编号与年份、序号不符。', en: 'The receive number does not match its year and serial.' },
  REGISTER_FIELDS_REQUIRED: { zh: '请填写登记项。', en: 'Fill in the register fields.' },
  TITLE_REQUIRED: { zh: '须填写标题。', en: 'The title is required.' },
  SENDER_REQUIRED: { zh: '须填写来文单位。', en: 'The sending unit is required.' },
  INVALID_CLASSIFICATION: { zh: '请选择密级。', en: 'Choose a classification.' },
  INVALID_URGENCY: { zh: '请选择紧急程度。', en: 'Choose an urgency.' },
  INVALID_DATE: { zh: '日期格式不正确（应为年-月-日）。', en: 'A date is not valid (year-month-day).' },
  CHECK_INVALID_ITEM: {
    zh: '初审要点无效（应为第1至5项，各自通过或不通过）。',
    en: 'A check is not valid (items 1 to 5, each passed or failed).',
  },
  CHECK_DUPLICATE: { zh: '初审要点重复填写。', en: 'A check item is given twice.' },
  CHECK_INCOMPLETE: { zh: '五项初审要点须逐项给出结论。', en: 'Each of the five checks needs a result.' },
  CHECK_FAILED: {
    zh: '有初审要点不通过：请改为退文，并写明理由。',
    en: 'A check failed: return the item to its sender instead, with the reasons.',
  },
  FAILED_CHECKS_REQUIRED: { zh: '退文须指明未通过的初审要点。', en: 'A return after the check must name the failed check items.' },
  INVALID_ROUTE: { zh: '请选择阅件（传阅）或办件（批办）。', en: 'Choose for information or for action.' },
  INVALID_ORDER: { zh: '请选择顺序传阅或同时传阅。', en: 'Choose in order or in parallel.' },
  READERS_REQUIRED: { zh: '阅件须至少指定一位传阅对象。', en: 'An item for information needs at least one reader.' },
  INVALID_READER: { zh: '传阅对象无效，请从目录中选择。', en: 'A reader is not valid; pick one from the directory.' },
  DUPLICATE_READER: { zh: '传阅对象有重复。', en: 'A reader is listed twice.' },
  OPINION_REQUIRED: { zh: '须填写拟办意见。', en: 'The proposal needs its opinion.' },
  LEADERS_REQUIRED: { zh: '须至少呈送一位批示领导。', en: 'Name at least one leader for the instruction.' },
  INVALID_LEADER: { zh: '批示领导无效，请从目录中选择。', en: 'A leader is not valid; pick one from the directory.' },
  DUPLICATE_LEADER: { zh: '批示领导有重复。', en: 'A leader is named twice.' },
  INSTRUCTION_REQUIRED: { zh: '须填写批示内容。', en: 'The instruction needs its text.' },
  LEAD_REQUIRED: { zh: '须指定主办部门。', en: 'A lead department is required.' },
  INVALID_DEPARTMENT: { zh: '承办部门须为本单位的科室。', en: 'A handling department must be a department of the receiving unit.' },
  DUPLICATE_DEPARTMENT: { zh: '承办部门有重复。', en: 'A department is named twice.' },
  DEADLINE_REQUIRED: { zh: '紧急收文须为每个承办部门规定办理时限。', en: 'An urgent item needs a deadline for each department.' },
  INVALID_DEADLINE: { zh: '办理时限不是有效日期。', en: 'A department’s deadline is not a valid date.' },
  TEXT_REQUIRED: { zh: '须填写办理情况。', en: 'Say what was done.' },
  RESULT_REQUIRED: { zh: '须填写办理结果。', en: 'The result of handling is required.' },
  ASSISTING_NOT_RECORDED: { zh: '还有协办部门未填写协办情况。', en: 'An assisting department has not recorded its part yet.' },
  UNKNOWN_READER: { zh: '此人不是这份收文的传阅对象。', en: 'This person is not a reader of this item.' },
  READER_ALREADY_READ: { zh: '此人已阅，无需收回转交。', en: 'This reader has already read the item.' },
  ALREADY_A_READER: { zh: '此人已是传阅对象。', en: 'This person is already a reader of this item.' },
  READERS_NOT_DONE: { zh: '还有传阅对象未阅，不能结束传阅。', en: 'Some readers have not read the item yet; circulation cannot end.' },
  COPIES_OUTSTANDING: {
    zh: '涉密收文须全部清退或销毁后才能继续。',
    en: 'Every copy of a classified item must be returned or destroyed first.',
  },
  UNKNOWN_COPY: { zh: '这份收文没有该份号。', en: 'The item has no copy with that number.' },
  COPY_NOT_HELD: { zh: '该份已清退或销毁。', en: 'That copy has already been returned or destroyed.' },
  INVALID_DISPOSITION: { zh: '请选择清退或销毁。', en: 'Choose returned or destroyed.' },
  ANSWER_TEXT_REQUIRED: { zh: '须填写答复内容。', en: 'The answer needs its text.' },
  REPLY_REQUIRED: { zh: '须指明复文。', en: 'Name the reply document.' },
  REPLY_ALREADY_LINKED: { zh: '该复文已与这份收文关联。', en: 'That document is already the reply of this item.' },
  TARGETS_REQUIRED: { zh: '须指明催办对象。', en: 'Name whom to remind.' },
  INVALID_LEVEL: { zh: '请选择紧急催办或一般催办。', en: 'Choose an urgent or a routine reminder.' },
  INVALID_RETENTION: { zh: '请选择保管期限。', en: 'Choose a retention period.' },
  // reading for a leader (代阅, 委托)
  NO_PRINCIPAL: { zh: '未指明代谁办理。', en: 'No principal is named to act for.' },
  SELF_DELEGATION: { zh: '不能作为自己的受托人办理。', en: 'Nobody acts as his own deputy.' },
  DELEGATION_CHAIN: { zh: '受托的权限不能再次委托。', en: 'A deputy cannot pass on what he holds by delegation.' },
  NOT_DELEGABLE: { zh: '此操作不能代他人办理（收文只有阅文可以委托）。', en: 'This cannot be done for someone else (only reading can).' },
  OUTSIDE_DELEGATION: { zh: '委托范围不包括阅文。', en: 'The delegation does not cover reading.' },
};

/** Gate conditions of the supervision workflow (workflows/supervision/policy.ts VIOLATION_CODES, 督查督办). */
export const SUPERVISION_CONDITION_MESSAGES: Messages = {
  UNKNOWN_STATE: { zh: '督办事项处于未知环节。', en: 'The item is at an unknown step.' },
  FINAL_STATE: { zh: '督办事项已办结、归档或撤销，不能再操作。', en: 'The item is closed, filed or cancelled; nothing more can be done.' },
  EVENT_NOT_AVAILABLE: { zh: '督办事项当前环节不能执行此操作。', en: 'This is not possible at the item’s current step.' },
  NO_ACTOR: { zh: '未识别当前用户，请重新登录。', en: 'You are not identified; sign in again.' },
  ADMIN_CANNOT_ACT: { zh: '系统管理员不能办理督办事项。', en: 'An administrator never handles supervised items.' },
  ROLE_REQUIRED: { zh: '您的角色不能在此环节办理这件督办事项。', en: 'Your roles do not cover this step of the item.' },
  SYSTEM_ONLY: { zh: '督办牌由系统按时限自动亮出，不能手工发出。', en: 'Colour cards are issued by the deadline jobs, never by hand.' },
  NOT_ASSIGNED_UNIT: { zh: '只有交办的主办、协办单位可以签收。', en: 'Only a unit the item is assigned to may sign for it.' },
  ALREADY_SIGNED_FOR: { zh: '您所在单位已签收。', en: 'Your unit has already signed for this item.' },
  NOT_LEAD_UNIT: { zh: '只有主办单位可以执行此操作。', en: 'Only the lead unit may do this.' },
  NOT_ASSISTING_UNIT: { zh: '只有协办单位可以报送协办情况。', en: 'Only an assisting unit may contribute.' },
  NOT_INSTRUCTING_LEADER: { zh: '只有批示领导可以执行此操作。', en: 'Only the leader who gave the instruction may do this.' },
  NO_EXTENSION_TO_REVIEW: { zh: '没有待督查员审核的延期申请。', en: 'No extension request is waiting for the supervisor.' },
  NO_EXTENSION_TO_DECIDE: { zh: '没有待领导审批的延期申请。', en: 'No extension request is waiting for the leader’s decision.' },
  NEVER_RED: { zh: '只有亮过红牌的事项才记录问责情况。', en: 'Accountability is recorded only for items that went red.' },
  INVALID_INSTANT: { zh: '操作时间无效。', en: 'The time of the action is not valid.' },
  ITEM_NUMBER_REQUIRED: { zh: '事项尚未编号登记。', en: 'The item has no number in the register yet.' },
  INVALID_NOTICE: { zh: '督办通知文件无效。', en: 'The supervision notice file is not valid.' },
  TEXT_REQUIRED: { zh: '须填写内容。', en: 'The text is required.' },
  INVALID_ATTACHMENT: { zh: '附件无效（须有文件和名称）。', en: 'An attachment is not valid (it needs a file and a name).' },
  REASON_REQUIRED: { zh: '必须填写理由。', en: 'A reason is required.' },
  PROGRESS_REQUIRED: { zh: '延期申请须说明目前进展。', en: 'An extension request reports the progress so far.' },
  INVALID_DATE: { zh: '新的完成时限不是有效日期。', en: 'The new deadline is not a valid date.' },
  DEADLINE_NOT_LATER: { zh: '新的完成时限须晚于原时限。', en: 'The new deadline must be later than the current one.' },
  DEADLINE_PASSED: { zh: '已超过完成时限，不能再申请延期，只能升级督办。', en: 'The deadline has passed: no extension, only escalation.' },
  EXTENSION_PENDING: { zh: '已有延期申请正在审批中。', en: 'An extension request is already waiting for a decision.' },
  INVALID_DECISION: {
    zh: '请选择审核意见（报领导审批或不同意；批准或不批准）。',
    en: 'Choose a decision (forward or refuse; approve or refuse).',
  },
  OPINION_REQUIRED: { zh: '须填写审核意见。', en: 'The review needs an opinion.' },
  INVALID_COLOUR: { zh: '督办牌须为蓝牌、黄牌或红牌。', en: 'A card is blue, yellow or red.' },
  COLOUR_NOT_HIGHER: { zh: '督办牌只能升级，不能降级或重复。', en: 'Cards only go up, never down or again.' },
  NOT_OVERDUE: { zh: '事项尚未逾期，不能亮红牌。', en: 'A red card is only for overdue items.' },
  TARGETS_REQUIRED: { zh: '须指明催办对象。', en: 'Name whom to remind.' },
  INVALID_LEVEL: { zh: '请选择紧急催办或一般催办。', en: 'Choose an urgent or a routine reminder.' },
  INVALID_CRITERION: { zh: '审结标准无效。', en: 'A closure criterion is not valid.' },
  DUPLICATE_CRITERION: { zh: '审结标准重复填写。', en: 'A closure criterion is given twice.' },
  CRITERIA_INCOMPLETE: { zh: '五项审结标准须逐项确认。', en: 'Each of the five closure criteria needs a result.' },
  CRITERION_NOT_MET: { zh: '有审结标准未达到：请退回重办。', en: 'A closure criterion is not met: send the item back instead.' },
  REASONS_REQUIRED: { zh: '退回重办须写明理由。', en: 'Sending back needs at least one reason.' },
  INSTRUCTION_REQUIRED: { zh: '重新交办须有领导的新批示。', en: 'Reopening needs the leader’s new instruction.' },
  DEADLINE_IN_PAST: { zh: '新的完成时限不能早于今天。', en: 'The new deadline is before today.' },
  INVALID_RETENTION: { zh: '请选择保管期限。', en: 'Choose a retention period.' },
};

/** The workflow whose gate refused: its own condition table (outgoing: CONDITION_MESSAGES). */
export type ConditionWorkflow = 'outgoing' | 'incoming' | 'supervision';
const CONDITIONS_OF: Record<ConditionWorkflow, Messages> = {
  outgoing: CONDITION_MESSAGES,
  incoming: INCOMING_CONDITION_MESSAGES,
  supervision: SUPERVISION_CONDITION_MESSAGES,
};

/** How the page names what a problem refers to by id (undefined: not known here). */
export interface ProblemNames {
  user?: (id: string) => string | undefined;
  unit?: (id: string) => string | undefined;
  section?: (id: string) => string | undefined;
  /** The text a proofreading mark quotes. */
  mark?: (id: string) => string | undefined;
  state?: (state: string) => string | undefined;
  event?: (type: string) => string | undefined;
  role?: (role: string) => string | undefined;
  element?: (element: string) => string | undefined;
}

type Params = Record<string, unknown>;

const SOMEONE: Record<ProblemLang, string> = { zh: '相关人员', en: 'someone' };
const list = (xs: string[], lang: ProblemLang) => xs.join(lang === 'zh' ? '、' : ', ');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

/** The values a message template may name, from the raw params, resolved to names. */
function values(p: Params, lang: ProblemLang, names: ProblemNames): Record<string, string> {
  const v: Record<string, string> = {};
  for (const [k, x] of Object.entries(p)) if (typeof x === 'string' || typeof x === 'number') v[k] = String(x);
  const sectionId = typeof p.sectionId === 'string' ? p.sectionId : undefined;
  v.section =
    (typeof p.title === 'string' ? p.title : undefined) ?? (sectionId && names.section?.(sectionId)) ?? (lang === 'zh' ? '某' : 'a');
  v.user = typeof p.userId === 'string' ? (names.user?.(p.userId) ?? SOMEONE[lang]) : SOMEONE[lang];
  v.unit = typeof p.issuerUnitId === 'string' ? (names.unit?.(p.issuerUnitId) ?? '') : '';
  const marks = strings(p.markIds);
  v.count = String(marks.length);
  v.marks = list(
    marks.map((id) => {
      const q = names.mark?.(id);
      return q ? `“${q}”` : lang === 'zh' ? '（已删除的文字）' : '(text no longer there)';
    }),
    lang,
  );
  v.items = list(
    strings(p.items).map((n) => (lang === 'zh' ? `（${n}）` : `(${n})`)),
    lang,
  );
  if (typeof p.role === 'string') v.role = names.role?.(p.role) ?? p.role;
  if (typeof p.element === 'string') v.element = names.element?.(p.element) ?? p.element;
  if (typeof p.state === 'string') v.state = names.state?.(p.state) ?? p.state;
  if (typeof p.event === 'string') v.event = names.event?.(p.event) ?? p.event;
  if (typeof p.gate === 'string') v.gate = names.state?.(p.gate) ?? p.gate;
  if (Array.isArray(p.missing)) v.missing = list(strings(p.missing), lang);
  return v;
}

function fill(template: string, v: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => v[k] ?? '');
}

/** The message of a problem code, or null when the code is not one we know (the server's detail is shown then). */
export function problemMessage(code: string | undefined, problem: Params, lang: ProblemLang, names: ProblemNames = {}): string | null {
  const m = code ? PROBLEM_MESSAGES[code] : undefined;
  return m ? fill(m[lang], values(problem, lang, names)) : null;
}

/** The message of one unmet gate condition, with its specifics; the server's words when the code is unknown. */
export function conditionMessage(
  c: { code: string; message: string; params?: Params },
  lang: ProblemLang,
  names: ProblemNames = {},
  workflow: ConditionWorkflow = 'outgoing',
): string {
  const m = CONDITIONS_OF[workflow][c.code];
  return m ? fill(m[lang], values(c.params ?? {}, lang, names)) : c.message;
}
