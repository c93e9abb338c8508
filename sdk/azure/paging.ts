import { toDrError } from "./errors.js";

/** Maps each item of an Azure paged list, translating errors; pages are fetched as the caller iterates. */
export async function* mapItems<T, U>(items: AsyncIterable<T>, map: (item: T) => U, operation: string): AsyncIterable<U> {
  try {
    for await (const item of items) yield map(item);
  } catch (error) {
    throw toDrError(error, { operation });
  }
}
