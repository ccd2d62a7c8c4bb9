"""Labels of our columns and menus, as gettext messages (Chinese in translations/zh_Hans_CN)."""

from flask_babel import lazy_gettext as _l

LABELS = {
    "name": _l("Name"), "key": _l("Path or key"), "code": _l("Code"), "title": _l("Title"),
    "origin": _l("Provided by"), "source_file": _l("Source file"), "source_section": _l("Source section"),
    "source_text": _l("Text as written"), "editions": _l("Editions"), "position": _l("Order"),
    "description": _l("Description"), "alias": _l("Alias"), "domain": _l("Domain"),
    "predecessor": _l("Predecessor"), "successor": _l("Successor"), "kind": _l("Kind"),
    "scope": _l("Region"), "region": _l("Region"), "element": _l("Element"), "wording": _l("Wording in the document"),
    "level": _l("Level"), "parent": _l("Parent"), "written_as": _l("As written"), "is_pilot": _l("Pilot unit"),
    "pilot_edition": _l("Pilot edition"), "pilot_domains": _l("Pilot domains"), "unit_count": _l("Units"),
    "city_count": _l("Cities"), "edition": _l("Edition"), "category": _l("Category"), "status": _l("Status"),
    "planned": _l("Planned"), "effective_on": _l("In force from"), "withdrawn_on": _l("Withdrawn on"),
    "responsible": _l("Responsible"), "responsible_units": _l("Responsible units"), "task": _l("Task"),
    "standard": _l("Standard"), "due": _l("Due"), "report_cadence": _l("Report cadence"),
    "report_by": _l("Reported by"), "report_to": _l("Reported to"), "schedule": _l("Schedule"),
    "starts_on": _l("Starts"), "ends_on": _l("Ends"), "phase": _l("Phase"), "due_on": _l("Due on"),
    "deliverable": _l("Deliverable"), "completed_on": _l("Completed on"), "rule_text": _l("Time rule"),
    "weight": _l("Weight (%)"), "min_weight": _l("Minimum weight (%)"), "indicator": _l("Indicator"),
    "unit": _l("Unit"), "period": _l("Period"), "value": _l("Value"), "note": _l("Note"),
    "submitted_on": _l("Submitted on"), "subject": _l("Disclosing body"), "obligation": _l("Obligation"),
    "event_at": _l("Event at"), "published_at": _l("Published at"), "seq": _l("No."),
    "level1": _l("Level-1 item"), "level2": _l("Level-2 item"), "level3": _l("Level-3 item"),
    "content": _l("Content"), "basis": _l("Basis"), "time_limit": _l("Time limit"),
    "department": _l("Department"), "channels": _l("Channels"), "duration": _l("Disclosure duration"), "audience_public": _l("Whole society"),
    "audience_specific": _l("Specific groups"), "method_active": _l("Proactive"),
    "method_on_request": _l("On request"), "levels": _l("Disclosure tiers"), "stages": _l("Five disclosures"), "is_example": _l("Example data"),
    "username": _l("Username"), "role": _l("Role"), "active": _l("Active"), "at": _l("Time"),
    "actor": _l("By"), "entity": _l("Record type"), "entity_id": _l("Record id"), "action": _l("Action"),
    "changes": _l("Changes"), "reason": _l("Reason"), "change_reason": _l("Reason for the change"),
    "version": _l("Version"), "year": _l("Year"), "day": _l("Date"), "is_workday": _l("Working day"),
    "entered_at": _l("Entered at"), "source": _l("Source"),
}

# issue 13: columns Flask-Admin would otherwise name by prettifying the code ("Created At")
LABELS.update({
    "created_at": _l("Created at"), "updated_at": _l("Updated at"), "catalog_item": _l("Catalog item"),
    "phases": _l("Phases"), "milestones": _l("Milestones"), "domains": _l("Domains"), "aliases": _l("Aliases"),
    "children": _l("Children"), "unit.key": _l("Unit"), "domain.name": _l("Domain"), "step": _l("Step"),
    "passed": _l("Passed"), "deleted": _l("Deleted"), "snapshot": _l("Content"), "unit_key": _l("Unit"),
    "finished_on": _l("Finished on"), "file": _l("File"), "items": _l("Items"), "ids": _l("Record ids"), "password_hash": _l("Password"), "item_id": _l("Item"),
})
# retired records (retired_at): the shared label every details page uses
LABELS["retired_at"] = _l("Retired at")

STATUS_CHOICES = [("draft", _l("Draft")), ("submitted", _l("Submitted")),
                  ("reviewed", _l("Confidentiality reviewed")), ("signed", _l("Signed off")),
                  ("published", _l("Published")), ("withdrawn", _l("Withdrawn"))]
