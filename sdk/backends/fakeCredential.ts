import type { AccessToken, TokenCredential } from "@azure/core-auth";

/**
 * The credential of emulated backends: a fixed, meaningless token. The emulator never stores or
 * logs it.
 */
export const fakeCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "azure-dr-emulator-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};
