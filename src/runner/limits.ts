/** Bounds that keep one task from exhausting the server's disk or memory. */
export interface RunnerLimits {
  /** Total bytes of file content extracted from the base archive. */
  maxArchiveBytes: number;
  /** Entries (files, directories, links) in the base archive. */
  maxArchiveEntries: number;
  /** Total bytes of created/updated file content in the ChangeSet. */
  maxChangeSetBytes: number;
  /** Characters of the agent's summary kept for the pull request body. */
  maxSummaryChars: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: RunnerLimits = {
  maxArchiveBytes: 2 * 1024 * MIB,
  maxArchiveEntries: 200_000,
  maxChangeSetBytes: 50 * MIB,
  maxSummaryChars: 20_000,
};

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
