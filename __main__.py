"""Quickstart: one client customer with its primary account, and one more account under it."""

import pulumi

from pulumi_msads import Account, AccountArgs, AddressArgs, Customer, CustomerArgs, PrimaryAccountArgs

office = AddressArgs(
    business_name="Contoso Outdoor",
    line1="1 Microsoft Way",
    city="Redmond",
    state_or_province="WA",
    postal_code="98052",
    country_code="US",
)

contoso = Customer(
    "contoso",
    CustomerArgs(
        name="Contoso Outdoor",
        industry="Retail",
        market_country="US",
        market_language="English",
        # The quickstart is for trying things out: `scripts/quickstart down` deactivates what it made.
        # The default, "prevent", refuses to remove a live customer; see the README's Reliability section.
        deletion_policy="deactivate",
        account=PrimaryAccountArgs(
            name="Contoso Outdoor - Search",
            currency_code="USD",
            time_zone="PacificTimeUSCanadaTijuana",
            business_address=office,
        ),
    ),
)

brand = Account(
    "contoso-brand",
    AccountArgs(
        customer_id=contoso.customer_id,
        name="Contoso Outdoor - Brand",
        currency_code="USD",
        business_address=office,
        deletion_policy="deactivate",
    ),
)

pulumi.export("customer_id", contoso.customer_id)
pulumi.export("customer_number", contoso.customer_number)
pulumi.export("primary_account_id", contoso.account_id)
pulumi.export("primary_account_number", contoso.account_number)
pulumi.export("brand_account_id", brand.account_id)
pulumi.export("brand_account_number", brand.account_number)
