import { ConfigError, loadConfig, trustedProxies } from './config.js';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.GONGWEN_DATA_DIR).toBe('.gongwen');
  });

  it('names the variable and what is expected when a value is bad', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT="abc": expected a port number/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL="mysql:\/\/x": expected a postgres/);
    expect(() => loadConfig({ GONGWEN_SEED_DEMO: 'maybe' })).toThrow(/GONGWEN_SEED_DEMO="maybe": expected true or false/);
    expect(() => loadConfig({ GONGWEN_ADMIN_PASSWORD: 'short' })).toThrow(/at least 12/);
  });

  it('parses booleans and numbers', () => {
    const c = loadConfig({ GONGWEN_SEED_DEMO: 'true', PORT: '8080', DATABASE_URL: 'postgres://u@h/db' });
    expect(c).toMatchObject({ GONGWEN_SEED_DEMO: true, PORT: 8080, DATABASE_URL: 'postgres://u@h/db' });
  });

  it('trusts no proxy by default, and only well-formed addresses and CIDRs when configured', () => {
    expect(trustedProxies(loadConfig({}))).toBe(false);
    expect(trustedProxies(loadConfig({ GONGWEN_TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,::1, loopback' }))).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
      'loopback',
    ]);
    for (const bad of ['*', 'true', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ GONGWEN_TRUSTED_PROXIES: bad })).toThrow(/GONGWEN_TRUSTED_PROXIES=.*IP addresses or CIDRs/);
    }
    expect(() => loadConfig({ GONGWEN_METRICS_TOKEN: 'short' })).toThrow(/GONGWEN_METRICS_TOKEN="short": expected at least 16/);
  });

  it('takes GONGWEN_METRICS_LISTEN as an IP address and a port', () => {
    expect(loadConfig({}).GONGWEN_METRICS_LISTEN).toBeUndefined();
    expect(loadConfig({ GONGWEN_METRICS_LISTEN: '127.0.0.1:9464' }).GONGWEN_METRICS_LISTEN).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ GONGWEN_METRICS_LISTEN: '[::1]:9464' }).GONGWEN_METRICS_LISTEN).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['9464', 'localhost:9464', '127.0.0.1:0', '127.0.0.1:70000', '::1:9464', '[127.0.0.1]:9464', '127.0.0.1']) {
      expect(() => loadConfig({ GONGWEN_METRICS_LISTEN: bad })).toThrow(/GONGWEN_METRICS_LISTEN=.*expected host:port/);
    }
  });
});
