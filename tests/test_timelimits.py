"""The time-limit parser: real phrasings from the documents and from published catalogs."""

import pytest

from zwgk.timelimits import normalize, parse

# text, kind, expected fields — drawn from the seeds (000–004) and from catalogs of several domains;
# Traditional ones as the Shandong 2018 notice writes them.
PHRASINGS = [
    ("自信息形成或者变更之日起20个工作日内", "period", dict(amount=20, unit="workday", anchor="formed_or_changed")),
    ("自该政府信息形成或者变更之日起20个工作日内", "period", dict(amount=20, unit="workday", anchor="formed_or_changed")),
    ("信息形成或变更之日起20个工作日内", "period", dict(amount=20, unit="workday", anchor="formed_or_changed")),
    ("自信息形成或者变更之日起二十个工作日内", "period", dict(amount=20, unit="workday")),
    ("自信息形成或者变更之日起２０个工作日内", "period", dict(amount=20, unit="workday")),
    ("自信息形成或者變更之日起20個工作日內", "period", dict(amount=20, unit="workday", anchor="formed_or_changed")),
    ("文件公布后3个工作日内", "period", dict(amount=3, unit="workday", anchor="document_published")),
    ("相關解讀材料應于文件公布后3個工作日內主動發布", "period",
     dict(amount=3, unit="workday", anchor="document_published")),
    ("在决定作出后24小时内在政府网站公开", "period", dict(amount=24, unit="hour", anchor="decision_made")),
    ("在決定作出后24小時內在政府網站公開", "period", dict(amount=24, unit="hour", anchor="decision_made")),
    ("在完成审批程序后1个工作日内", "period", dict(amount=1, unit="workday", anchor="approval_completed")),
    ("收到申请之日起20个工作日内", "period", dict(amount=20, unit="workday", anchor="application_received")),
    ("收到申请之日起20个工作日内，需要延长答复期限的，延长的期限最长不得超过20个工作日", "period",
     dict(amount=20, unit="workday", extension=20)),
    ("作出行政处罚决定之日起7个工作日内", "period", dict(amount=7, unit="workday", anchor="decision_made")),
    ("行政许可决定作出之日起七日内", "period", dict(amount=7, unit="day", anchor="decision_made")),
    ("项目批准后10个工作日内", "period", dict(amount=10, unit="workday", anchor="approval_completed")),
    ("批准之日起15日内", "period", dict(amount=15, unit="day", anchor="approval_completed")),
    ("事故发生后1小时内", "period", dict(amount=1, unit="hour", anchor="event_occurred")),
    ("信息变更后5个工作日内更新", "period", dict(amount=5, unit="workday", anchor="changed")),
    ("自受理之日起20日内", "period", dict(amount=20, unit="day", anchor="received")),
    ("一个月内", "period", dict(amount=1, unit="month")),
    ("5日内", "period", dict(amount=5, unit="day", anchor=None)),
    ("公告公示时间原则上不得少于10天", "display", dict(amount=10, unit="day", minimum=True)),
    ("公告公示時間原則上不得少于10天", "display", dict(amount=10, unit="day")),
    ("公示期不少于5个工作日", "display", dict(amount=5, unit="workday")),
    ("公示7个工作日", "display", dict(amount=7, unit="workday")),
    ("公示时间不少于7天", "display", dict(amount=7, unit="day")),
    ("每年7月底前", "deadline", dict(month=7, day=None)),
    ("每年七月底前", "deadline", dict(month=7, day=None)),
    ("各市、縣(市、區)政府要在每年7月底前公開", "deadline", dict(month=7, day=None)),
    ("每年1月31日前", "deadline", dict(month=1, day=31)),
    ("每年3月底前公开上一年度政府信息公开工作年度报告", "deadline", dict(month=3)),
    ("9月底前完成试点验收", "deadline", dict(month=9)),
    ("10月底前報送試點成果和總體情況", "deadline", dict(month=10)),
    ("今年年底前要完成主动公开基本目录的编制工作", "deadline", dict(month=12, day=None)),
    ("按月", "cadence", dict(cadence="monthly")),
    ("月度", "cadence", dict(cadence="monthly")),
    ("每月定期在網站發布疫情信息", "cadence", dict(cadence="monthly")),
    ("按季度", "cadence", dict(cadence="quarterly")),
    ("每季度", "cadence", dict(cadence="quarterly")),
    ("按季度發布全省住房公積金繳存、提取、貸款等信息", "cadence", dict(cadence="quarterly")),
    ("每半年", "cadence", dict(cadence="halfyearly")),
    ("每年", "cadence", dict(cadence="yearly")),
    ("每月10日前", "cadence", dict(cadence="monthly", day=10)),
    ("每季度首月15日前", "cadence", dict(cadence="quarterly", day=15)),
    ("年内不得少于2次", "count", dict(amount=2)),
    ("各級、各部門年內邀請相關人員列席政府常務會議、部門辦公會議不得少于2次", "count", dict(amount=2)),
    ("实时", "qualitative", {}),
    ("及时公开", "qualitative", {}),
    ("长期公示", "qualitative", {}),
    ("實行長期公示", "qualitative", {}),
    ("常态化公开", "qualitative", {}),
]
UNPARSEABLE = ["分值不低于4%", "先审查后公开、一事一审，建立审查记录", "依申请公开", "按有关规定", "", "全社会"]


def test_at_least_forty_distinct_phrasings():
    assert len({t for t, _, _ in PHRASINGS}) >= 40


@pytest.mark.parametrize("text, kind, fields", PHRASINGS)
def test_phrasing(text, kind, fields):
    rule = parse(text)
    assert rule.kind == kind, (text, rule)
    for name, value in fields.items():
        assert getattr(rule, name) == value, (text, name, rule)
    assert rule.text == text  # the text is kept as written
    assert rule.describe()


@pytest.mark.parametrize("text", UNPARSEABLE)
def test_unparseable_text_is_reported_not_guessed(text):
    rule = parse(text)
    assert rule.kind == "unparsed" and rule.text == text and not rule.has_due_date


def test_normalize_folds_traditional_full_width_and_chinese_numerals():
    assert normalize("二十個工作日內") == "20个工作日内"
    assert normalize("１５ 日") == "15日"
    assert normalize("一百二十天") == "120天"
    assert normalize("十五日") == "15日"
    assert normalize("一事一审") == "一事一审"  # not a number of anything


IMPOSSIBLE = [("每年7月32日前", ["7月32日"]), ("2026年2月30日前", ["2026年2月30"]), ("2026年13月前", ["2026年13月"]),
              ("2018-13-01前公开", ["2018-13-01"]), ("七月三十二日前", ["7月32日"]), ("每年十三月底前", ["13月"]),
              ("2018.02.30", ["2018.02.30"]), ("每年4月31日、7月15日前", ["4月31日"])]


@pytest.mark.parametrize("text, bad", IMPOSSIBLE)
def test_dates_that_do_not_exist_are_found(text, bad):
    from zwgk.timelimits import impossible_dates

    assert impossible_dates(text) == tuple(bad)


def test_every_real_phrasing_has_only_real_dates():
    """No false alarm on the 53 phrasings above, nor on periods of months or leap days."""
    from zwgk.timelimits import impossible_dates

    extra = ["每年二月二十九日前", "3个月内", "12个月内公开", "每年6月、12月底前", "次年3月31日前", "2018年9月30日前"]
    assert {t: impossible_dates(t) for t, _, _ in PHRASINGS if impossible_dates(t)} == {}
    assert {t: impossible_dates(t) for t in extra + UNPARSEABLE if impossible_dates(t)} == {}
