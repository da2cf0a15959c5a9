/**
 * The KeyVault port: where secrets live (Fernet key lists, database passwords, age identities).
 * Production uses the OS keychain (keyring-vault.ts); unit tests use MemoryVault. Nothing else in
 * the core stores a secret.
 */
export interface KeyVault {
  /** Human name of the backend, for doctor output ("Secret Service", "macOS Keychain", ...). */
  readonly backend: string;
  /** Throws KeychainUnavailable (with the fix) when secrets could not be stored durably. */
  assertAvailable(): Promise<void>;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

/** Account names inside the keychain's "Custodian" service. */
export const vaultAccounts = {
  fernetKeys: (profile: string) => `${profile}:fernet-keys`,
  /** Keys dropped by a rotation, kept because older backups were encrypted under them. */
  retiredFernetKeys: (profile: string) => `${profile}:fernet-keys-retired`,
  dbPassword: (profile: string, role: 'main' | 'audit') => `${profile}:db-password:${role}`,
  ageIdentity: (profile: string) => `${profile}:age-identity`,
  smtpPassword: () => 'smtp-password',
};

export class MemoryVault implements KeyVault {
  readonly backend = 'memory (tests only)';
  private readonly entries = new Map<string, string>();
  async assertAvailable(): Promise<void> {}
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.entries.set(account, secret);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
}
