/** The label editor's reordering, DOM-free. */

/** The keys in their order after moving ``key`` by ``step`` (-1 up, 1 down). */
export function moved(keys, key, step) {
  const order = [...keys];
  const from = order.indexOf(key);
  const to = from + step;
  if (from < 0 || to < 0 || to >= order.length) return order;
  [order[from], order[to]] = [order[to], order[from]];
  return order;
}
