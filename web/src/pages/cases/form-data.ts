/** Reading the case forms: a field's trimmed text, absent when empty, and a body without its absent fields (the API's strict schemas want them left out, not blank). */
export const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
export const optional = (form: FormData, name: string) => text(form, name) || undefined;
export const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
