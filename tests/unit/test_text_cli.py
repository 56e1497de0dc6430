"""The commands' catalogue (text/cli.py): both locales, the same fields; errors that carry
their key and are said again in a locale; a payment's summary in Chinese."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest

from reminderd import money, text
from reminderd.accounts.describe import settlement
from reminderd.errors import RuntimeFailure, UserError
from reminderd.model import Installment
from reminderd.standing import allocate
from reminderd.text import cli, errors


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# A reader's English reason, which Chinese replaces by what to write (the value typed).
REASON_IN_ENGLISH = {"plan.rate", "plan.every", "plan.first_due"}


@pytest.mark.parametrize("table", [cli, errors], ids=["cli", "errors"])
def test_every_command_text_exists_in_both_locales_with_the_same_fields(table) -> None:  # noqa: ANN001
    assert list(table.EN) == list(table.ZH_CN)  # same order: a missing translation shows
    for key, english in table.EN.items():
        if key in REASON_IN_ENGLISH:
            assert (fields(english), fields(table.ZH_CN[key])) == ({"reason"}, {"text"}), key
            continue
        assert fields(english) == fields(table.ZH_CN[key]), key


def test_one_key_one_meaning_across_the_catalogues() -> None:
    tables = [set(text.catalogue.EN), set(cli.EN), set(errors.EN)]
    assert sum(len(keys) for keys in tables) == len(set().union(*tables))


def test_a_said_error_is_english_in_logs_and_chinese_on_request() -> None:
    error = UserError.said("ledger.no_payment", id=7)
    assert error.message == "there is no payment 7 (see `reminderd history`)"
    assert error.in_locale("zh_CN") == "没有第 7 笔还款（见 `reminderd history`）"
    assert error.exit_code == 2
    failure = RuntimeFailure.said("service.tool_missing", tool="systemctl")
    assert (failure.exit_code, failure.in_locale("zh_CN")) == (1, "本机没有安装 systemctl")
    plain = UserError("as it was")
    assert plain.in_locale("zh_CN") == "as it was"  # no key: the message as given


@pytest.mark.parametrize(
    ("written", "currency", "english", "chinese"),
    [
        (
            "12,50",
            "CNY",
            "not an amount: '12,50': the decimal mark is a point (if you mean 12.50, write "
            "that); a comma only separates groups of three digits (1,200.50)",
            "不是金额：'12,50'：小数点用点号（如果您指的是 12.50，请这样写）；"
            "逗号只用来每三位分隔（1,200.50）",
        ),
        ("1.5", "JPY", "1.5 has too many decimals: JPY takes no decimals", None),
        ("-3", "CNY", "must not be negative, got -3", "不能是负数，收到的是 -3"),
        ("0", "CNY", "must be more than 0", "必须大于 0"),
    ],
)
def test_amount_errors_keep_their_english_and_speak_chinese(
    written: str, currency: str, english: str, chinese: str | None
) -> None:
    with pytest.raises(money.AmountError) as raised:
        money.parse_amount(written, currency)
    assert str(raised.value) == english
    if chinese is not None:
        assert raised.value.in_locale("zh_CN") == chinese
    else:
        assert raised.value.in_locale("zh_CN") == "1.5 的小数位太多：JPY 没有小数"


def _rows(*amounts: str) -> tuple[Installment, ...]:
    from datetime import UTC, date, datetime

    return tuple(
        Installment(
            loan_id="loan-a",
            number=n,
            of=len(amounts),
            nominal=date(2027, n, 1),
            due=date(2027, n, 1),
            due_at=datetime(2027, n, 1, 9, tzinfo=UTC),
            amount=Decimal(amount),
            principal=Decimal(amount),
            interest=Decimal(0),
            balance_after=Decimal(0),
        )
        for n, amount in enumerate(amounts, start=1)
    )


def test_a_payments_summary_in_chinese() -> None:
    rows = _rows("1000", "1000", "1000")
    before, after = allocate(rows, Decimal(0)), allocate(rows, Decimal(1200))
    # 1200 = 1000 settling 1/3 + 200 of 1000 on 2/3
    assert settlement(before, after, "CNY", "zh_CN") == (
        "还清 第 1/3 期（¥1,000.00）；第 2/3 期还了一部分：已还 ¥200.00，共 ¥1,000.00"
    )
    assert settlement(after, before, "CNY", "zh_CN").startswith(
        "重新打开 第 1/3 期（欠 ¥1,000.00）"
    )
    # 3500 = 3000 for everything + 500 beyond it
    beyond = allocate(rows, Decimal(3500))
    assert settlement(allocate(rows, Decimal(3000)), beyond, "JPY", "zh_CN") == (
        "多还 JP¥500，超出还款计划的全部应还"
    )


def test_a_plans_period_in_both_locales() -> None:
    assert text.step(1, "month", "en") == "1 month"
    assert text.step(2, "week", "en") == "2 weeks"
    assert text.step(2, "week", "zh_CN") == "2 周"
    assert text.state("overdue", "zh_CN") == "已逾期"
    assert text.state("overdue", "en") == "OVERDUE"


def test_a_channel_finding_is_english_for_the_log_and_chinese_for_check(tmp_path) -> None:  # noqa: ANN001
    from reminderd.channels.checks import ERROR, UNVERIFIED, check_channels
    from reminderd.model import AppriseSettings, Channels, CommandSettings

    missing = tmp_path / "notifier"
    [finding] = check_channels(Channels(command=CommandSettings(argv=(str(missing),))), {})
    assert finding.level == ERROR
    assert finding.line() == f"channels.command.argv[0]: {missing} does not exist"
    assert finding.line("zh_CN") == f"channels.command.argv[0]: {missing} 不存在"
    apprise = Channels(apprise=AppriseSettings(urls=(), urls_env="PUSH_URLS"))
    [unset] = check_channels(apprise, {})
    assert unset.level == UNVERIFIED
    assert unset.line() == (
        "channels.apprise.urls_env: the variable PUSH_URLS is not set here; the service needs it"
    )
    assert unset.line("zh_CN") == (
        "channels.apprise.urls_env: 变量 PUSH_URLS 在这里没有设置；服务运行时需要它"
    )


def test_a_channels_refusal_keeps_english_for_the_log_and_says_chinese_for_notify_test() -> None:
    from reminderd.channels import DeliveryError

    error = DeliveryError.said("deliver.status", program="/bin/false", code=1, tail="")
    assert (error.reason, error.permanent) == ("/bin/false exited with status 1", False)
    assert error.in_locale("zh_CN") == "/bin/false 以状态 1 退出"
    assert DeliveryError("as it was").in_locale("zh_CN") == "as it was"


def test_a_password_file_others_can_read_is_refused_in_both_locales(tmp_path) -> None:  # noqa: ANN001
    from reminderd.channels.checks import ERROR, check_channels
    from reminderd.model import Channels, EmailSettings, Secret

    secret = tmp_path / "smtp-password"
    secret.write_text("invented-password\n")
    secret.chmod(0o644)
    channels = Channels(
        email=EmailSettings(
            host="127.0.0.1",
            port=2525,
            security="none",
            sender="me@example.com",
            to=("you@example.com",),
            username="me",
            password=Secret(file=secret),
        )
    )
    [finding] = check_channels(channels, {})
    assert finding.level == ERROR
    where = "channels.email.password_file"
    assert finding.line() == (
        f"{where}: password file {secret} is accessible by other users (mode 0644); "
        f"it is refused until you run: chmod 600 {secret}"
    )
    assert finding.line("zh_CN") == (
        f"{where}: 密码文件 {secret} 其他用户也能访问（权限 0644）；"
        f"在运行 chmod 600 {secret} 之前不会使用它"
    )
