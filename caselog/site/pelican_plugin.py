"""The caselog Pelican plugin: hands the engine's pages to Pelican's theme. No business logic here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from . import i18n, labels
from .render import render_site


def _install_translations(generator) -> None:
    """Give every generator's Jinja environment the theme's catalogue and our labels."""
    settings = generator.settings
    translations = i18n.load_translations(str(generator.theme), settings.get("CASELOG_LOCALE", "zh_CN"))
    i18n.install(generator.env, translations)
    generator.env.globals["labels"] = labels


class CaselogGenerator(Generator):
    """Renders case pages, lists, units, statistics, reports, feeds and data with the theme."""

    def generate_context(self):
        from .model import load_site_data  # the engine: load, validate, derive

        root = Path(self.settings["CASELOG_ROOT"])
        as_of = self.settings.get("CASELOG_AS_OF") or date.today().isoformat()
        self.site_data = load_site_data(root, date.fromisoformat(str(as_of)))
        self.context["caselog_nav"] = {"units": self.site_data.registry.units,
                                       "as_of": self.site_data.as_of}

    def generate_output(self, writer):
        self.result = render_site(self.site_data, self.env, Path(self.output_path), self.settings,
                                  self.context)
        self.settings["CASELOG_RESULT"] = self.result


def _get_generators(pelican):
    return CaselogGenerator


def _gate(pelican) -> None:
    """A plain `pelican` run goes through the same output check as `caselog build`."""
    result = pelican.settings.get("CASELOG_RESULT")
    if result is None or pelican.settings.get("CASELOG_GATE_LATER"):
        return
    from .build import check_output

    check_output(Path(pelican.settings["CASELOG_ROOT"]), Path(pelican.settings["OUTPUT_PATH"]), result)


def register():
    """Pelican's plugin entry point."""
    signals.generator_init.connect(_install_translations)
    signals.get_generators.connect(_get_generators)
    signals.finalized.connect(_gate)
