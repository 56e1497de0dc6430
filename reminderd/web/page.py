"""The page (SPEC §10): :class:`~reminderd.web.content.Content` in, one self-contained HTML
string out. No script, no external asset (fonts are the system's, charts are inline SVG),
readable at a phone's 390 px and a desktop's 1280 px, printable.

The one number that matters comes first (what is still owed, and when it ends); anything
overdue follows at once in red. Served (``actions`` given), each due row has a "Paid" button:
a plain form that POSTs the page's token, so it works without JavaScript too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import quote

from reminderd.text import day, money_whole, month, short_month, t
from reminderd.text import money as cash
from reminderd.web import charts
from reminderd.web.content import DUE_DAYS, Content
from reminderd.web.style import CSS


@dataclass(frozen=True)
class Actions:
    """What the served page needs for its Paid buttons: where to post and the token."""

    post_to: str  # relative URL, e.g. "paid"
    token: str
    notice: str | None = None  # a line to show once, after a payment was recorded


def render(content: Content, actions: Actions | None = None) -> str:
    """Return the page as an HTML document (UTF-8 text). ``actions`` adds Paid buttons."""
    loc = content.locale
    body = [
        _header(content),
        _hero(content),
        _notice(actions),
        _overdue_alert(content),
        _stats(content),
        _dues(content, actions),
        _charts(content),
        _loans(content, served=actions is not None),
        _payments(content),
        f"<footer><p>{escape(t('page.footer', loc))}</p></footer>",
    ]
    lang = "zh-CN" if loc == "zh_CN" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(t('page.title', loc))}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(part for part in body if part)}</main></body></html>\n"
    )


def _money(content: Content, amount: Decimal, currency: str | None = None) -> str:
    return cash(amount, currency or content.currency, content.locale)


def _value(
    content: Content, name: str, amount: Decimal, css: str = "", currency: str | None = None
) -> str:
    """An amount with its exact decimal in ``data-value`` (what a test or a script reads)."""
    return (
        f'<span class="amount {css}" data-total="{name}" data-value="{amount}">'
        f"{escape(_money(content, amount, currency))}</span>"
    )


def _header(content: Content) -> str:
    loc = content.locale
    when = day(content.today, loc) + " " + content.now.astimezone(content.zone).strftime("%H:%M")
    stamp = t("page.as_of", loc, when=when, currency=content.currency)
    return (
        f"<header><h1>{escape(t('page.title', loc))}</h1>"
        f'<p class="muted">{escape(stamp)}</p></header>'
    )


def _hero(content: Content) -> str:
    loc = content.locale
    totals = content.totals
    if totals.owed > 0:
        label = t("page.owed", loc)
        ends = (
            t("page.debt_free", loc, month=month(content.debt_free, loc))
            if content.debt_free
            else ""
        )
    else:
        label = t("page.owed.none", loc)
        ends = t("page.debt_free.done", loc)
    return (
        f'<section class="hero"><p class="label">{escape(label)}</p>'
        f'<p class="big">{_value(content, "owed", totals.owed)}</p>'
        f'<p class="ends">{escape(ends)}</p></section>'
    )


def _notice(actions: Actions | None) -> str:
    if actions is None or not actions.notice:
        return ""
    return f'<p class="notice" role="status">{escape(actions.notice)}</p>'


def _overdue_alert(content: Content) -> str:
    totals = content.totals
    if totals.overdue <= 0:
        return ""
    text = t("page.overdue.alert", content.locale, amount=_money(content, totals.overdue))
    return f'<p class="alert" role="alert"><strong>!</strong> {escape(text)}</p>'


def _sub(text: str, attributes: str = "") -> str:
    return f'<span class="sub"{attributes}>{escape(text)}</span>'


def _stat(css: str, label: str, value: str, sub: str = "") -> str:
    return f'<div class="stat {css}"><span class="label">{escape(label)}</span>{value}{sub}</div>'


def _stats(content: Content) -> str:
    loc = content.locale
    totals = content.totals
    label = t("page.overdue", loc)
    # The cost so far stays shown once something was paid late, even with nothing overdue now.
    cost = ""
    if totals.overdue_cost > 0 or totals.overdue_per_day > 0:
        key = "page.overdue.cost" if totals.overdue_per_day > 0 else "page.overdue.cost.fixed"
        text = t(
            key,
            loc,
            cost=_money(content, totals.overdue_cost),
            per_day=_money(content, totals.overdue_per_day),
        )
        cost = _sub(text, f' data-total="overdue_cost" data-value="{totals.overdue_cost}"')
    if totals.overdue > 0:
        amount = _value(content, "overdue", totals.overdue, "urgent")
        cards = [_stat("urgent", label, amount, cost)]
    else:
        none = cost or _sub(t("page.overdue.none", loc))
        cards = [_stat("calm", label, _value(content, "overdue", totals.overdue), none)]
    cards.append(
        _stat("", t("page.paid_month", loc), _value(content, "paid_month", totals.paid_month))
    )
    cards.append(
        _stat("", t("page.due_month", loc), _value(content, "due_month", totals.due_month))
    )
    if totals.budget is None:
        cards.append(_stat("", t("page.budget", loc), "", _sub(t("page.budget.none", loc))))
    else:
        left = totals.budget - totals.due_month
        key, css = ("page.budget.left", "") if left >= 0 else ("page.budget.over", "warn")
        sub = _sub(
            t(key, loc, amount=_money(content, abs(left))),
            f' data-total="left" data-value="{left}"',
        )
        budget = _value(content, "budget", totals.budget)
        cards.append(_stat(css, t("page.budget", loc), budget, sub))
    return f'<section class="stats">{"".join(cards)}</section>'


def _when(content: Content, row: dict[str, Any]) -> str:
    loc = content.locale
    left = (datetime.fromisoformat(row["due"]).date() - content.today).days
    if left == 0:
        return t("page.days.today", loc)
    if left == 1:
        return t("page.days.in_one", loc)
    if left > 1:
        return t("page.days.in", loc, days=left)
    return t("page.days.ago_one", loc) if left == -1 else t("page.days.ago", loc, days=-left)


def _pay_form(content: Content, row: dict[str, Any], actions: Actions) -> str:
    amount = _money(content, Decimal(row["outstanding"]), row["currency"])
    hint = t("page.pay.hint", content.locale, amount=amount)
    return (
        f'<form method="post" action="{escape(actions.post_to)}" class="pay">'
        f'<input type="hidden" name="token" value="{escape(actions.token)}">'
        f'<input type="hidden" name="loan" value="{escape(row["loan"])}">'
        f'<input type="hidden" name="version" value="{int(row.get("version", 1))}">'
        f'<input type="hidden" name="number" value="{int(row["number"])}">'
        f'<button type="submit" title="{escape(hint)}">{escape(t("page.pay", content.locale))}'
        "</button></form>"
    )


def _due_row(
    content: Content, row: dict[str, Any], actions: Actions | None, in_force: dict[str, int]
) -> str:
    loc = content.locale
    overdue = row["status"] == "overdue"
    number = f"{row['number']}/{row['of']}" if row["of"] else str(row["number"])
    version = int(row.get("version", 1))
    if version > 1:  # numbers start again in each agreed plan: say which one
        number = t("page.loan.version", loc, version=version) + " · " + number
    outstanding = Decimal(row["outstanding"])
    times = [
        datetime.fromisoformat(at).strftime("%m-%d %H:%M")
        for at in row["reminders"]
        if datetime.fromisoformat(at) > content.now
    ]
    if overdue:
        reminders = ""  # the badge and the days late say it; reminders before it are past
    elif times:
        reminders = t("page.reminders", loc, times=", ".join(times))
    else:
        reminders = t("page.reminders.none", loc)
    # Money paid today belongs to the version in force today (SPEC §8): an installment of an
    # agreement not in force yet cannot be paid from here (the server would refuse it too).
    payable = outstanding > 0 and int(row.get("version", 1)) == in_force.get(row["loan"], 1)
    button = _pay_form(content, row, actions) if actions is not None and payable else ""
    badge = t("page.status.overdue" if overdue else "page.status.upcoming", loc)
    due = day(datetime.fromisoformat(row["due"]).date(), loc)
    owe = _money(content, outstanding, row["currency"])
    return (
        f'<li class="due{" overdue" if overdue else ""}" data-loan="{escape(row["loan"])}" '
        f'data-version="{version}" data-number="{int(row["number"])}">'
        f'<div class="when"><span class="badge">{escape(badge)}</span>'
        f'<span class="date">{escape(due)}</span>'
        f'<span class="rel">{escape(_when(content, row))}</span></div>'
        f'<div class="what"><span class="name">{escape(row["name"])}</span> '
        f'<span class="muted">{escape(number)}</span>'
        f'<span class="rem">{escape(reminders)}</span></div>'
        f'<div class="pay-col"><span class="owe">{escape(owe)}</span>{button}</div></li>'
    )


def _dues(content: Content, actions: Actions | None) -> str:
    loc = content.locale
    title = f"<h2>{escape(t('page.next', loc))}</h2>"
    if not content.dues:
        empty = escape(t("page.next.none", loc, days=DUE_DAYS))
        return f'<section>{title}<p class="muted">{empty}</p></section>'
    in_force = {loan["id"]: int(loan.get("version", 1)) for loan in content.loans}
    rows = "".join(_due_row(content, row, actions, in_force) for row in content.dues)
    return f'<section>{title}<ul class="dues">{rows}</ul></section>'


def _axis_money(content: Content) -> Callable[[Decimal], str]:
    return lambda amount: money_whole(amount, content.currency, content.locale)


def _charts(content: Content) -> str:
    loc = content.locale
    parts = []
    if content.chart_months:
        budget = content.totals.budget
        caption = (
            t("page.chart.dues.label", loc, budget=_money(content, budget))
            if budget is not None
            else t("page.chart.dues.label_nobudget", loc)
        )
        svg = charts.dues_chart(
            content.chart_months,
            budget,
            label=lambda m: short_month(m, loc),
            amount=lambda a: _money(content, a),
            axis_label=_axis_money(content),
            title=t("page.chart.dues", loc),
            over_text=t("page.chart.over", loc),
        )
        parts.append(
            f'<figure class="card" id="dues-chart"><h2>{escape(t("page.chart.dues", loc))}</h2>'
            f"{svg}<figcaption>{escape(caption)}</figcaption></figure>"
        )
    if content.balances:
        svg = charts.balance_chart(
            content.balances,
            label=lambda m: short_month(m, loc),
            amount=lambda a: _money(content, a),
            axis_label=_axis_money(content),
            title=t("page.chart.balance", loc),
        )
        parts.append(
            f'<figure class="card" id="balance-chart"><h2>{escape(t("page.chart.balance", loc))}'
            f"</h2>{svg}<figcaption>{escape(t('page.chart.balance.label', loc))}</figcaption>"
            "</figure>"
        )
    return f'<section class="charts">{"".join(parts)}</section>' if parts else ""


def _loan(content: Content, row: dict[str, Any], served: bool = False) -> str:
    loc = content.locale
    currency = row["currency"]
    total, paid = Decimal(row["total"]), Decimal(row["paid"])
    outstanding, overdue = Decimal(row["outstanding"]), Decimal(row["overdue"])
    share = 100 if total == 0 else int(min(paid / total, Decimal(1)) * 100)
    tags = [t("page.ongoing", loc)] if row.get("ongoing") else []
    if row.get("apart"):
        tags.append(t("page.apart", loc))
    version = t("page.loan.version", loc, version=row.get("version", 1))
    if row.get("agreed_on"):
        agreed = day(datetime.fromisoformat(row["agreed_on"]).date(), loc)
        version += " · " + t("page.loan.agreed", loc, on=agreed)
    next_due = (
        day(datetime.fromisoformat(row["next_due"]).date(), loc)
        if row["next_due"]
        else t("page.loan.next.none", loc)
    )
    lender = f' <span class="muted">· {escape(row["lender"])}</span>' if row["lender"] else ""
    tag_html = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in tags)
    progress = t(
        "page.loan.paid",
        loc,
        paid=_money(content, paid, currency),
        total=_money(content, total, currency),
    )
    facts = [
        ("", t("page.loan.outstanding", loc), _money(content, outstanding, currency)),
        ("", t("page.loan.next", loc), next_due),
    ]
    if overdue > 0:
        facts.append(("urgent", t("page.overdue", loc), _money(content, overdue, currency)))
    # The plan in force and its agreement first: the rest of the card follows from it.
    notes = [f'<p class="muted small version">{escape(version)}</p>']
    cost = Decimal(row.get("overdue_cost") or 0)
    per_day = Decimal(row.get("overdue_per_day") or 0)
    if cost > 0 or (overdue > 0 and per_day > 0):
        days = int(row.get("overdue_days") or 0)
        if days == 0:  # paid, late: what it cost stays on the record
            key = "page.loan.cost"
        else:
            key = "page.loan.late" if per_day > 0 else "page.loan.late.fixed"
        late = t(
            key,
            loc,
            days=days,
            cost=_money(content, cost, currency),
            per_day=_money(content, per_day, currency),
        )
        notes.append(f'<p class="late" data-value="{cost}">{escape(late)}</p>')
    rolled = Decimal(row.get("rolled") or 0)
    if rolled > 0:
        text = t("page.loan.rolled", loc, amount=_money(content, rolled, currency))
        notes.append(f'<p class="muted small">{escape(text)}</p>')
    facts_html = "".join(
        f'<div class="{css}"><dt>{escape(term)}</dt><dd>{escape(text)}</dd></div>'
        for css, term, text in facts
    )
    command = f"reminderd case {row['id']}"
    case = t("page.loan.case", loc, command=command)
    if served:  # the server answers case/<id> (read only); a written file has only the command
        link = t("page.loan.case.open", loc)
        case_html = (
            f'<a class="case" href="case/{quote(row["id"])}">{escape(link)}</a>'
            f" · <code>{escape(command)}</code>"
        )
    else:
        case_html = f"<code>{escape(case)}</code>"
    return (
        f'<article class="loan card{" overdue" if overdue > 0 else ""}" '
        f'data-loan="{escape(row["id"])}" data-version="{int(row.get("version", 1))}">'
        f"<h3>{escape(row['name'])}{lender}{tag_html}</h3>"
        f'<div class="bar-track"><div class="bar-fill" style="width:{share}%"></div></div>'
        f'<p class="muted">{escape(progress)}</p><dl>{facts_html}</dl>{"".join(notes)}'
        f'<p class="muted small">{case_html}</p></article>'
    )


def _loans(content: Content, served: bool = False) -> str:
    cards = "".join(_loan(content, row, served) for row in content.loans)
    title = escape(t("page.loans", content.locale))
    return f'<section><h2>{title}</h2><div class="loans">{cards}</div></section>'


def _payment(content: Content, payment: Any) -> str:
    loc = content.locale
    if payment.receipt_sha256:
        digest = payment.receipt_sha256[:12] + "…"
        receipt = t("page.receipt", loc, name=payment.receipt_name or "", digest=digest)
    elif payment.undoes is not None:
        receipt = t("page.undo", loc, id=payment.undoes)
    else:
        receipt = t("page.receipt.none", loc)
    return (
        f"<tr><td>{escape(day(payment.paid_on, loc))}</td>"
        f"<td>{escape(content.names.get(payment.loan_id, payment.loan_id))}</td>"
        f'<td class="num">{escape(_money(content, payment.amount, payment.currency))}</td>'
        f'<td class="muted">{escape(receipt)}</td></tr>'
    )


def _payments(content: Content) -> str:
    loc = content.locale
    title = f"<h2>{escape(t('page.payments', loc))}</h2>"
    if not content.payments:
        empty = escape(t("page.payments.none", loc))
        return f'<section>{title}<p class="muted">{empty}</p></section>'
    rows = "".join(_payment(content, payment) for payment in content.payments)
    return (
        f'<section>{title}<div class="table-wrap"><table class="payments">{rows}</table>'
        "</div></section>"
    )
