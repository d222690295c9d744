// Reads `--name value` / `--name=value` pairs of a command line; refuses unknown or repeated options.
export function parseCliOptions(argv: string[], allowed: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new Error(`Unexpected argument "${arg}"; options look like --name value`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!allowed.includes(name)) throw new Error(`Unknown option --${name}; allowed: ${allowed.map((a) => `--${a}`).join(", ")}`);
    if (name in options) throw new Error(`Option --${name} is given twice`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) throw new Error(`Option --${name} needs a value`);
    options[name] = value;
  }
  return options;
}
