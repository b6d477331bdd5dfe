# ruff: noqa: RUF001 - the Russian templates are Cyrillic on purpose
"""What a failed check tells the learner, in both languages: one template per outcome, filled with what was
expected and what was found. Both texts are written for their language, not translated word for word."""

from __future__ import annotations

from typing import Any

TEMPLATES: dict[str, dict[str, str]] = {
    "passed": {"en": "Done.", "ru": "Готово."},
    "object.missing": {
        "en": "{kind} {name} does not exist in namespace {namespace}.",
        "ru": "Объект {kind} «{name}» в пространстве имён {namespace} не найден.",
    },
    "object.missing_cluster": {
        "en": "{kind} {name} does not exist.",
        "ru": "Объект {kind} «{name}» не найден.",
    },
    "object.count": {
        "en": "Expected {expected} {kind} objects {which} in namespace {namespace}; found {found}.",
        "ru": "Объектов {kind} {which} в пространстве имён {namespace} должно быть {expected}, а найдено {found}.",
    },
    "value.equals": {
        "en": "{what}: {path} is {found}; expected {expected}.",
        "ru": "{what}: {path} сейчас {found}, а должно быть {expected}.",
    },
    "value.one_of": {
        "en": "{what}: {path} is {found}; expected one of {expected}.",
        "ru": "{what}: {path} сейчас {found}, а должно быть одно из: {expected}.",
    },
    "value.matches": {
        "en": "{what}: {path} is {found}, which does not match {expected}.",
        "ru": "{what}: {path} сейчас {found} и не подходит под шаблон {expected}.",
    },
    "value.contains": {
        "en": "{what}: {path} is {found}; it should include {expected}.",
        "ru": "{what}: в {path} ({found}) не хватает {expected}.",
    },
    "value.exists": {
        "en": "{what}: {path} is not set.",
        "ru": "{what}: поле {path} не задано.",
    },
    "value.missing": {
        "en": "{what}: {path} is not set; expected {expected}.",
        "ru": "{what}: {path} не задано, а нужно {expected}.",
    },
    "value.absent": {
        "en": "{what}: {path} should not be set, but it is {found}.",
        "ru": "{what}: поля {path} быть не должно, а в нём {found}.",
    },
    "value.at_least": {
        "en": "{what}: {path} is {found}; expected at least {expected}.",
        "ru": "{what}: {path} сейчас {found}, а нужно не меньше {expected}.",
    },
    "value.at_most": {
        "en": "{what}: {path} is {found}; expected at most {expected}.",
        "ru": "{what}: {path} сейчас {found}, а нужно не больше {expected}.",
    },
    "pods.count": {
        "en": "Pods {which}{state}: {found}; expected {expected}.",
        "ru": "Подов {which}{state}: {found}, а нужно {expected}.",
    },
    "pods.none": {
        "en": "There are no pods {which} yet.",
        "ru": "Подов {which} пока нет.",
    },
    "pods.shared_nodes": {
        "en": "Pods {which} share a node ({found}); each should run on a node of its own.",
        "ru": "Поды {which} делят узел ({found}), а каждый должен работать на своём.",
    },
    "pods.wrong_nodes": {
        "en": "Pods {which} run on nodes without the labels {expected}: {found}.",
        "ru": "Поды {which} работают на узлах без меток {expected}: {found}.",
    },
    "pods.restarts": {
        "en": "Pods {which} have restarted {found} times; at most {expected} is allowed.",
        "ru": "Поды {which} перезапускались {found} раз, а допустимо не больше {expected}.",
    },
    "pods.restarts_too_few": {
        "en": "Pods {which} have restarted {found} times; expected at least {expected}.",
        "ru": "Поды {which} перезапускались {found} раз, а нужно не меньше {expected}.",
    },
    "service.endpoints": {
        "en": "Service {name} has {found} ready endpoints; expected {expected}.",
        "ru": "У Service «{name}» готовых конечных точек: {found}, а нужно {expected}.",
    },
    "service.no_selector": {
        "en": "Service {name} has no selector, so it selects no pods.",
        "ru": "У Service «{name}» нет селектора, поэтому он не выбирает ни одного пода.",
    },
    "service.selects_other": {
        "en": "Service {name} selects {found}, which does not match the pods of {expected}.",
        "ru": "Service «{name}» выбирает поды по {found}, а это не поды {expected}.",
    },
    "service.foreign_endpoints": {
        "en": "Service {name} also sends traffic to pods that are not {expected}'s: {found}.",
        "ru": "Service «{name}» отправляет трафик и подам, которые не принадлежат {expected}: {found}.",
    },
    "service.unreachable": {
        "en": "A request to {url} did not reach a pod: {found}",
        "ru": "Запрос к {url} не дошёл до пода: {found}",
    },
    "service.other_backend": {
        "en": "A request to {url} was answered by {found}, which is not behind Service {name}.",
        "ru": "На запрос к {url} ответил {found}, а он не стоит за Service «{name}».",
    },
    "trace.not_replaced": {
        "en": "The history shows no pod of {owner} deleted by you and then replaced by its controller.",
        "ru": "В истории нет такого: вы удалили под {owner}, а контроллер создал ему замену.",
    },
    "trace.not_yet_replaced": {
        "en": "You deleted {found}; its controller has not created a replacement yet.",
        "ru": "Вы удалили {found}, но контроллер ещё не создал замену.",
    },
    "trace.no_init_container": {
        "en": "Pod {pod} has no init container {init}.",
        "ru": "У пода «{pod}» нет init-контейнера «{init}».",
    },
    "trace.init_not_done": {
        "en": "Init container {init} of pod {pod} has not finished successfully.",
        "ru": "Init-контейнер «{init}» пода «{pod}» не завершился успешно.",
    },
    "trace.main_not_started": {
        "en": "The containers of pod {pod} have not started yet.",
        "ru": "Контейнеры пода «{pod}» ещё не запущены.",
    },
    "trace.main_before_init": {
        "en": "A container of pod {pod} started before init container {init} had finished.",
        "ru": "Контейнер пода «{pod}» запустился раньше, чем завершился init-контейнер «{init}».",
    },
    "trace.not_rolled_back": {
        "en": "Deployment {name} does not run the template of revision {expected} again (it runs {found}).",
        "ru": "Deployment «{name}» не вернулся к шаблону ревизии {expected} (сейчас: {found}).",
    },
    "trace.never_rolled_forward": {
        "en": "Deployment {name} never left revision {expected}: roll it forward first, then undo.",
        "ru": "Deployment «{name}» ещё не уходил с ревизии {expected}: сначала обновите его, потом откатите.",
    },
    "trace.recreated": {
        "en": "{kind} {name} was deleted and created again; it should have been changed in place.",
        "ru": "{kind} «{name}» удалили и создали заново, а нужно было изменить его на месте.",
    },
    "trace.gone": {
        "en": "{kind} {name} was deleted; it should have been kept.",
        "ru": "{kind} «{name}» удалён, а его нужно было сохранить.",
    },
    "trace.not_rejected": {
        "en": "The scheduler has not rejected pod {pod} on {node} with {plugin}.",
        "ru": "Планировщик не отклонял под «{pod}» на {node} по плагину {plugin}.",
    },
    "trace.step_missing": {
        "en": "The history has no {step}.",
        "ru": "В истории нет шага «{step}».",
    },
    "trace.step_missing_after": {
        "en": "The history has no {step} after the {previous}.",
        "ru": "В истории нет шага «{step}» после шага «{previous}».",
    },
    "trace.not_stayed": {
        "en": "{what}: {path} became {expected}, then was {found}; once reached, it should have stayed so.",
        "ru": "{what}: условие «{path} {expected}» выполнилось, но потом нарушилось (было {found}), а должно было "
              "выполняться и дальше.",
    },
    "trace.never_reached": {
        "en": "{what}: {path} was never {expected}.",
        "ru": "{what}: условие «{path} {expected}» ни разу не выполнилось.",
    },
    "command.missing": {
        "en": "None of your commands matches {expected}.",
        "ru": "Ни одна из ваших команд не подходит под {expected}.",
    },
    "component.state": {
        "en": "{name} is {found}; it should be {expected}.",
        "ru": "{name} сейчас {found}, а должен быть {expected}.",
    },
    "http.failed": {
        "en": "curl {url} failed: {found}",
        "ru": "Запрос curl {url} не прошёл: {found}",
    },
    "http.status": {
        "en": "curl {url} got HTTP {found}; expected {expected}.",
        "ru": "curl {url} получил HTTP {found}, а ожидался {expected}.",
    },
    "http.body": {
        "en": "The answer to curl {url} does not contain {expected}.",
        "ru": "В ответе на curl {url} нет {expected}.",
    },
    "event.missing": {
        "en": "There is no {reason} event for {which}.",
        "ru": "Для {which} нет события {reason}.",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "you": {"en": "you", "ru": "вы"},
    "anyone": {"en": "anyone", "ru": "кто угодно"},
    "a controller": {"en": "a controller", "ru": "контроллер"},
    "running": {"en": "running", "ru": "работает"},
    "stopped": {"en": "stopped", "ru": "остановлен"},
    "ready": {"en": " that are ready", "ru": " в состоянии Ready"},
    "not ready": {"en": " that are not ready", "ru": " не в состоянии Ready"},
    "phase": {"en": " in phase {phase}", "ru": " в фазе {phase}"},
    "labelled": {"en": "labelled {selector}", "ru": "с метками {selector}"},
    "owned": {"en": "of {kind} {name}", "ru": "у {kind} «{name}»"},
    "named": {"en": "named {name}", "ru": "с именем {name}"},
    "nothing": {"en": "nothing", "ru": "пусто"},
    "stayed.equals": {"en": "{value}", "ru": "равно {value}"},
    "stayed.one_of": {"en": "one of {value}", "ru": "одно из: {value}"},
    "stayed.matches": {"en": "a match for /{value}/", "ru": "подходит под /{value}/"},
    "stayed.at_least": {"en": "at least {value}", "ru": "не меньше {value}"},
    "stayed.at_most": {"en": "at most {value}", "ru": "не больше {value}"},
    "step": {"en": "{verb} {kind}{name} by {actor}", "ru": "{verb} {kind}{name} (кто: {actor})"},
    "same object": {"en": " (the same object)", "ru": " (тот же объект)"},
    "where": {"en": " with {path} {comparison} {value}", "ru": ", где {path} {comparison} {value}"},
    "equals": {"en": "=", "ru": "="},
    "one_of": {"en": "one of", "ru": "одно из"},
    "matches": {"en": "matching", "ru": "соответствует"},
    "contains": {"en": "containing", "ru": "содержит"},
    "exists": {"en": "set", "ru": "задано"},
    "absent": {"en": "not set", "ru": "не задано"},
    "at_least": {"en": ">=", "ru": ">="},
    "at_most": {"en": "<=", "ru": "<="},
}


def word(key: str, language: str, **values: Any) -> str:
    return WORDS[key][language].format(**values)


def render(key: str, values: dict[str, Any]) -> dict[str, str]:
    """The message `key` in both languages. A value may itself be bilingual (`{en, ru}`)."""
    out = {}
    for language, template in TEMPLATES[key].items():
        filled = {name: (value.get(language, "") if isinstance(value, dict) and set(value) == {"en", "ru"}
                         else value) for name, value in values.items()}
        out[language] = template.format_map(_Missing(filled))
    return out


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
