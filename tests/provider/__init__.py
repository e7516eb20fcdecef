"""Tests of the provider's lower layers: models, fields, config, auth and the SOAP client."""
