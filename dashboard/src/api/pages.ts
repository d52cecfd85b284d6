/** Reads every page of a paged list (page size 100, the API's maximum), up to `maxItems`. */
export async function listAll<T>(
  fetchPage: (page: { pageNumber: number; pageSize: number }) => Promise<T[]>,
  maxItems = 1000,
): Promise<T[]> {
  const pageSize = 100;
  const all: T[] = [];
  for (let pageNumber = 0; all.length < maxItems; pageNumber++) {
    const page = await fetchPage({ pageNumber, pageSize });
    all.push(...page);
    if (page.length < pageSize) break;
  }
  return all;
}
