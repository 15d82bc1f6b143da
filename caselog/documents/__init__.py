"""Official documents (公文) made from the case log: 交办单, 督办通知书, 周报 and 通报, as PDF and DOCX.

compose.py and forms.py say what each document holds (from the engine's statistics, never
counted again here); layout.py lays a document out as GB/T 9704-2012 asks (PDF through
WeasyPrint); word.py writes the same document as DOCX for offices that edit before stamping.
"""

from ..errors import CaselogError


class DocumentError(CaselogError):
    """A document cannot be made (no such notice, case not assigned yet, ...)."""
