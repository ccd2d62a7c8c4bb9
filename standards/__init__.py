"""The national data (国办发〔2017〕42号 and the 2019 domain list), as the built-in plugin ``national``.

It contributes through the same hooks as a regional plugin; its facts live in
``standards/data/*.yaml``, each record with its source.
"""

from pathlib import Path

from core import CONTRACT_VERSION, hookimpl, read_data_file

DATA = Path(__file__).parent / "data"


@hookimpl
def zwgk_plugin_info():
    return {"title": "全国（国办发〔2017〕42号）", "region": None, "contract": CONTRACT_VERSION}


@hookimpl
def zwgk_register_stages():
    return read_data_file(DATA / "stages.yaml")


@hookimpl
def zwgk_register_elements():
    return read_data_file(DATA / "elements.yaml")


@hookimpl
def zwgk_register_element_requirements():
    return read_data_file(DATA / "element_requirements.yaml")


@hookimpl
def zwgk_register_domains():
    return read_data_file(DATA / "domains.yaml")


@hookimpl
def zwgk_register_domain_aliases():
    return read_data_file(DATA / "domain_aliases.yaml")


@hookimpl
def zwgk_register_domain_successions():
    return read_data_file(DATA / "domain_successions.yaml")


@hookimpl
def zwgk_register_units():
    return read_data_file(DATA / "units.yaml")


@hookimpl
def zwgk_register_pilot_programs():
    return read_data_file(DATA / "pilot_programs.yaml")


@hookimpl
def zwgk_register_responsibilities():
    return read_data_file(DATA / "responsibilities.yaml")


@hookimpl
def zwgk_register_schedules():
    return read_data_file(DATA / "schedules.yaml")
