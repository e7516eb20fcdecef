// The quickstart in TypeScript: the resources by their schema type tokens, properties as the schema names them
// (camelCase). The two classes below stand in for the TypeScript SDK generated from the same schema
// (provider/sdk/nodejs), which is not packaged for npm yet; they name only the outputs this program reads.
import * as pulumi from "@pulumi/pulumi";

class Customer extends pulumi.CustomResource {
    public readonly customerId!: pulumi.Output<string>;
    public readonly accountId!: pulumi.Output<string>;

    constructor(name: string, args: Record<string, pulumi.Input<any>>, opts?: pulumi.CustomResourceOptions) {
        super("msads:index:Customer", name, { ...args, customerId: undefined, accountId: undefined }, opts);
    }
}

class Account extends pulumi.CustomResource {
    public readonly accountId!: pulumi.Output<string>;

    constructor(name: string, args: Record<string, pulumi.Input<any>>, opts?: pulumi.CustomResourceOptions) {
        super("msads:index:Account", name, { ...args, accountId: undefined }, opts);
    }
}

const office = {
    businessName: "Contoso Outdoor",
    line1: "1 Microsoft Way",
    city: "Redmond",
    stateOrProvince: "WA",
    postalCode: "98052",
    countryCode: "US",
};

const contoso = new Customer("contoso", {
    name: "Contoso Outdoor",
    industry: "Retail",
    marketCountry: "US",
    marketLanguage: "English",
    // For trying things out: `pulumi destroy` deactivates what this made (the default, "prevent", refuses).
    deletionPolicy: "deactivate",
    account: {
        name: "Contoso Outdoor - Search",
        currencyCode: "USD",
        timeZone: "PacificTimeUSCanadaTijuana",
        businessAddress: office,
    },
});

const brand = new Account("contoso-brand", {
    customerId: contoso.customerId,
    name: "Contoso Outdoor - Brand",
    currencyCode: "USD",
    businessAddress: office,
    deletionPolicy: "deactivate",
});

export const customerId = contoso.customerId;
export const primaryAccountId = contoso.accountId;
export const brandAccountId = brand.accountId;
