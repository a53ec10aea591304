"""The `takevault` command line: parse, call one `Vault` method, render."""
