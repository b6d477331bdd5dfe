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
    "edit_in_editor": {
        "en": "This terminal has no text editor for `kubectl edit`: use the editor beside it. Print the object "
        "with `kubectl get TYPE NAME -o yaml`, copy it into the editor, change it and apply it with "
        "`kubectl apply -f -`.",
        "ru": "Для `kubectl edit` в этом терминале нет текстового редактора: используйте редактор рядом. "
        "Выведите объект командой `kubectl get TYPE NAME -o yaml`, скопируйте его в редактор, измените и "
        "примените через `kubectl apply -f -`.",
    },
    "port_forward_real_kubectl": {
        "en": "`kubectl port-forward` listens on a port of your own computer, which this terminal cannot open. Use "
        "the link \"Download a kubeconfig for the real kubectl\" on this page, then run the real kubectl with it, "
        "e.g. `kubectl --kubeconfig FILE port-forward pod/NAME 8080:80` (or `svc/NAME`), and open "
        "http://127.0.0.1:8080 in your browser.",
        "ru": "`kubectl port-forward` открывает порт на вашем собственном компьютере, а этот терминал так не умеет. "
        "Скачайте kubeconfig по ссылке «Скачать kubeconfig для настоящего kubectl» на этой странице и запустите с "
        "ним настоящий kubectl, например `kubectl --kubeconfig ФАЙЛ port-forward pod/ИМЯ 8080:80` (или `svc/ИМЯ`), "
        "а затем откройте в браузере http://127.0.0.1:8080.",
    },
    "drain_blocked": {
        "en": "(kubectl would keep retrying every 5 seconds until the disruption budget allows the eviction of "
        "{pods}, or until --timeout; the terminal cannot wait. Check `kubectl get pdb`, then run the drain again.)",
        "ru": "(kubectl повторял бы попытку каждые 5 секунд, пока бюджет нарушений не разрешит вытеснить "
        "{pods}, или до истечения --timeout; терминал ждать не может. Проверьте `kubectl get pdb` и запустите "
        "drain ещё раз.)",
    },
    "file_not_available": {
        "en": "There is no file system here: `-f {path}` cannot be read. Write the manifest in the editor "
        "and "
        "run `kubectl {command} -f -`.",
        "ru": "Файловой системы здесь нет: `-f {path}` прочитать нельзя. Напишите манифест в редакторе и "
        "выполните `kubectl {command} -f -`.",
    },
    "rollout_status_snapshot": {
        "en": "(kubectl would keep watching until the rollout finishes; run the command again to see how it "
        "goes on)",
        "ru": "(kubectl продолжил бы наблюдать, пока выкатка не закончится; выполните команду ещё раз, чтобы "
        "увидеть, как она идёт)",
    },
    "exec_interactive": {
        "en": "Interactive sessions (-i / -t) are not available in this terminal: it runs one command per line. "
        "Run a single command instead, e.g. `kubectl exec {pod} -- env`.",
        "ru": "Интерактивные сеансы (-i / -t) в этом терминале недоступны: он выполняет одну команду в строке. "
        "Запустите отдельную команду, например `kubectl exec {pod} -- env`.",
    },
    "exec_shell_script": {
        "en": "The simulated container runs single commands only, not shell scripts or shells: `{command}`. "
        "Try `hostname`, `env`, `cat /etc/resolv.conf`, `nslookup SERVICE` or `curl SERVICE`.",
        "ru": "Симулированный контейнер выполняет только отдельные команды, без скриптов и оболочек: "
        "`{command}`. Попробуйте `hostname`, `env`, `cat /etc/resolv.conf`, `nslookup SERVICE` или `curl SERVICE`.",
    },
    "exec_not_simulated": {
        "en": "`{program}` exists in this image, but the simulated container does not run it. It answers "
        "`hostname`, `env`, `printenv`, `cat` (/etc/hosts, /etc/resolv.conf), `echo`, `nslookup`, `curl` and `wget`.",
        "ru": "`{program}` есть в этом образе, но симулированный контейнер его не выполняет. Он отвечает на "
        "`hostname`, `env`, `printenv`, `cat` (/etc/hosts, /etc/resolv.conf), `echo`, `nslookup`, `curl` и `wget`.",
    },
    "exec_no_network": {
        "en": "This simulated cluster cannot route HTTP requests from pods yet.",
        "ru": "Этот симулированный кластер пока не умеет направлять HTTP-запросы из подов.",
    },
    "top_no_metrics": {
        "en": "(This cluster runs no metrics-server: the Metrics API comes from that add-on (its Service "
        "kube-system/metrics-server), as a fresh kubeadm cluster has none. "
        "`kubectl describe node NAME` shows the requests and limits scheduled on a node.)",
        "ru": "(В этом кластере нет metrics-server: Metrics API предоставляет это дополнение (его Service "
        "kube-system/metrics-server), а в только что созданном кластере kubeadm его нет. "
        "`kubectl describe node ИМЯ` показывает запросы и лимиты ресурсов подов на узле.)",
    },
    "config_raw_refused": {
        "en": "The terminal does not print credentials. Download the sandbox's kubeconfig from the page to use "
        "a real kubectl.",
        "ru": "Терминал не показывает учётные данные. Скачайте kubeconfig песочницы на странице, чтобы "
        "работать с настоящим kubectl.",
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
