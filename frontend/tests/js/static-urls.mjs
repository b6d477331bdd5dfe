// A module resolution hook for the tests: in the browser, every app's static files share one URL space
// (/static/frontend/..., /static/teaching/...), so teaching's modules import ours as ../../frontend/js/...;
// on disk those live in frontend/static/frontend/js/. Map the one to the other.
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL && (specifier.startsWith("./") || specifier.startsWith("../"))) {
    const file = fileURLToPath(new URL(specifier, context.parentURL));
    const marker = `${path.sep}teaching${path.sep}static${path.sep}frontend${path.sep}`;
    if (file.includes(marker)) {
      const rest = file.slice(file.indexOf(marker) + marker.length);
      return nextResolve(pathToFileURL(path.join(ROOT, "frontend", "static", "frontend", rest)).href, context);
    }
  }
  return nextResolve(specifier, context);
}
