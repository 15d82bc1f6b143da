"""Interface labels for coded values. The msgids are English; the zh_CN catalogue translates them.

N_ marks a string for extraction by Babel without translating it here.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for translation."""
    return message


CATEGORY = {"help": N_("Request for help"), "complaint": N_("Complaint"),
            "inquiry": N_("Inquiry"), "suggestion": N_("Suggestion"),
            "unclassified": N_("Awaiting classification")}
STATUS = {"new": N_("Awaiting assignment"), "in-progress": N_("In progress"), "replied": N_("Replied"),
          "closed": N_("Closed")}
MODE = {"assign": N_("Assigned"), "transfer": N_("Transferred"), "self": N_("Handled directly"),
        "escalate": N_("Escalated")}
OUTCOME = {"resolved": N_("Resolved"), "explained": N_("Explained"), "unfounded": N_("Unfounded"),
           "referred": N_("Referred elsewhere"), "duplicate": N_("Duplicate"),
           "withdrawn": N_("Withdrawn")}
SATISFACTION = {"satisfied": N_("Satisfied"), "basically-satisfied": N_("Basically satisfied"),
                "dissatisfied": N_("Dissatisfied"), "unreachable": N_("Could not be reached")}
METHOD = {"phone": N_("by phone"), "in-person": N_("in person"), "online": N_("online")}
EVENT = {"accepted": N_("Accepted"), "assigned": N_("Assigned"), "instructed": N_("Leader's instruction"),
         "supervised": N_("Supervision notice"), "replied": N_("Reply"), "extended": N_("Extension"),
         "visited": N_("Follow-up visit"), "closed": N_("Closed"), "reopened": N_("Reopened"),
         "corrected": N_("Correction")}
INTERIM = N_("Interim reply")
FINAL = N_("Final reply")
PRIORITY = {"normal": N_("Normal"), "urgent": N_("Urgent")}
PERIOD_KIND = {"month": N_("Monthly bulletin"), "quarter": N_("Quarterly bulletin"),
               "year": N_("Annual report")}
QUARTER = (N_("Q1 %(year)s"), N_("Q2 %(year)s"), N_("Q3 %(year)s"), N_("Q4 %(year)s"))
