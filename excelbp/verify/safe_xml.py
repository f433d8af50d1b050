"""The XML side of checking an untrusted workbook: each part's prolog goes through defusedxml,
which refuses entity declarations; any DTD is refused too, since no workbook needs one. For
the workbook's relationships part, the worksheets it lists are collected (safe_zip.py checks
that they exist)."""

from __future__ import annotations

from collections.abc import Callable
from posixpath import join, normpath
from xml.sax import SAXException
from xml.sax.handler import (
    ContentHandler,
    LexicalHandler,
    feature_external_ges,
    feature_external_pes,
    property_lexical_handler,
)

from defusedxml.common import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.expatreader import DefusedExpatParser, create_parser

from ..errors import InputError

Refuse = Callable[[str], InputError]  # makes the one-line error "FILE: message"


class TooManySheets(Exception):
    """More worksheet relationships than the archive may have parts."""


class _Prolog(ContentHandler, LexicalHandler):
    """SAX handler for one part: refuses any DTD; stops at the root element, or for the
    workbook's relationships part collects the worksheet targets."""

    def __init__(self, sheets: list[str] | None, max_sheets: int) -> None:
        super().__init__()
        self.sheets, self.max_sheets = sheets, max_sheets

    def startDTD(self, name, public_id, system_id):  # noqa: N802 - SAX API
        if public_id or system_id:  # an external DTD is an external entity in all but name
            raise ExternalReferenceForbidden("DOCTYPE", None, system_id, public_id)

    def endDTD(self):  # noqa: N802 - SAX API
        # Reached only when the DTD declared no entity (defusedxml would have refused):
        # still, no workbook part has a DTD, and parsers differ on what one may do.
        raise DTDForbidden("DOCTYPE", None, None)

    def startElement(self, name, attrs):  # noqa: N802 - SAX API
        if self.sheets is None:
            # DTDs and entity declarations can only come before the root element, so the
            # rest of the part cannot hold one: stop parsing, keep only inflating (for CRC).
            raise _RootReached
        if name.rpartition(":")[2] == "Relationship" and attrs.get("Type", "").endswith(
            "/worksheet"
        ):
            if attrs.get("TargetMode") == "External":
                return
            target = attrs.get("Target", "")
            # Resolved as openpyxl does: absolute from the package root, else from xl/.
            self.sheets.append(
                target[1:] if target.startswith("/") else normpath(join("xl", target))
            )
            if len(self.sheets) > self.max_sheets:
                raise TooManySheets


class _RootReached(Exception):
    """The prolog is over: nothing dangerous can follow."""


def prolog_parser(sheets: list[str] | None, max_sheets: int) -> DefusedExpatParser:
    """A parser for one part that stops after its prolog (collecting the worksheets listed
    where `sheets` is a list), with every external entity and DTD refused."""
    handler = _Prolog(sheets, max_sheets)
    parser = create_parser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    parser.setProperty(property_lexical_handler, handler)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    return parser


def feed(
    parser: DefusedExpatParser, piece: bytes | None, must_be_xml: bool, name: str, refuse: Refuse
) -> bool:
    """Feed one piece (None: the end) to the part's parser; False once parsing is done."""
    try:
        if piece is None:
            parser.close()
        else:
            parser.feed(piece)
        return True
    except _RootReached:
        return False
    except EntitiesForbidden as e:
        if e.sysid or e.pubid:
            raise refuse(
                f"external entity declaration in {name} (refused: external entities)"
            ) from None
        raise refuse(f"XML entity declarations in {name} (refused: entity expansion)") from None
    except ExternalReferenceForbidden:
        raise refuse(
            f"external DTD or entity reference in {name} (refused: external entities)"
        ) from None
    except DTDForbidden:
        raise refuse(f"XML DTD in {name} (refused: no DTDs in a workbook)") from None
    except DefusedXmlException as e:  # any other defusedxml refusal
        raise refuse(f"XML refused in {name} ({type(e).__name__})") from None
    except (SAXException, ValueError) as e:  # not well-formed; ValueError: odd encodings
        if must_be_xml:
            raise refuse(f"malformed XML in {name} ({show(str(e), 120)})") from None
        return False  # an image or other binary part: not XML, nothing to expand


def show(text: str, limit: int = 160) -> str:
    """`text` fit for a one-line message: control characters escaped, length capped."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
