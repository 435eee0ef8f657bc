import { randomBytes } from 'node:crypto';
import type { CryptoKey, JWK, JWTVerifyResult } from 'jose';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
// The four pieces the lab uses, not jose's index: that loads every module (and, through remote
// JWKS, Node's fetch), ~40 ms more at the start of every check.
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';

/** A per-lab signing key: nothing signed by one lab verifies at another. */
export class LabKeys {
  readonly kid = randomBytes(8).toString('hex');
  readonly alg = 'ES256';

  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;

  private constructor(privateKey: CryptoKey, publicKey: CryptoKey, publicJwk: JWK) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.publicJwk = publicJwk;
  }

  static async generate(): Promise<LabKeys> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const keys = new LabKeys(privateKey, publicKey, jwk);
    Object.assign(jwk, { kid: keys.kid, alg: keys.alg, use: 'sig' });
    return keys;
  }

  async sign(
    claims: Record<string, unknown>,
    typ: 'at+jwt' | 'JWT',
    expiresAt: number,
  ): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: this.alg, kid: this.kid, typ })
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.privateKey);
  }

  /** Verifies a token this lab signed; throws jose's errors (expired, bad signature, …). */
  async verify(
    token: string,
    issuer: string,
    audience: string,
    typ: 'at+jwt' | 'JWT' = 'at+jwt',
  ): Promise<JWTVerifyResult> {
    return jwtVerify(token, this.publicKey, {
      issuer,
      audience,
      algorithms: [this.alg],
      typ,
    });
  }
}
