"""XML parts as bytes that do not depend on the XML library openpyxl picked.

openpyxl serialises through lxml when it is importable and through the standard library
otherwise, and the two differ in every part (where namespaces are declared, `<a/>` or
`<a />`). The writer reads each part openpyxl made back into the standard library's tree
and writes it here: every namespace declared once on the root with the prefix Excel uses,
attributes in the order openpyxl set them, an XML declaration as Excel writes it.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# the prefixes Excel writes; any other namespace gets ns0, ns1, … in order of first use
PREFIXES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships": "r",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "a",
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "c",
    "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing": "xdr",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": "cp",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/dc/dcmitype/": "dcmitype",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes": "vt",
    "http://schemas.openxmlformats.org/markup-compatibility/2006": "mc",
    "urn:schemas-microsoft-com:office:office": "o",
    "urn:schemas-microsoft-com:vml": "v",
    "urn:schemas-microsoft-com:office:excel": "x",
    MAIN_NS: "x",  # only where it is not the root's (the root's namespace is the default)
}
# roots Excel writes with their prefix rather than as the default namespace
PREFIXED_ROOTS = {
    "http://schemas.openxmlformats.org/drawingml/2006/main",  # a:theme
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",  # cp:coreProperties
}


def _split(tag: str) -> tuple[str | None, str]:
    if tag[:1] == "{":
        uri, local = tag[1:].split("}", 1)
        return uri, local
    return None, tag


def _attribute(value: str) -> str:
    value = (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    return value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _text(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class _Names:
    """Qualified names for one part: the root's namespace as the default, others prefixed."""

    def __init__(self, root: Element) -> None:
        root_ns, _ = _split(root.tag)
        self.default = None if root_ns in PREFIXED_ROOTS else root_ns
        self.prefix: dict[str, str] = {}
        for el in root.iter():
            uri, _ = _split(el.tag)
            if uri is not None and uri != self.default:
                self._add(uri)
            for name in el.attrib:
                uri, _ = _split(name)
                if uri is not None and uri != XML_NS:
                    self._add(uri)

    def _add(self, uri: str) -> None:
        if uri not in self.prefix:
            used = set(self.prefix.values())
            p = PREFIXES.get(uri)
            if p is None or p in used:
                p = next(f"ns{i}" for i in range(len(self.prefix) + 1) if f"ns{i}" not in used)
            self.prefix[uri] = p

    def element(self, tag: str) -> str:
        uri, local = _split(tag)
        return local if uri == self.default else f"{self.prefix[uri]}:{local}"

    def attribute(self, name: str) -> str:
        uri, local = _split(name)
        if uri is None:
            return local
        return f"xml:{local}" if uri == XML_NS else f"{self.prefix[uri]}:{local}"

    def declarations(self) -> str:
        out = f' xmlns="{self.default}"' if self.default else ""
        return out + "".join(f' xmlns:{p}="{_attribute(uri)}"' for uri, p in self.prefix.items())


def serialize(root: Element, *, marker: str | None = None) -> str:
    """The part's text. `marker`: the text of an element to keep as it is (the rows' place)."""
    names = _Names(root)
    out = [DECLARATION]

    def write(el: Element, top: bool) -> None:
        tag = names.element(el.tag)
        out.append(f"<{tag}")
        if top:
            out.append(names.declarations())
        elif _split(el.tag)[0] is None and names.default is not None:
            out.append(' xmlns=""')
        out.extend(f' {names.attribute(k)}="{_attribute(v)}"' for k, v in el.attrib.items())
        if el.text is None and len(el) == 0:
            out.append("/>")
        else:
            out.append(">")
            if el.text is not None:
                out.append(el.text if el.text == marker else _text(el.text))
            for child in el:
                write(child, False)
                if child.tail:
                    out.append(_text(child.tail))
            out.append(f"</{tag}>")

    write(root, True)
    return "".join(out)
