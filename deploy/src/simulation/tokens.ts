import { DEV_JWT_SECRET, signToken, type Principal } from '@cnfs/auth';

/**
 * Bearer tokens of every actor of the programme, signed with JWT_SECRET (or the local development
 * secret, as `npm run token`): ANCT, the Banque des Territoires, one préfecture per département, the six
 * training lots and each structure. Signed once, valid 24 h.
 */
export class Tokens {
  private readonly cache = new Map<string, Promise<string>>();
  private readonly secret: string;

  constructor(secret = process.env.JWT_SECRET || DEV_JWT_SECRET) {
    this.secret = secret;
  }

  private sign(key: string, principal: Principal): Promise<string> {
    let token = this.cache.get(key);
    if (!token) {
      token = signToken(principal, this.secret, '24h');
      this.cache.set(key, token);
    }
    return token;
  }

  anct(): Promise<string> {
    return this.sign('anct', { subject: 'simulation-anct', role: 'anct' });
  }

  bdt(): Promise<string> {
    return this.sign('bdt', { subject: 'simulation-bdt', role: 'bdt' });
  }

  prefecture(departmentCode: string): Promise<string> {
    return this.sign(`prefecture:${departmentCode}`, { subject: `simulation-prefecture-${departmentCode}`, role: 'prefecture', departments: [departmentCode] });
  }

  lot(lot: number): Promise<string> {
    return this.sign(`lot:${lot}`, { subject: `simulation-lot-${lot}`, role: 'training_provider', lot: lot as 1 | 2 | 3 | 4 | 5 | 6 });
  }

  structure(structureId: string): Promise<string> {
    return this.sign(`structure:${structureId}`, { subject: `simulation-structure-${structureId}`, role: 'structure', structureId });
  }
}
