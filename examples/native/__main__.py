"""The quickstart on the native provider: one client customer with its primary account, and one more account.

The same resources as the root __main__.py, through the generated SDK (camelCase in the schema, snake_case
here, as every Pulumi Python SDK names them); the engine finds the provider through Pulumi.yaml.
"""

import pulumi
import pulumi_msads_sdk as msads

office = msads.BusinessAddressArgs(
    business_name="Contoso Outdoor",
    line1="1 Microsoft Way",
    city="Redmond",
    state_or_province="WA",
    postal_code="98052",
    country_code="US",
)

contoso = msads.Customer(
    "contoso",
    name="Contoso Outdoor",
    industry=msads.Industry.RETAIL,
    market_country="US",
    market_language=msads.LanguageType.ENGLISH,
    # For trying things out: `pulumi destroy` deactivates what this made (the default, "prevent", refuses).
    deletion_policy=msads.DeletionPolicy.DEACTIVATE,
    account=msads.PrimaryAccountArgs(
        name="Contoso Outdoor - Search",
        currency_code=msads.CurrencyCode.USD,
        time_zone=msads.TimeZoneType.PACIFIC_TIME_US_CANADA_TIJUANA,
        business_address=office,
    ),
)

brand = msads.Account(
    "contoso-brand",
    customer_id=contoso.id,
    name="Contoso Outdoor - Brand",
    currency_code=msads.CurrencyCode.USD,
    business_address=office,
    deletion_policy=msads.DeletionPolicy.DEACTIVATE,
)

pulumi.export("customer_id", contoso.customer_id)
pulumi.export("primary_account_id", contoso.account_id)
pulumi.export("brand_account_id", brand.id)
