/** Collects positional parameters while a query is assembled: `sql.p(value)` returns `$n`. */
export class Sql {
  readonly params: unknown[] = [];
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}
