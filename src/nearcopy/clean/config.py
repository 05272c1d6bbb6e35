"""`CleanConfig`: which rules run and with which parameters.

TOML layout (every key optional; defaults are the documented ones)::

    languages = ["en"]            # keep only documents in these languages (empty: all)

    [rules.stamp_line]
    enabled = true
    max_rest_words = 6

    [rules.corpus_boilerplate]
    min_docs = 10

Each rule declares its parameters and defaults (`Rule.PARAMS`); an unknown rule
or parameter, or a value of the wrong type, is a `ConfigError` naming the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from nearcopy.errors import ConfigError


@dataclass(frozen=True)
class RuleSetting:
    """One rule's switch and its resolved parameters."""

    enabled: bool
    params: Mapping[str, Any] = field(default_factory=dict)


def _default_settings() -> dict[str, RuleSetting]:
    from nearcopy.clean.registry import ALL_RULES
    return {rule.name: RuleSetting(rule.default_on, dict(rule.PARAMS)) for rule in ALL_RULES}


@dataclass(frozen=True, kw_only=True)
class CleanConfig:
    """Resolved cleaning configuration; partial `rules` are completed with defaults.

    Args:
        rules: rule name -> RuleSetting, or -> dict like ``{"enabled": False, "min_words": 8}``.
        languages: main languages to keep (ISO 639-1 codes); empty keeps every language.

    Example:
        >>> cfg = CleanConfig(rules={"stamp_line": {"enabled": False}}, languages=("en",))
        >>> cfg.rules["stamp_line"].enabled
        False
    """

    rules: Mapping[str, Any] = field(default_factory=dict)
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from nearcopy.clean.registry import RULES_BY_NAME
        resolved = _default_settings()
        for name, setting in dict(self.rules).items():
            if name not in RULES_BY_NAME:
                raise ConfigError(f"unknown cleaning rule {name!r}; see `nearcopy clean "
                                  f"--list-rules` for the names")
            resolved[name] = _resolve(RULES_BY_NAME[name], setting)
        languages = tuple(self.languages)
        for lang in languages:
            if not isinstance(lang, str) or not lang.isalpha() or not 2 <= len(lang) <= 3:
                raise ConfigError(f"language {lang!r} is not an ISO 639 code like 'en'")
        object.__setattr__(self, "languages", tuple(lang.lower() for lang in languages))
        object.__setattr__(self, "rules", MappingProxyType(resolved))

    def __reduce__(self):  # MappingProxyType does not pickle; rebuild from plain dicts
        return (_rebuild, (self.to_dict(),))

    def enabled(self, name: str) -> bool:
        return self.rules[name].enabled

    def params(self, name: str) -> dict[str, Any]:
        return dict(self.rules[name].params)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CleanConfig":
        """Build from the TOML layout above (as a dict)."""
        unknown = set(data) - {"rules", "languages"}
        if unknown:
            raise ConfigError(f"unknown clean config key {sorted(unknown)[0]!r}; "
                              "expected 'rules' and/or 'languages'")
        rules = data.get("rules", {})
        if not isinstance(rules, Mapping):
            raise ConfigError("'rules' must be a table of rule names")
        langs = data.get("languages", ())
        if isinstance(langs, str) or not isinstance(langs, (list, tuple)):
            raise ConfigError(f"languages = {langs!r} must be a list like [\"en\"]")
        return cls(rules=dict(rules), languages=tuple(langs))

    @classmethod
    def from_toml(cls, path: str | Path) -> "CleanConfig":
        """Read a clean.toml file (see the module docstring for its layout)."""
        import tomllib  # (here: 3.6 ms of every start-up that reads no file)
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The resolved config, TOML/JSON-ready (written next to the outputs)."""
        rules = {}
        for name, setting in self.rules.items():
            entry: dict[str, Any] = {"enabled": setting.enabled}
            entry.update({k: list(v) if isinstance(v, tuple) else v
                          for k, v in setting.params.items()})
            rules[name] = entry
        return {"languages": list(self.languages), "rules": rules}

    def with_languages(self, languages: tuple[str, ...]) -> "CleanConfig":
        """A copy with `languages` replaced (the --languages flag)."""
        data = self.to_dict()
        data["languages"] = list(languages)
        return CleanConfig.from_dict(data)


def _resolve(rule_cls, setting: Any) -> RuleSetting:
    if isinstance(setting, RuleSetting):
        enabled, params = setting.enabled, dict(setting.params)
    elif isinstance(setting, Mapping):
        params = dict(setting)
        enabled = params.pop("enabled", rule_cls.default_on)
    elif isinstance(setting, bool):
        enabled, params = setting, {}
    else:
        raise ConfigError(f"rules.{rule_cls.name} must be a table like {{enabled = false}}, "
                          f"got {setting!r}")
    if not isinstance(enabled, bool):
        raise ConfigError(f"rules.{rule_cls.name}.enabled = {enabled!r} must be true or false")
    instance = rule_cls(**params)  # validates names, types and ranges
    return RuleSetting(enabled, instance.params)


def _rebuild(data: dict[str, Any]) -> CleanConfig:
    """A config from its pickled form (`CleanConfig.__reduce__`), built once per process
    for each form: every task of a job ships the same config, and building it checks
    every rule's parameters (~0.65 ms a task)."""
    key = repr(data)
    config = _REBUILT.get(key)
    if config is None:
        config = CleanConfig.from_dict(data)
        if len(_REBUILT) >= _MOST_REBUILT:
            _REBUILT.clear()
        _REBUILT[key] = config
    return config


#: configs `_rebuild` made, by the repr of their pickled form (a config is immutable)
_REBUILT: dict[str, CleanConfig] = {}
_MOST_REBUILT = 16
