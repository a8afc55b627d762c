from intranet.procurement.models.bids import (  # noqa: F401
    Award, BidClosing, BidPart, Contract, EvaluationSheet, IncomingBid, OcdsRelease, OpenedBid, Opening,
    RegistrationFile, Score, SupplierRegistration,
)
from intranet.procurement.models.tenders import (  # noqa: F401
    Amendment, ClarificationAnswer, ClarificationQuestion, Criterion, Lot, Method, ProcurementPlan, Tender,
    TenderDocument, private_storage, procurement_root,
)
