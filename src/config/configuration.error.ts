/** A bad configuration value: the message names the variable and what it must be, never the secret. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigurationError';
  }
}
