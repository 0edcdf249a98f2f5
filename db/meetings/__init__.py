"""Meetings (联席会议, 座谈会, 工作例会): their minutes on the review workflow, attendance,
action items carried over to the next meeting of the same kind and unit, and the
rhythm the plans set (sql/V014)."""
