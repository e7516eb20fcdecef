"""pulumi-msads: Microsoft Advertising customers and accounts as Pulumi resources."""
