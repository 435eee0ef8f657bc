import { InvalidArgumentError } from 'commander';

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
