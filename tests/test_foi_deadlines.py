"""依申请公开 deadlines on the official calendar (政府信息公开条例 第三十、三十二、三十三条)."""

import datetime as dt

import pytest

from zwgk.db import Database
from zwgk.foi import deadlines, service
from zwgk.foi.models import InfoRequest
from zwgk.workcalendar import WorkCalendar

DX = "湖南省/永州市/道县"
D = dt.date


@pytest.fixture
def db(regions_db_url):
    database = Database(regions_db_url)
    yield database
    database.dispose()


def _new(session, channel="in_person", received_on=None):
    req, secret = service.register(session, unit=DX, channel=channel, description="2025年某村征地补偿安置方案",
                                   applicant_name="张三", applicant_contact="13800000000", actor="clerk",
                                   received_on=received_on,
                                   submitted_at=dt.datetime(2025, 9, 12, 2, 0, tzinfo=dt.timezone.utc))
    return req


def test_correction_and_extension_across_national_day_2025(db):
    """The hand count, on the official 2025 arrangement (国务院办公厅关于2025年部分节假日安排的通知):
    国庆节、中秋节 10月1日至8日放假调休，共8天；9月28日（星期日）、10月11日（星期六）上班.

    Received in person on Fri 2025-09-12 (第三十一条第（一）项: the day it is handed in).
    Correction asked on Tue 09-16 (within 7 working days of receipt: 09-15..09-23 → by 09-23),
    10 working days given; corrected application received Fri 09-19.  The 20 working days of
    第三十三条 run from 09-19 (第三十条), the day itself not counted:

      09-22 Mon 1, 09-23 2, 09-24 3, 09-25 4, 09-26 5, (09-27 Sat off),
      09-28 Sun 调休 6, 09-29 7, 09-30 8, (10-01 … 10-08 holiday), 10-09 Thu 9, 10-10 Fri 10,
      10-11 Sat 调休 11, 10-13 12, 10-14 13, 10-15 14, 10-16 15, 10-17 16, 10-20 17, 10-21 18,
      10-22 19, 10-23 Thu 20                                                   → due 2025-10-23

    (Weekends alone would give 2025-10-17; ignoring the 调休 Sundays/Saturdays would give 10-27.)
    Extension of 20 working days approved on Mon 10-20 (before 10-23), applicant told 10-21:

      10-24 1, 10-27 2, 10-28 3, 10-29 4, 10-30 5, 10-31 6, 11-03 7, 11-04 8, 11-05 9,
      11-06 10, 11-07 11, 11-10 12, 11-11 13, 11-12 14, 11-13 15, 11-14 16, 11-17 17,
      11-18 18, 11-19 19, 11-20 Thu 20                                          → due 2025-11-20
    """
    with db.session(actor="clerk") as session:
        req = _new(session)
        assert req.received_on == D(2025, 9, 12)
        cal = WorkCalendar.load(session)
        service.request_correction(session, req, D(2025, 9, 16), 10, "请写明所需信息的文号或者名称", "clerk")
        first = deadlines.compute(req, cal, D(2025, 9, 17))
        assert first.correction_notice_due == D(2025, 9, 23)
        # 09-17 1, 18 2, 19 3, 22 4, 23 5, 24 6, 25 7, 26 8, 28 (Sun 调休) 9, 29 10
        assert first.correction_due == D(2025, 9, 29)
        assert first.status == "awaiting_correction" and first.reply_due is None  # 第三十条: not started yet
        service.receive_correction(session, req, D(2025, 9, 19), "clerk", cal)
        before = deadlines.compute(req, cal, D(2025, 10, 20))
        assert before.start == D(2025, 9, 19)
        assert before.reply_due == D(2025, 10, 23)
        assert before.status == "due_soon"
        service.extend(session, req, D(2025, 10, 20), 20, "政务公开办主任李四", D(2025, 10, 21), "clerk",
                       calendar=cal)
        after = deadlines.compute(req, cal, D(2025, 10, 21))
        assert after.reply_due == D(2025, 11, 20)
        assert after.status == "open"
        text = "\n".join(after.lines + after.facts)
        # the page says how it was counted: the rule, the articles and the calendar facts used
        assert "20 + 20（延长） = 40 个工作日 → 2025-11-20（星期四）" in text
        assert "条例第三十条" in text and "条例第三十三条第一款" in text
        assert "2025-09-28 星期日 调休上班" in text and "2025-10-11 星期六 调休上班" in text
        assert "2025-10-01 星期三 放假" in text
        # a reply on the due date is in time, a day later is late by one working day
        service.reply(session, req, D(2025, 11, 21), "open", "clerk", text="予以公开",
                      remedies="如对本答复不服，可以自收到本答复之日起60日内向道县人民政府申请行政复议，或者6个月内向道县人民法院提起行政诉讼。")
        done = deadlines.compute(req, cal, D(2025, 11, 25))
        assert done.status == "closed_late" and done.late_by == 1


def test_third_party_consultation_not_counted_and_capped(db):
    """第三十二条: a third party has 15 working days; the wait is not counted (第三十三条第二款)."""
    with db.session(actor="clerk") as session:
        req = _new(session)  # received 2025-09-12
        cal = WorkCalendar.load(session)
        plain = deadlines.compute(req, cal, D(2025, 9, 15)).reply_due
        # 09-15..09-19 5, 09-22..09-26 10, 09-28 (Sun 调休) 11, 09-29 12, 09-30 13, 10-09 14, 10-10 15,
        # 10-11 (Sat 调休) 16, 10-13 17, 10-14 18, 10-15 19, 10-16 20
        assert plain == D(2025, 10, 16)
        service.consult(session, req, D(2025, 9, 15), "third_party", "clerk")
        running = deadlines.compute(req, cal, D(2025, 9, 19))
        assert running.status == "consulting" and running.not_counted == 4  # 09-16,17,18,19
        service.consultation_returned(session, req, D(2025, 9, 22), "clerk")
        back = deadlines.compute(req, cal, D(2025, 9, 22))
        # 5 more working days after 10-16: 10-17, 10-20, 10-21, 10-22, 10-23
        assert back.not_counted == 5 and back.reply_due == D(2025, 10, 23)
        # the cap: a third party silent for longer still stops the clock for 15 working days only
        req2 = _new(session)
        service.consult(session, req2, D(2025, 9, 15), "third_party", "clerk")
        service.consultation_returned(session, req2, D(2025, 11, 3), "clerk")
        assert deadlines.compute(req2, cal, D(2025, 11, 3)).not_counted == 15


def test_rules_refuse_what_the_regulation_does_not_allow(db):
    with db.session(actor="clerk") as session:
        req = _new(session)
        cal = WorkCalendar.load(session)
        service.request_correction(session, req, D(2025, 9, 16), 5, "写明文号", "clerk")
        with pytest.raises(service.FoiError, match="一次性|once"):
            service.request_correction(session, req, D(2025, 9, 17), 5, "again", "clerk")
        # 5 working days after 09-16: 09-17,18,19,22,23 → a correction on 09-24 is too late
        with pytest.raises(service.FoiError, match="视为放弃"):
            service.receive_correction(session, req, D(2025, 9, 24), "clerk", cal)
        with pytest.raises(service.FoiError, match="期满后"):
            service.lapse(session, req, D(2025, 9, 23), "clerk", cal)
        service.lapse(session, req, D(2025, 9, 24), "clerk", cal)
        assert req.reply_type == "other_no_correction" and req.closed_on == D(2025, 9, 24)

        other = _new(session)  # due 2025-10-16 (counted above)
        with pytest.raises(service.FoiError, match="approved_by"):
            service.extend(session, other, D(2025, 10, 10), 10, "", D(2025, 10, 10), "clerk", calendar=cal)
        with pytest.raises(service.FoiError, match="1至20"):
            service.extend(session, other, D(2025, 10, 10), 21, "主任", D(2025, 10, 10), "clerk", calendar=cal)
        with pytest.raises(service.FoiError, match="届满"):
            service.extend(session, other, D(2025, 10, 17), 10, "主任", D(2025, 10, 17), "clerk", calendar=cal)
        service.extend(session, other, D(2025, 10, 16), 10, "主任", D(2025, 10, 16), "clerk", calendar=cal)
        with pytest.raises(service.FoiError, match="一次"):
            service.extend(session, other, D(2025, 10, 16), 5, "主任", D(2025, 10, 16), "clerk", calendar=cal)
        with pytest.raises(service.FoiError, match="remedies"):
            service.reply(session, other, D(2025, 10, 20), "open", "clerk", remedies=service.REMEDIES_TEMPLATE)
        with pytest.raises(service.FoiError, match="reason"):
            service.reply(session, other, D(2025, 10, 20), "refused_secret", "clerk", remedies="可申请行政复议")


def test_online_receipt_is_the_day_both_sides_confirm(db):
    """第三十一条第（三）项: an online application has no day of receipt until it is confirmed."""
    with db.session(actor="clerk") as session:
        req = _new(session, channel="online")
        cal = WorkCalendar.load(session)
        assert req.received_on is None
        assert deadlines.compute(req, cal, D(2025, 9, 15)).status == "unconfirmed"
        with pytest.raises(service.FoiError, match="received_on"):
            _new(session, channel="online", received_on=D(2025, 9, 12))
        service.confirm(session, req, D(2025, 9, 30), "clerk")
        # 10-09, 10, 11(调休), 13..17 = 8, 20..24 = 13, 27..31 = 18, 11-03 19, 11-04 20
        counted = deadlines.compute(req, cal, D(2025, 10, 1))
        assert counted.reply_due == D(2025, 11, 4)
        # 第三十条: a correction is asked for within 7 working days: 10-09, 10-10, 10-11 (Sat 调休), 10-13 … 10-16
        assert counted.correction_notice_due == D(2025, 10, 16)
        assert any("2025-10-16（星期四） 前一次性告知" in line for line in counted.lines)
        assert isinstance(session.get(InfoRequest, req.id), InfoRequest)
