/** FACTORY_ALLOWED_COMMANDS that allows exactly these commands (patterns match whole commands). */
export function allowExactly(...commands: string[]): string {
  return JSON.stringify(commands.map((command) => command.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
}
