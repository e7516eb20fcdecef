// The quickstart in TypeScript, on the SDK generated from the provider's schema (provider/sdk/nodejs, compiled
// into the package @pulumi-msads/msads by scripts/setup): the same customer and accounts as the Python
// quickstart, with camelCase properties and the WSDL's enums as the schema names them.
import * as msads from "@pulumi-msads/msads";

const office: msads.types.input.BusinessAddressArgs = {
    businessName: "Contoso Outdoor",
    line1: "1 Microsoft Way",
    city: "Redmond",
    stateOrProvince: "WA",
    postalCode: "98052",
    countryCode: "US",
};

const contoso = new msads.Customer("contoso", {
    name: "Contoso Outdoor",
    industry: msads.Industry.RETAIL,
    marketCountry: "US",
    marketLanguage: msads.LanguageType.ENGLISH,
    // For trying things out: `pulumi destroy` deactivates what this made (the default, "prevent", refuses).
    deletionPolicy: msads.DeletionPolicy.DEACTIVATE,
    account: {
        name: "Contoso Outdoor - Search",
        currencyCode: msads.CurrencyCode.USD,
        timeZone: msads.TimeZoneType.PACIFIC_TIME_US_CANADA_TIJUANA,
        businessAddress: office,
    },
});

const brand = new msads.Account("contoso-brand", {
    customerId: contoso.customerId,
    name: "Contoso Outdoor - Brand",
    currencyCode: msads.CurrencyCode.USD,
    businessAddress: office,
    deletionPolicy: msads.DeletionPolicy.DEACTIVATE,
});

export const customerId = contoso.customerId;
export const primaryAccountId = contoso.accountId;
export const brandAccountId = brand.accountId;
