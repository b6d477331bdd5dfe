// Translation helpers over Django's JavaScriptCatalog (window.gettext & co.); identity when the catalogue is
// absent (unit tests). Call sites use the name `gettext` so that makemessages finds their strings.
const g = globalThis;

/** The translation of msgid in the page's language. */
export function gettext(msgid) {
  return typeof g.gettext === "function" ? g.gettext(msgid) : msgid;
}

/** Singular or plural translation chosen by n. */
export function ngettext(singular, plural, n) {
  if (typeof g.ngettext === "function") return g.ngettext(singular, plural, n);
  return n === 1 ? singular : plural;
}

/** Fill the %(name)s placeholders of an already translated string. */
export function fmt(text, values) {
  return text.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? String(values[key]) : match));
}
