"""The admin's words for the codes of 依申请公开, in the interface's language (English msgids, Chinese
in messages.po).

``zwgk.foi.models`` and ``zwgk.foi.report`` keep the Chinese of the 条例 and of the 年度报告格式 for the
public pages and the .xlsx; the admin pages name the same codes through these tables.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNELS = {"in_person": _l("In person"), "post": _l("By post (signed for)"), "letter": _l("Ordinary letter"),
            "online": _l("Online"), "fax": _l("Fax")}
APPLICANT_KINDS = {"person": _l("Natural persons"), "business": _l("Commercial enterprises"),
                   "research": _l("Research institutions"), "nonprofit": _l("Public-interest organisations"),
                   "legal": _l("Legal service institutions"), "other_org": _l("Other organisations")}
REPLY_TYPES = {
    "open": _l("(1) Disclosed"),
    "partly_open": _l("(2) Partly disclosed (counted here only, not under other outcomes)"),
    "refused_secret": _l("(3) Not disclosed 1. State secret"),
    "refused_law": _l("(3) Not disclosed 2. Disclosure forbidden by other laws and administrative regulations"),
    "refused_safety": _l("(3) Not disclosed 3. Would endanger national, public, economic security or social stability"),
    "refused_third_party": _l("(3) Not disclosed 4. Protects the lawful rights of third parties"),
    "refused_internal": _l("(3) Not disclosed 5. Internal affairs information of the three kinds"),
    "refused_process": _l("(3) Not disclosed 6. Process information of the four kinds"),
    "refused_enforcement": _l("(3) Not disclosed 7. Administrative enforcement case files"),
    "refused_query": _l("(3) Not disclosed 8. Administrative enquiry matters"),
    "unavailable_not_held": _l("(4) Cannot be provided 1. This agency does not hold the information"),
    "unavailable_not_existing": _l("(4) Cannot be provided 2. No existing information, it would have to be made"),
    "unavailable_unclear": _l("(4) Cannot be provided 3. Request still unclear after correction"),
    "not_handled_petition": _l("(5) Not handled 1. Petitions, reports and complaints"),
    "not_handled_repeat": _l("(5) Not handled 2. Repeated requests"),
    "not_handled_publication": _l("(5) Not handled 3. Asks for public publications"),
    "not_handled_bulk": _l("(5) Not handled 4. Large numbers of repeated requests without good reason"),
    "not_handled_confirm": _l("(5) Not handled 5. Asks the agency to confirm or reissue information already obtained"),
    "other_no_correction": _l("(6) Other 1. The applicant did not correct the request in time without good reason, "
                              "and the agency no longer handles it"),
    "other_no_fee": _l("(6) Other 2. The applicant did not pay the fee in time, and the agency no longer handles "
                       "the request"),
    "other": _l("(6) Other 3. Other"),
}
APPEAL_KINDS = {"reconsideration": _l("Administrative reconsideration"),
                "litigation_direct": _l("Lawsuit without prior reconsideration"),
                "litigation_after": _l("Lawsuit after reconsideration")}
APPEAL_OUTCOMES = {"upheld": _l("Upheld"), "corrected": _l("Corrected"), "other": _l("Other outcome"),
                   "pending": _l("Not yet decided")}
TOTAL = _l("Total number")
#: the annual report's tables and sections (政府信息公开工作年度报告格式)
NARRATIVES = {"overview": _l("1. Overview"), "problems": _l("5. Main problems and improvements"),
              "other": _l("6. Other matters to report")}
T2_COLUMNS = {"published": _l("Catalog items (end of year)"), "records": _l("Publication records (this year)"),
              "on_time": _l("Published on time"), "late": _l("Published late"), "pending": _l("Not yet published")}
T3_COLUMNS = {**APPLICANT_KINDS, "total": TOTAL}
T3_ROWS = {"new": _l("1. Requests received this year"), "carried_in": _l("2. Requests carried over from last year"),
           **REPLY_TYPES, "handled": _l("(7) Total"), "carried_out": _l("4. Carried over to next year")}
T4_COLUMNS = {**APPEAL_OUTCOMES, "total": TOTAL}
STEP_KINDS = {"registered": _l("Registered"), "received": _l("Receipt confirmed (Regulations, article 31)"),
              "correction_requested": _l("Correction asked for (Regulations, article 30)"),
              "correction_received": _l("Correction received (Regulations, article 30)"),
              "consultation_sent": _l("Opinions sought (Regulations, article 32)"),
              "consultation_returned": _l("Opinions received (Regulations, article 32)"),
              "extension": _l("Reply time extended (Regulations, article 33)"),
              "replied": _l("Replied (Regulations, article 36)"), "withdrawn": _l("Withdrawn"),
              "lapsed": _l("Not corrected in time, taken as given up (Regulations, article 30)")}
#: actors that are no account: the online form registers a request as "public"
ACTOR_NAMES = {"public": _l("Applicant (online form)")}
CONSULT_PARTIES = {"third_party": _l("Third party (opinions within 15 working days)"), "agency": _l("Other agency")}
#: ``zwgk.foi.deadlines.STATUS_NAMES`` (the public tracking page keeps those)
DUE_STATUSES = {"unconfirmed": _l("Receipt to be confirmed"), "awaiting_correction": _l("Awaiting correction"),
                "correction_overdue": _l("Correction time over, not corrected"),
                "consulting": _l("Opinions being sought"), "open": _l("Being handled"), "due_soon": _l("Due soon"),
                "overdue": _l("Overdue"), "closed": _l("Closed"), "closed_late": _l("Closed late"),
                "out_of_range": _l("Date outside the working-day calendar")}
