import { redactUrl } from './database';

describe('redactUrl', () => {
  it('hides the password of a database URL', () => {
    expect(redactUrl('postgresql://parley:s3cret@db.internal:5432/parley')).toBe('postgresql://parley:***@db.internal:5432/parley');
  });

  it('keeps a URL without password and never echoes an unparseable one', () => {
    expect(redactUrl('postgresql://postgres@127.0.0.1:5432/parley')).toBe('postgresql://postgres@127.0.0.1:5432/parley');
    expect(redactUrl('not a url with pass:word')).toBe('(unparseable DATABASE_URL)');
  });
});
