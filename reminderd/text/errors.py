"""The errors' texts, by key: what a command refuses (the ledger, receipts and attachments,
amounts, the case file's export, the page, a channel's settings, dates and notes typed), in
English and Simplified Chinese. Raised as ``UserError.said(key, ...)`` (or as
:class:`reminderd.money.AmountError`, a channel ``Finding``): the English text is the message
logs keep; the command line says it again in the config's locale. Keep both tables in the
same order."""

from __future__ import annotations

EN: dict[str, str] = {
    "error.unknown_loan": "unknown loan {loan!r}; the config has: {known}",
    "error.on.not_date": "--on: not a real date: {text!r} (write it as YYYY-MM-DD)",
    "error.on.format": "--on: write the date as YYYY-MM-DD, got {text!r}",
    "error.on.future": "--on: {day} is in the future (today is {today})",
    "error.on.future_time": "--on: {text} is in the future",
    "error.on.not_when": "--on: not a date or time: {text!r} (write YYYY-MM-DD or "
    "'YYYY-MM-DD HH:MM')",
    "error.too_long": "{what} is too long ({length} characters; at most {limit})",
    "error.control": "{what} must not contain control characters",
    "error.undo.id": "--undo needs a {what} id (a number), got {text!r}",
    "channel.unset": "the variable {name} is not set here; the service needs it",
    "channel.missing": "{path} does not exist",
    "channel.ca_unloadable": "cannot load {path}: {reason}",
    "channel.not_executable": "{program} is not an executable file",
    "channel.not_on_path": "{program} is not found on the PATH here",
    "export.zip_exists": "{path} already exists; choose a new name (nothing was written)",
    "export.folder_exists": "{path} already exists and is not an empty folder; choose a new one",
    "export.no_folder": "the folder {path} does not exist",
    "export.cannot_write_in": "cannot write in {path}: {reason}",
    "export.cannot_write": "cannot write the case file {path}: {reason}; nothing was written",
    "export.copy_missing": "the stored copy of {name} (sha256 {digest}…) is missing from the "
    "state directory; nothing was written",
    "report.not_a_file": "cannot write the page to {path}: not a regular file",
    "report.cannot_write": "cannot write the page to {path}: {reason}",
    "ledger.no_payment": "there is no payment {id} (see `reminderd history`)",
    "ledger.undo_of_undo": "payment {id} is itself the undo of payment {undoes}; record the "
    "payment again with `reminderd pay` instead",
    "ledger.already_undone": "payment {id} was already undone by entry {by}",
    "ledger.no_note": "there is no note {id} (see `reminderd case LOAN`)",
    "ledger.note_is_reversal": "note {id} is itself the reversal of note {undoes}",
    "ledger.note_reversed": "note {id} was already reversed by note {by}",
    "receipt.not_found": "receipt not found: {text}",
    "receipt.unreadable": "cannot read the receipt {text}: {reason}",
    "receipt.directory": "the receipt {text} is a directory; give the file itself",
    "receipt.not_regular": "the receipt {text} is not a regular file",
    "receipt.too_large": "the receipt {text} is too large ({size} MB; at most {limit} MB)",
    "attachment.not_found": "attachment not found: {text}",
    "attachment.unreadable": "cannot read the attachment {text}: {reason}",
    "attachment.directory": "the attachment {text} is a directory; give the file itself",
    "attachment.not_regular": "the attachment {text} is not a regular file",
    "attachment.too_large": "the attachment {text} is too large ({size} MB; at most {limit} MB)",
    "amount.plain": "not an amount: {text!r} (write it like 1200, 1200.50 or 1,200.50)",
    "amount.decimal_comma": "not an amount: {text!r}: the decimal mark is a point (if you mean "
    "{meant}, write that); a comma only separates groups of three digits (1,200.50)",
    "amount.mixed": "not an amount: {text!r}: the decimal mark is a point and a comma only "
    "separates thousands (write it like 1200, 1200.50 or 1,200.50)",
    "amount.groups": "not an amount: {text!r}: a comma separates thousands, so groups of three "
    "digits must follow it (write it like 1200, 1200.50 or 1,200.50)",
    "amount.negative": "must not be negative, got {text}",
    "amount.zero": "must be more than 0",
    "amount.large": "is too large: {text}",
    "amount.no_decimals": "{text} has too many decimals: {currency} takes no decimals",
    "amount.decimals": "{text} has too many decimals: {currency} takes at most {places} decimals",
}

ZH_CN: dict[str, str] = {
    "error.unknown_loan": "没有借款 {loan!r}；配置中有：{known}",
    "error.on.not_date": "--on：不是有效日期：{text!r}（请写成 YYYY-MM-DD）",
    "error.on.format": "--on：日期请写成 YYYY-MM-DD，收到的是 {text!r}",
    "error.on.future": "--on：{day} 还没到（今天是 {today}）",
    "error.on.future_time": "--on：{text} 还没到",
    "error.on.not_when": "--on：不是日期或时间：{text!r}（请写 YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'）",
    "error.too_long": "{what} 太长（{length} 个字符；最多 {limit} 个）",
    "error.control": "{what} 不能包含控制字符",
    "error.undo.id": "--undo 需要{what}编号（一个数字），收到的是 {text!r}",
    "channel.unset": "变量 {name} 在这里没有设置；服务运行时需要它",
    "channel.missing": "{path} 不存在",
    "channel.ca_unloadable": "无法加载 {path}：{reason}",
    "channel.not_executable": "{program} 不是可执行文件",
    "channel.not_on_path": "在这里的 PATH 中找不到 {program}",
    "export.zip_exists": "{path} 已经存在；请换一个新名字（什么都没有写入）",
    "export.folder_exists": "{path} 已经存在且不是空文件夹；请换一个新的",
    "export.no_folder": "文件夹 {path} 不存在",
    "export.cannot_write_in": "无法在 {path} 中写入：{reason}",
    "export.cannot_write": "无法写入案卷 {path}：{reason}；什么都没有写入",
    "export.copy_missing": "状态目录中缺少 {name} 的存档副本（sha256 {digest}…）；什么都没有写入",
    "report.not_a_file": "无法把页面写到 {path}：它不是普通文件",
    "report.cannot_write": "无法把页面写到 {path}：{reason}",
    "ledger.no_payment": "没有第 {id} 笔还款（见 `reminderd history`）",
    "ledger.undo_of_undo": "第 {id} 笔本身就是对第 {undoes} 笔还款的撤销；请改用 "
    "`reminderd pay` 重新记录这笔还款",
    "ledger.already_undone": "第 {id} 笔还款已被第 {by} 笔撤销",
    "ledger.no_note": "没有第 {id} 条记录（见 `reminderd case LOAN`）",
    "ledger.note_is_reversal": "第 {id} 条本身就是对第 {undoes} 条记录的撤销",
    "ledger.note_reversed": "第 {id} 条记录已被第 {by} 条撤销",
    "receipt.not_found": "找不到凭证：{text}",
    "receipt.unreadable": "无法读取凭证 {text}：{reason}",
    "receipt.directory": "凭证 {text} 是一个文件夹；请给出文件本身",
    "receipt.not_regular": "凭证 {text} 不是普通文件",
    "receipt.too_large": "凭证 {text} 太大（{size} MB；最多 {limit} MB）",
    "attachment.not_found": "找不到附件：{text}",
    "attachment.unreadable": "无法读取附件 {text}：{reason}",
    "attachment.directory": "附件 {text} 是一个文件夹；请给出文件本身",
    "attachment.not_regular": "附件 {text} 不是普通文件",
    "attachment.too_large": "附件 {text} 太大（{size} MB；最多 {limit} MB）",
    "amount.plain": "不是金额：{text!r}（请写成 1200、1200.50 或 1,200.50）",
    "amount.decimal_comma": "不是金额：{text!r}：小数点用点号（如果您指的是 {meant}，请这样写）；"
    "逗号只用来每三位分隔（1,200.50）",
    "amount.mixed": "不是金额：{text!r}：小数点用点号，逗号只分隔千位"
    "（请写成 1200、1200.50 或 1,200.50）",
    "amount.groups": "不是金额：{text!r}：逗号分隔千位，其后必须是三位数字"
    "（请写成 1200、1200.50 或 1,200.50）",
    "amount.negative": "不能是负数，收到的是 {text}",
    "amount.zero": "必须大于 0",
    "amount.large": "太大了：{text}",
    "amount.no_decimals": "{text} 的小数位太多：{currency} 没有小数",
    "amount.decimals": "{text} 的小数位太多：{currency} 最多 {places} 位小数",
}
