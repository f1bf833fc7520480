/** Raised for any amount that cannot be represented exactly as integer euro cents. */
export class MoneyError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyError';
  }
}
