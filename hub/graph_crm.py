"""What companies and deals share: public company ids, and one company from several
platforms' records of it.

The CRMs (every `CompanySource`, in registry order: HubSpot's companies, Salesforce's
Accounts) each say which company a person belongs to. When several hold a company of one
domain it is one company: the first platform's fields, the others filling the gaps, every
record in `sources`; otherwise the first platform's is the customer's company.
"""

from __future__ import annotations

from canonical_schema import Company, RecordRef


def company_ref(company_id: str) -> RecordRef | None:
    ref = RecordRef.parse(company_id)
    return ref if ref is not None and ref.kind == "company" else None


def merged_company(*found: Company | None) -> Company | None:
    """One company from each platform's record of it (first platform first): merged with
    the later ones that share its domain."""
    merged: Company | None = None
    for company in found:
        if company is None:
            continue
        if merged is None:
            merged = company
        elif merged.domain is not None and merged.domain == company.domain:
            merged = merged.model_copy(
                update={
                    "industry": merged.industry or company.industry,
                    "employees": (
                        merged.employees if merged.employees is not None else company.employees
                    ),
                    "sources": (*merged.sources, *company.sources),
                }
            )
    return merged
