from takevault.cli.app import run

run()
