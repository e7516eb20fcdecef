"""The Customer Management v13 WSDL, as shipped in Microsoft's ``bingads`` package.

The WSDL is the single source of truth for this project: the emulator validates requests against
its schemas, the client speaks it through zeep, and the pydantic models take their enum value sets
and field order from it. Nothing here copies a list out of the documentation: every value set is
read from the file at run time, so a newer ``bingads`` release brings its new values with it.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SERVICE_PATH = "/Api/CustomerManagement/v13/CustomerManagementService.svc"
"""The path of the service on both Microsoft's hosts and the emulator."""

XSD_NS = "http://www.w3.org/2001/XMLSchema"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE_NS = "https://bingads.microsoft.com/Customer/v13"
ENTITIES_NS = "https://bingads.microsoft.com/Customer/v13/Entities"
EXCEPTION_NS = "https://bingads.microsoft.com/Customer/v13/Exception"
ADAPI_NS = "https://adapi.microsoft.com"
KVP_NS = "http://schemas.datacontract.org/2004/07/System.Collections.Generic"

ENVIRONMENTS = ("production", "sandbox")


def wsdl_path(environment: str = "production") -> Path:
    """Path of the WSDL file inside the installed ``bingads`` package.

    The two files differ only in their ``soap:address``; callers that talk to another endpoint
    (the emulator, a proxy) pass the address to zeep instead of editing the file.
    """
    if environment not in ENVIRONMENTS:
        raise ValueError(f"environment must be one of {ENVIRONMENTS}, not {environment!r}")
    return _bingads_dir() / "v13" / "proxies" / environment / "customermanagement_service.xml"


@functools.cache
def _bingads_dir() -> Path:
    """The installed bingads package's folder, found without importing it (its import takes half a second)."""
    spec = importlib.util.find_spec("bingads")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the bingads package is not installed; it ships the Customer Management WSDL")
    return Path(next(iter(spec.submodule_search_locations)))


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never loads a DTD, expands an entity or touches the network.

    Used for every document this project reads that could come from outside: SOAP requests in the
    emulator and the WSDL itself.
    """
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


_document_lock = threading.Lock()


def wsdl_document() -> etree._ElementTree:
    """The parsed WSDL, parsed once (under a lock, since the first callers may arrive together)."""
    with _document_lock:
        return _parse_document()


@functools.cache
def _parse_document() -> etree._ElementTree:
    return etree.parse(str(wsdl_path("production")), safe_parser())


def wsdl_text(address: str) -> bytes:
    """The WSDL with its ``soap:address`` pointing at ``address``, as the emulator serves it."""
    doc = copy.deepcopy(wsdl_document())
    for node in doc.iter(f"{{{SOAP_BINDING_NS}}}address"):
        node.set("location", address)
    return etree.tostring(doc, xml_declaration=True, encoding="utf-8")


def _schemas() -> dict[str, etree._Element]:
    return {s.get("targetNamespace", ""): s for s in wsdl_document().iter(f"{{{XSD_NS}}}schema")}


_schema_lock = threading.Lock()


def xml_schema() -> etree.XMLSchema:
    """The compiled validator, built once: libxml2 fails when two threads compile it at the same time."""
    with _schema_lock:
        return _compile_schema()


@functools.cache
def _compile_schema() -> etree.XMLSchema:
    """All the WSDL's inline schemas compiled into one validator.

    The inline schemas import each other by namespace only; an in-memory resolver hands each one to
    libxml2 under a made-up location so that the imports resolve without any file or network access.
    """
    schemas = _schemas()
    documents: dict[str, bytes] = {}

    def location(namespace: str) -> str:
        return "wsdl-schema:" + namespace.replace("/", "_").replace(":", "_")

    for namespace, original in schemas.items():
        schema = copy.deepcopy(original)
        for imp in schema.iter(f"{{{XSD_NS}}}import"):
            imp.set("schemaLocation", location(imp.get("namespace", "")))
        documents[location(namespace)] = etree.tostring(schema)

    class _Resolver(etree.Resolver):
        def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def,override]
            if system_url in documents:
                return self.resolve_string(documents[system_url], context)  # type: ignore[call-arg]
            return None

    parser = safe_parser()
    parser.resolvers.add(_Resolver())
    root = etree.Element(f"{{{XSD_NS}}}schema")
    for namespace in schemas:
        etree.SubElement(root, f"{{{XSD_NS}}}import", namespace=namespace, schemaLocation=location(namespace))
    return etree.XMLSchema(etree.fromstring(etree.tostring(root), parser))


def _local(qname: str | None) -> str:
    return (qname or "").rsplit(":", 1)[-1]


@functools.cache
def enum_values(type_name: str) -> tuple[str, ...]:
    """The values of an enumeration type of the Entities schema, in WSDL order.

    ``xs:list`` types (such as ``AccountAdditionalField``) yield the values of their item type.
    """
    schema = _schemas()[ENTITIES_NS]
    for simple in schema.iter(f"{{{XSD_NS}}}simpleType"):
        if simple.get("name") != type_name:
            continue
        values = [e.get("value", "") for e in simple.iter(f"{{{XSD_NS}}}enumeration")]
        if values:
            return tuple(values)
    raise KeyError(f"no enumeration named {type_name!r} in the WSDL")


@dataclass(frozen=True)
class FieldSpec:
    """One element of a complex type's sequence, as the WSDL declares it."""

    name: str
    type_name: str  # local name of the XSD type: "string", "long", "Address", "ArrayOfKeyValuePairOfstringstring"
    nillable: bool
    is_enum: bool


@functools.cache
def complex_fields(type_name: str) -> tuple[FieldSpec, ...]:
    """The fields of a complex type of the Entities schema, in sequence order (base type first)."""
    schema = _schemas()[ENTITIES_NS]
    for complex_type in schema.findall(f"{{{XSD_NS}}}complexType"):
        if complex_type.get("name") != type_name:
            continue
        fields: list[FieldSpec] = []
        extension = complex_type.find(f".//{{{XSD_NS}}}extension")
        if extension is not None and _local(extension.get("base")) not in ("", "ApplicationFault"):
            fields.extend(complex_fields(_local(extension.get("base"))))
        for element in complex_type.iter(f"{{{XSD_NS}}}element"):
            element_type = _local(element.get("type"))
            fields.append(
                FieldSpec(
                    name=element.get("name", ""),
                    type_name=element_type,
                    nillable=element.get("nillable") == "true",
                    is_enum=_is_enum(element_type),
                )
            )
        return tuple(fields)
    raise KeyError(f"no complex type named {type_name!r} in the WSDL")


def _is_enum(type_name: str) -> bool:
    try:
        enum_values(type_name)
    except KeyError:
        return False
    return True


@functools.cache
def operation_names() -> tuple[str, ...]:
    """Every operation of the service's port type, in WSDL order."""
    port_type_operations = wsdl_document().getroot().iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
    return tuple(op.get("name", "") for op in port_type_operations)
