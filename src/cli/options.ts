import { InvalidArgumentError, Option } from 'commander';

/** Commander parsers that turn bad flag values into exit-code-2 errors naming the flag. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

export function seconds(max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > max) {
      throw new InvalidArgumentError(`expected a number of seconds from 0 to ${max}.`);
    }
    return number;
  };
}

export function oneOf(choices: readonly string[]) {
  return (value: string): string => {
    if (!choices.includes(value))
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return value;
  };
}

/** Makes an option repeatable, each value checked by `parse`. */
export function collect(parse: (value: string) => string = (value) => value) {
  return (value: string, previous: string[] = []): string[] => [...previous, parse(value)];
}

/**
 * `--format` of a command that writes reports: repeatable, one of `formats`; the n-th
 * `--output` is for the n-th `--format` (`writeReports` pairs them).
 */
export function formatOption(formats: readonly string[]): Option {
  return new Option(
    '--format <format>',
    `report format: ${formats.join(', ')} (repeatable)`,
  ).argParser(collect(oneOf(formats)));
}

/** `--output` of a command that writes reports: repeatable, one per `--format`. */
export function outputOption(): Option {
  return new Option(
    '--output <file>',
    'write the report of the matching --format here (repeatable)',
  ).argParser(collect());
}
