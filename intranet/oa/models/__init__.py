from intranet.oa.models.document import SUBSTANTIVE_FIELDS, Attachment, Document, NumberSequence
from intranet.oa.models.flow import (
    Circulation,
    Countersign,
    Delegation,
    Distribution,
    DocumentEvent,
    ReadingReceipt,
    Task,
)

__all__ = ["SUBSTANTIVE_FIELDS", "Attachment", "Circulation", "Countersign", "Delegation", "Distribution",
           "Document", "DocumentEvent", "NumberSequence", "ReadingReceipt", "Task"]
