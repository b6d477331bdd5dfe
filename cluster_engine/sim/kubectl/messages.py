# ruff: noqa: RUF001 - the Russian catalogue is Cyrillic on purpose
"""The terminal's own words (not kubectl's): friendly notes in the learner's language, keyed by id.

`sim` has no Django, so no gettext here: the web layer passes the learner's language code.
"""

from __future__ import annotations

from typing import Any

SUPPORTED_LANGUAGES = ("en", "ru")

_SUPPORTED_EN = (
    "This terminal runs kubectl only: one command per line, without pipes, redirections or "
    "variables. Use -o jsonpath=... or -o custom-columns=... to pick fields, and the editor with "
    "`kubectl apply -f -` for manifests."
)
_SUPPORTED_RU = (
    "В этом терминале работает только kubectl: одна команда в строке, без конвейеров, "
    "перенаправлений и переменных. Чтобы выбрать поля, используйте -o jsonpath=... или "
    "-o custom-columns=..., а манифесты применяйте из редактора командой `kubectl apply -f -`."
)

MESSAGES: dict[str, dict[str, str]] = {
    "shell_pipe": {
        "en": "Pipes (`{token}`) are not available here. " + _SUPPORTED_EN,
        "ru": "Конвейеры (`{token}`) здесь недоступны. " + _SUPPORTED_RU,
    },
    "shell_chain": {
        "en": "Running several commands in one line (`{token}`) is not available here. " + _SUPPORTED_EN,
        "ru": "Несколько команд в одной строке (`{token}`) здесь не выполняются. " + _SUPPORTED_RU,
    },
    "shell_background": {
        "en": "Background jobs (`&`) are not available here. " + _SUPPORTED_EN,
        "ru": "Фоновые задания (`&`) здесь недоступны. " + _SUPPORTED_RU,
    },
    "shell_redirect": {
        "en": "Redirections (`{token}`) are not available here: there is no file system. " + _SUPPORTED_EN,
        "ru": "Перенаправления (`{token}`) здесь недоступны: файловой системы нет. " + _SUPPORTED_RU,
    },
    "shell_substitution": {
        "en": "Variables and command substitution (`{token}`) are not available here. " + _SUPPORTED_EN,
        "ru": "Переменные и подстановка команд (`{token}`) здесь недоступны. " + _SUPPORTED_RU,
    },
    "shell_unclosed_quote": {
        "en": "The quote `{token}` is not closed. Close it and run the command again.",
        "ru": "Кавычка `{token}` не закрыта. Закройте её и выполните команду снова.",
    },
    "unknown_program": {
        "en": "`{program}` is not available in this terminal. " + _SUPPORTED_EN,
        "ru": "Команда `{program}` в этом терминале недоступна. " + _SUPPORTED_RU,
    },
    "command_unsupported": {
        "en": "`kubectl {command}` is a real kubectl command, but this simulated cluster does not offer it.",
        "ru": "`kubectl {command}` — настоящая команда kubectl, но симулированный кластер её не "
        "поддерживает.",
    },
    "autoscale_refused": {
        "en": "The simulated cluster has no metrics server, so a HorizontalPodAutoscaler would never act. "
        "Scale by hand instead: `kubectl scale {target} --replicas=N`.",
        "ru": "В симулированном кластере нет сервера метрик, поэтому HorizontalPodAutoscaler ничего не "
        "сделает. "
        "Масштабируйте вручную: `kubectl scale {target} --replicas=N`.",
    },
    "file_not_available": {
        "en": "There is no file system here: `-f {path}` cannot be read. Write the manifest in the editor "
        "and "
        "run `kubectl {command} -f -`.",
        "ru": "Файловой системы здесь нет: `-f {path}` прочитать нельзя. Напишите манифест в редакторе и "
        "выполните `kubectl {command} -f -`.",
    },
    "describe_unsupported": {
        "en": "This terminal describes pods, nodes, namespaces, config maps and secrets only. "
        'For {kind} "{name}" use `kubectl get {kind} {name} -o yaml`.',
        "ru": "Этот терминал описывает только поды, узлы, пространства имён, ConfigMap и Secret. "
        'Для {kind} "{name}" используйте `kubectl get {kind} {name} -o yaml`.',
    },
    "watch_snapshot": {
        "en": "(watching: the terminal shows the changes that happen next; press Ctrl+C to stop)",
        "ru": "(наблюдение: терминал покажет следующие изменения; нажмите Ctrl+C, чтобы остановить)",
    },
}


def message(message_id: str, language: str = "en", **params: Any) -> str:
    """The text of `message_id` in `language` (English when the language is not offered), with `params`
    substituted. KeyError for an unknown id: every id used in code must exist in both languages."""
    texts = MESSAGES[message_id]
    text = texts.get(language) or texts["en"]
    return text.format(**params)
